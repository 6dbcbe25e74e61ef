#!/usr/bin/python3
"""Checks the tfjs model against the independent PyTorch implementation in model.py.

    node --conditions=@lvr/source --import tsx packages/model/src/oracle/dump.ts OUT_DIR
    /usr/bin/python3 tools/torch-reference/check.py OUT_DIR [OUT_DIR ...] [--tol 1e-4] [--json SUMMARY.json]

For each OUT_DIR, loads OUT_DIR/{config.json, model.safetensors, batch.json, expected.safetensors}, recomputes hidden states,
visual tokens, CE-row logits, loss/ce, loss/lvr, loss/total and every parameter gradient with autograd in
float64 and in float32, prints the max |tfjs − torch| of each quantity, and exits 1 if any difference (in
either precision) exceeds the tolerance, 2 on unreadable input.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from model import load_model  # noqa: E402
from objective import LvrBatch, lvr_sft_loss  # noqa: E402
from safetensors_np import read_safetensors  # noqa: E402

SCALARS = ("loss/ce", "loss/lvr", "loss/total")


def compute(out_dir: str, batch: LvrBatch, lvr_lambda: float, dtype: torch.dtype) -> dict[str, np.ndarray]:
    """All compared quantities from the torch model in `dtype`, as float64 numpy arrays keyed like expected."""
    model = load_model(os.path.join(out_dir, "config.json"), os.path.join(out_dir, "model.safetensors"), dtype)
    out = lvr_sft_loss(model, batch, lvr_lambda)
    out["total"].backward()
    real = batch.attention_mask.reshape(-1).bool()
    hidden = out["hidden"].reshape(-1, out["hidden"].shape[-1])  # (B·L, D)
    res = {
        "hidden": hidden,
        "hidden/real": hidden[real],  # padding rows are fully masked: compared separately, for information
        "visual": out["visual"],
        "logits": out["ce_logits"],
        "loss/ce": out["ce"],
        "loss/lvr": out["lvr"],
        "loss/total": out["total"],
    }
    for name, p in model.named_parameters():
        res[f"grad/{name}"] = p.grad if p.grad is not None else torch.zeros_like(p)
    return {k: v.detach().to(torch.float64).numpy() for k, v in res.items()}


def max_diff(a: np.ndarray, b: np.ndarray) -> float:
    if a.shape != b.shape:
        return float("inf")
    return float(np.max(np.abs(a - b))) if a.size else 0.0


def load_case(out_dir: str) -> tuple[LvrBatch, float, dict[str, np.ndarray], dict[str, str]]:
    """Reads batch.json and expected.safetensors, validating what the mirror supports."""
    with open(os.path.join(out_dir, "batch.json"), encoding="utf-8") as f:
        bj = json.load(f)
    with open(os.path.join(out_dir, "config.json"), encoding="utf-8") as f:
        lvr_id = json.load(f)["lvr_id"]
    obj = bj["objective"]
    if obj.get("kind") != "lvr" or obj.get("lvrLoss") != "mse" or obj.get("latentEndLambda", 0) or obj.get("modeSwitchLambda", 0):
        raise ValueError(f"{out_dir}/batch.json: only the LVR objective with MSE and no extra terms is mirrored, got {obj}")
    batch = LvrBatch.from_json(bj)
    flat = (batch.input_ids.reshape(-1) == lvr_id).nonzero().flatten().tolist()
    if flat != bj["lvr"]["positions"]:
        raise ValueError(f"{out_dir}/batch.json: lvr.positions {bj['lvr']['positions']} are not the <|lvr|> tokens {flat}")
    expected, meta = read_safetensors(os.path.join(out_dir, "expected.safetensors"))
    expected = {k: v.astype(np.float64) for k, v in expected.items()}
    if "hidden" in expected:
        expected["hidden/real"] = expected["hidden"][batch.attention_mask.reshape(-1).bool().numpy()]
    return batch, float(obj["lvrLambda"]), expected, meta


def compare(expected: dict[str, np.ndarray], got: dict[torch.dtype, dict[str, np.ndarray]], tol: float) -> list[dict]:
    """One row per quantity; every quantity must be present on both sides. Padding rows of `hidden` (fully
    masked queries, whose values depend on the precision) are shown for information only."""
    informational = {"hidden"}
    names = sorted(set(expected) | set(got[torch.float32]), key=lambda k: (k.startswith("grad/"), k))
    rows = []
    for name in names:
        e, g32, g64 = expected.get(name), got[torch.float32].get(name), got[torch.float64].get(name)
        if e is None or g32 is None or g64 is None:
            note = "missing in expected.safetensors" if e is None else "not computed by torch"
            rows.append({"name": name, "shape": None, "maxAbs": None, "diff32": None, "diff64": None, "gate": True, "ok": False, "note": note})
            continue
        d32, d64 = max_diff(e, g32), max_diff(e, g64)
        gate = name not in informational
        rows.append({"name": name, "shape": list(e.shape), "maxAbs": float(np.max(np.abs(e))) if e.size else 0.0,
                     "diff32": d32, "diff64": d64, "gate": gate, "ok": (d32 <= tol and d64 <= tol) or not gate,
                     "note": "" if e.shape == g32.shape else f"shape {list(e.shape)} vs torch {list(g32.shape)}"})
    return rows


def print_table(out_dir: str, meta: dict[str, str], rows: list[dict], tol: float, elapsed: float) -> list[str]:
    """Prints the table of one case and returns the names of the failed quantities."""
    fmt = lambda x: "-" if x is None else f"{x:.3e}"
    width = max(len(r["name"]) for r in rows)
    print(f"{out_dir} ({meta.get('variant', '?')}): torch {torch.__version__} vs tfjs {meta.get('tfjs', '?')} on {meta.get('backend', '?')}; tolerance {tol:g}")
    print(f"{'quantity':<{width}}  {'shape':<12} {'max|tfjs|':>10} {'Δ float32':>10} {'Δ float64':>10}")
    for r in rows:
        shape = "?" if r["shape"] is None else ("x".join(map(str, r["shape"])) or "scalar")
        status = "FAIL" if not r["ok"] else ("ok" if r["gate"] else "info")
        print(f"{r['name']:<{width}}  {shape:<12} {fmt(r['maxAbs']):>10} {fmt(r['diff32']):>10} {fmt(r['diff64']):>10}  {status} {r['note']}".rstrip())
    gated = [r for r in rows if r["gate"]]
    failed = [r["name"] for r in gated if not r["ok"]]
    worst = lambda key: max((r[key] for r in gated if r[key] is not None), default=0.0)
    print(f"max Δ float32 {worst('diff32'):.3e}, max Δ float64 {worst('diff64'):.3e} over {len(gated)} quantities; "
          f"{'PASS' if not failed else 'FAIL: ' + ', '.join(failed)} ({elapsed:.2f} s)\n")
    return failed


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out_dirs", nargs="+", metavar="OUT_DIR", help="directory written by packages/model/src/oracle/dump.ts")
    ap.add_argument("--tol", type=float, default=1e-4, help="max abs difference allowed (default 1e-4)")
    ap.add_argument("--json", help="also write a machine-readable summary here")
    args = ap.parse_args(argv)
    torch.set_num_threads(1)
    cases = []
    for out_dir in args.out_dirs:
        start = time.perf_counter()
        try:
            batch, lvr_lambda, expected, meta = load_case(out_dir)
            got = {dt: compute(out_dir, batch, lvr_lambda, dt) for dt in (torch.float64, torch.float32)}
        except (OSError, ValueError, KeyError, RuntimeError) as e:  # SafetensorsError is a ValueError
            print(f"check.py: cannot run the oracle on {out_dir}: {e}", file=sys.stderr)
            return 2
        elapsed = time.perf_counter() - start
        rows = compare(expected, got, args.tol)
        failed = print_table(out_dir, meta, rows, args.tol, elapsed)
        cases.append({"dir": out_dir, "variant": meta.get("variant"), "passed": not failed, "failed": failed, "seconds": elapsed, "rows": rows})
    passed = all(c["passed"] for c in cases)
    if len(cases) > 1:
        print(f"{sum(c['passed'] for c in cases)}/{len(cases)} cases pass")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump({"tol": args.tol, "passed": passed, "torch": torch.__version__, "cases": cases}, f, indent=1)
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
