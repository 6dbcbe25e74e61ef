#!/usr/bin/python3
"""One training step of the PyTorch reference model at the demo size (a benchmark, not a test).

The batch has the shape of bench/train-step.ts: B rows of L tokens, each row
`<|vision_start|> 16 × <|image_pad|> <|vision_end|> text…` with one 8×8-patch image (64 patches → 16 merged
tokens), M-RoPE positions as Qwen's get_rope_index, the text after `<|vision_end|>` supervised (SFT
cross-entropy on shifted labels, logits computed only at the supervised rows, as @lvr/model's `computeLoss`).
A step is forward + backward + global-norm clipping (1.0) + AdamW (decay 0.01 on matrices only, as
@lvr/model's trainer) + reading the loss back. Two cases:

- full: images through the ViT, every parameter trainable;
- lm:   visual tokens computed once without gradients (frozen ViT), LM parameters only.

Prints one JSON object with the median ms per case, plus the peak of one large rank-2 float32 matmul
(`--peak-n`, 0 to skip) in GFLOP/s.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 tools/torch-reference/bench_train.py MODEL_DIR --reps 9
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kv_cache import rope_index  # noqa: E402
from model import MiniQwenVL, load_model, vision_rotary  # noqa: E402

GRID = (1, 8, 8)
IGNORE_INDEX = -100


def synthetic_batch(model: MiniQwenVL, j: dict, b: int, length: int, g: torch.Generator) -> dict:
    """input_ids (B, L), position_ids (3, B, L), labels (B, L) unshifted, images [(rows (64, C·T·P·P), grid)]."""
    c = model.cfg
    n_img = GRID[0] * GRID[1] * GRID[2] // c.vision.spatial_merge_size**2
    if length < n_img + 3:
        raise ValueError(f"--length must be at least {n_img + 3}, got {length}")
    special = {int(j[k]) for k in ("image_token_id", "vision_start_token_id", "vision_end_token_id", "eos_token_id", "pad_token_id", "lvr_start_id", "lvr_id", "lvr_latent_end_id", "lvr_end_id") if isinstance(j.get(k), int)}
    pool = torch.tensor([i for i in range(c.vocab_size) if i not in special and i not in set(j.get("latent_token_ids", []))])
    rows, labels, positions, images = [], [], [], []
    for _ in range(b):
        text = pool[torch.randint(len(pool), (length - n_img - 2,), generator=g)].tolist()
        row = [j["vision_start_token_id"]] + [c.image_token_id] * n_img + [j["vision_end_token_id"]] + text
        rows.append(row)
        labels.append([IGNORE_INDEX] * (n_img + 2) + text)
        positions.append(rope_index(row, c.image_token_id, j["vision_start_token_id"], [GRID], c.vision.spatial_merge_size))
        images.append((torch.randn(GRID[0] * GRID[1] * GRID[2], c.vision.row_width, generator=g), GRID))
    return {
        "input_ids": torch.tensor(rows),
        "position_ids": torch.tensor(positions).permute(1, 0, 2).contiguous(),  # (B, 3, L) → (3, B, L)
        "labels": torch.tensor(labels),
        "images": images,
    }


def encode_grouped(model: MiniQwenVL, images: list[tuple[torch.Tensor, tuple[int, int, int]]]) -> torch.Tensor:
    """`model.encode_images` with the images of one grid stacked into one batch (as @lvr/model's encodeImages
    groups them) instead of one ViT call per image: same result, far fewer small matmuls."""
    vt = model.visual
    v = vt.cfg
    groups: dict[tuple[int, int, int], list[int]] = {}
    for i, (_, grid) in enumerate(images):
        groups.setdefault(grid, []).append(i)
    out: list[torch.Tensor | None] = [None] * len(images)
    for grid, idx in groups.items():
        rows = torch.stack([images[i][0] for i in idx])  # (G, N, C·T·P·P)
        cos, sin = vision_rotary(grid, v.spatial_merge_size, v.hidden_size // v.num_heads)
        cos, sin = cos.to(rows.dtype)[None], sin.to(rows.dtype)[None]  # (1, N, hd)
        x = vt.patch_embed(rows)  # (G, N, dv)
        for blk in vt.blocks:
            x = blk(x, cos, sin)
        merged = vt.merger(x)  # (G·N/m², D): every image's N rows are a multiple of m², so blocks never straddle images
        for j, tokens in enumerate(merged.chunk(len(idx))):
            out[idx[j]] = tokens
    return torch.cat(out, dim=0)  # type: ignore[arg-type]


def sft_loss(model: MiniQwenVL, batch: dict, visual: torch.Tensor | None) -> torch.Tensor:
    """CE of the logits at row t against labels[t + 1], computed only at the supervised rows."""
    if visual is None:
        visual = encode_grouped(model, batch["images"])  # (B·16, D)
    ids = batch["input_ids"]
    hidden = model(ids, batch["position_ids"], torch.ones_like(ids), visual)  # (B, L, D)
    targets = batch["labels"][:, 1:]
    valid = targets != IGNORE_INDEX
    rows = hidden[:, :-1][valid]  # (M, D)
    return F.cross_entropy(model.logits(rows), targets[valid])


def adamw(params: list[tuple[str, torch.nn.Parameter]]) -> torch.optim.AdamW:
    """AdamW as @lvr/model's trainer: weight decay 0.01 on matrices except biases, none on vectors."""
    decay = [p for n, p in params if p.ndim == 2 and not n.endswith(".bias")]
    rest = [p for n, p in params if not (p.ndim == 2 and not n.endswith(".bias"))]
    return torch.optim.AdamW([{"params": decay, "weight_decay": 0.01}, {"params": rest, "weight_decay": 0.0}], lr=1e-3, betas=(0.9, 0.999), eps=1e-8)


