#!/usr/bin/python3
"""Decode latency of the PyTorch reference model with a KV cache (a benchmark, not a test).

Loads a model folder written by `lvr train` / `saveModel` (config.json + model.safetensors), checks the cached
decoder against the full forward once (a prompt with an image, then token and latent steps; max |Δ| < 1e-4 or
exit 1), then times one cached decode step — a token step and a latent step (the previous latent fed back as the
input embedding) — at each batch size and context length. Prompts are random text tokens without padding, so the
M-RoPE decode position is simply `past_length` on all three axes (rope_delta 0), as in bench/decode.ts.
Prints one JSON object: per case the median ms of a token step and of a latent step, the prefill ms, the
thread settings and the check's max |Δ| (null with --skip-verify).

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 tools/torch-reference/bench_decode.py MODEL_DIR \
        --reps 7 --batches 1,8 --contexts 64,256,1024
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kv_cache import KvDecoder, rope_index  # noqa: E402
from model import MiniQwenVL, load_model  # noqa: E402

VERIFY_TOL = 1e-4


def int_list(text: str) -> list[int]:
    try:
        values = [int(x) for x in text.split(",") if x.strip()]
    except ValueError as e:
        raise argparse.ArgumentTypeError(f"expected comma-separated integers, got {text!r}") from e
    if not values or any(v <= 0 for v in values):
        raise argparse.ArgumentTypeError(f"expected positive integers, got {text!r}")
    return values


def thread_settings() -> dict:
    return {
        "torch_threads": torch.get_num_threads(),
        "OPENBLAS_NUM_THREADS": os.environ.get("OPENBLAS_NUM_THREADS"),
        "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE"),
        "OPENBLAS_L2_SIZE": os.environ.get("OPENBLAS_L2_SIZE"),
    }


def special_ids(j: dict) -> set[int]:
    """Every special-token id named in config.json (image, vision, LVR, latent, eos, pad)."""
    keys = ("image_token_id", "vision_start_token_id", "vision_end_token_id", "eos_token_id", "pad_token_id", "lvr_start_id", "lvr_id", "lvr_latent_end_id", "lvr_end_id")
    ids = {int(j[k]) for k in keys if isinstance(j.get(k), int)}
    return ids | {int(x) for x in j.get("latent_token_ids", [])}


def text_pool(j: dict, vocab_size: int) -> torch.Tensor:
    """Ids usable as plain text in synthetic prompts: every id that is not special."""
    special = special_ids(j)
    pool = [i for i in range(vocab_size) if i not in special]
    if not pool:
        raise ValueError("config.json: every id of the vocabulary is a special token")
    return torch.tensor(pool)


def verify(model: MiniQwenVL, vision_start: int, vision_end: int, pool: torch.Tensor, seed: int = 0) -> float:
    """Cached prefill + 6 mixed token / latent steps vs one full forward over the whole sequence → max |Δ|.

    Two rows, each `[text, text, <|vision_start|>, 16 × <|image_pad|>, <|vision_end|>, text, text, text]` with an
    8×8-patch image (16 merged tokens), so the decode positions carry a non-zero rope_delta. Latent steps are fed
    in the full forward as `<|lvr|>` tokens whose embedding is overridden with the same vectors.
    """
    c = model.cfg
    g = torch.Generator().manual_seed(seed)
    text = lambda: int(pool[int(torch.randint(len(pool), (1,), generator=g))])
    grid = (1, 8, 8)
    n_img = grid[0] * grid[1] * grid[2] // c.vision.spatial_merge_size**2
    rows, images = [], []
    for _ in range(2):
        rows.append([text(), text(), vision_start] + [c.image_token_id] * n_img + [vision_end, text(), text(), text()])
        images.append((torch.randn(grid[0] * grid[1] * grid[2], c.vision.row_width, generator=g), grid))
    pos = [rope_index(r, c.image_token_id, vision_start, [grid], c.vision.spatial_merge_size) for r in rows]
    input_ids = torch.tensor(rows)  # (2, L)
    position_ids = torch.tensor(pos).permute(1, 0, 2).contiguous()  # (B, 3, L) → (3, B, L)
    dec = KvDecoder(model)
    with torch.no_grad():
        visual = model.encode_images(images)
        out, cache = dec.prefill(input_ids, position_ids, visual)
        hiddens = [out.hidden]
        step_ids: list[torch.Tensor] = []
        fed: list[torch.Tensor] = []
        for k in range(6):
            if k % 3 == 2:
                ids = torch.tensor([text(), text()])
                out = dec.step(cache, token_ids=ids)
                step_ids.append(ids)
            else:
                fed.append(out.latent)
                out = dec.step(cache, embeds=out.latent)
                step_ids.append(torch.full((2,), c.lvr_id))
            hiddens.append(out.hidden)
        full_ids = torch.cat([input_ids, torch.stack(step_ids, dim=1)], dim=1)  # (2, L + 6)
        deltas = cache.rope_deltas
        assert deltas is not None
        length = input_ids.shape[1]
        extra = (torch.arange(length, length + 6)[None] + deltas[:, None])[None].expand(3, 2, 6)  # (3, B, 6)
        full_pos = torch.cat([position_ids, extra], dim=2)
        lvr_rows = torch.stack(fed, dim=1).reshape(-1, c.hidden_size)  # row-major over (b, t), as masked_scatter fills
        full = model(full_ids, full_pos, torch.ones_like(full_ids), visual, lvr_rows)  # (2, L + 6, D)
        want = full[:, length - 1 :]  # (2, 7, D): last prompt position and the 6 steps
        got = torch.stack(hiddens, dim=1)
        diff = float((want - got).abs().max())
        logit_diff = float((model.logits(want[:, -1]) - out.logits).abs().max())
    return max(diff, logit_diff)


def time_case(dec: KvDecoder, batch: int, context: int, reps: int, warmup: int, pool: torch.Tensor, g: torch.Generator) -> dict:
    """Median ms of a cached token step and a latent step after a text-only prefill of `context` tokens."""
    ids = pool[torch.randint(len(pool), (batch, context), generator=g)]  # (B, L) plain text ids
    pos = torch.arange(context)[None, None].expand(3, batch, context)  # text only: t = h = w
    with torch.inference_mode():
        t0 = time.perf_counter()
        out, cache = dec.prefill(ids, pos)
        prefill_ms = (time.perf_counter() - t0) * 1000
        token, latent = [], []
        tok = pool[:1].expand(batch).contiguous()
        for r in range(warmup + reps):
            t0 = time.perf_counter()
            out = dec.step(cache, token_ids=tok)
            _ = out.logits.numpy(), out.latent.numpy()  # results handed back, as the JS step models do
            t1 = time.perf_counter()
            out = dec.step(cache, embeds=out.latent)
            _ = out.logits.numpy(), out.latent.numpy()
            t2 = time.perf_counter()
            if r >= warmup:
                token.append((t1 - t0) * 1000)
                latent.append((t2 - t1) * 1000)
    return {
        "batch": batch,
        "context": context,
        "token_ms": statistics.median(token),
        "latent_ms": statistics.median(latent),
        "prefill_ms": prefill_ms,
    }


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("model_dir", help="folder with config.json and model.safetensors")
    p.add_argument("--reps", type=int, default=7, help="timed step pairs per case (median)")
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--batches", type=int_list, default=[1, 8])
    p.add_argument("--contexts", type=int_list, default=[64, 256, 1024])
    p.add_argument("--threads", type=int, default=1, help="torch.set_num_threads (OpenBLAS keeps its own threads)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--skip-verify", action="store_true", help="skip the startup check against the full forward")
    a = p.parse_args(argv)
    if a.reps < 1 or a.warmup < 0 or a.threads < 1:
        p.error("--reps and --threads must be ≥ 1, --warmup ≥ 0")
    torch.set_num_threads(a.threads)
    try:
        model = load_model(os.path.join(a.model_dir, "config.json"), os.path.join(a.model_dir, "model.safetensors"))
    except (OSError, ValueError, RuntimeError) as e:
        print(f"bench_decode.py: cannot load the model from {a.model_dir}: {e}", file=sys.stderr)
        return 2
    model.eval()
    with open(os.path.join(a.model_dir, "config.json"), encoding="utf-8") as f:
        j = json.load(f)
    if not isinstance(j.get("vision_start_token_id"), int) or not isinstance(j.get("vision_end_token_id"), int):
        print(f"bench_decode.py: {a.model_dir}/config.json lacks vision_start_token_id / vision_end_token_id", file=sys.stderr)
        return 2
    pool = text_pool(j, model.cfg.vocab_size)
    max_diff = None if a.skip_verify else verify(model, j["vision_start_token_id"], j["vision_end_token_id"], pool)
    if max_diff is not None and not max_diff < VERIFY_TOL:
        print(f"bench_decode.py: the KV-cache decoder differs from the full forward by {max_diff:.3g} (> {VERIFY_TOL})", file=sys.stderr)
        return 1
    dec = KvDecoder(model)
    g = torch.Generator().manual_seed(a.seed)
    results = [time_case(dec, b, n, a.reps, a.warmup, pool, g) for b in a.batches for n in a.contexts]
    json.dump({"torch": torch.__version__, "threads": thread_settings(), "reps": a.reps, "verify_max_abs_diff": max_diff, "results": results}, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