def time_case(model: MiniQwenVL, batch: dict, lm_only: bool, reps: int, warmup: int) -> dict:
    named = [(n, p) for n, p in model.named_parameters() if not (lm_only and n.startswith("visual."))]
    for n, p in model.named_parameters():
        p.requires_grad_(not (lm_only and n.startswith("visual.")))
    visual = None
    if lm_only:
        with torch.no_grad():
            visual = encode_grouped(model, batch["images"])
    opt = adamw(named)
    params = [p for _, p in named]
    times, losses = [], []
    for r in range(warmup + reps):
        t0 = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        loss = sft_loss(model, batch, visual)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        losses.append(loss.item())
        if r >= warmup:
            times.append((time.perf_counter() - t0) * 1000)
    for p in model.parameters():
        p.requires_grad_(True)
    return {"ms": statistics.median(times), "times_ms": times, "trainable_params": sum(p.numel() for p in params), "first_loss": losses[0], "last_loss": losses[-1]}


def matmul_peak(n: int, reps: int) -> dict:
    """Median GFLOP/s of one (n × n) · (n × n) float32 matmul."""
    g = torch.Generator().manual_seed(0)
    a, b = torch.randn(n, n, generator=g), torch.randn(n, n, generator=g)
    times = []
    for r in range(2 + reps):
        t0 = time.perf_counter()
        torch.mm(a, b)
        if r >= 2:
            times.append(time.perf_counter() - t0)
    ms = statistics.median(times) * 1000
    return {"n": n, "ms": ms, "gflops": 2 * n**3 / (ms / 1000) / 1e9}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("model_dir", help="folder with config.json and model.safetensors")
    p.add_argument("--reps", type=int, default=9)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--length", type=int, default=64)
    p.add_argument("--threads", type=int, default=1, help="torch.set_num_threads (OpenBLAS keeps its own threads)")
    p.add_argument("--peak-n", type=int, default=1024, help="size of the peak matmul (0 = skip)")
    p.add_argument("--cases", default="full,lm", help="comma-separated subset of full,lm")
    a = p.parse_args(argv)
    cases = [x for x in a.cases.split(",") if x]
    if a.reps < 1 or a.warmup < 0 or a.batch < 1 or a.threads < 1 or a.peak_n < 0 or not set(cases) <= {"full", "lm"}:
        p.error("--reps, --batch, --threads ≥ 1; --warmup, --peak-n ≥ 0; --cases ⊆ {full, lm}")
    torch.set_num_threads(a.threads)
    try:
        model = load_model(os.path.join(a.model_dir, "config.json"), os.path.join(a.model_dir, "model.safetensors"))
        with open(os.path.join(a.model_dir, "config.json"), encoding="utf-8") as f:
            j = json.load(f)
        batch = synthetic_batch(model, j, a.batch, a.length, torch.Generator().manual_seed(1))
    except (OSError, ValueError, KeyError, RuntimeError) as e:
        print(f"bench_train.py: cannot set up {a.model_dir}: {e}", file=sys.stderr)
        return 2
    model.train()
    with torch.no_grad():  # the grouped ViT must equal the reference's per-image ViT
        diff = float((encode_grouped(model, batch["images"][:4]) - model.encode_images(batch["images"][:4])).abs().max())
    if not diff < 1e-5:
        print(f"bench_train.py: grouped ViT differs from model.encode_images by {diff:.3g}", file=sys.stderr)
        return 1
    out = {"torch": torch.__version__, "threads": {"torch_threads": torch.get_num_threads(), "OPENBLAS_NUM_THREADS": os.environ.get("OPENBLAS_NUM_THREADS")}, "batch": a.batch, "length": a.length, "reps": a.reps, "vit_grouping_max_abs_diff": diff, "cases": {}}
    for case in cases:
        out["cases"][case] = time_case(model, batch, case == "lm", a.reps, a.warmup)
    if a.peak_n:
        out["peak"] = matmul_peak(a.peak_n, a.reps)
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
