"""The LVR stage-1 objective (training/objectives.ts `computeLoss` with kind `lvr`) on a batch.json batch."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from model import MiniQwenVL

IGNORE_INDEX = -100


@dataclass
class LvrBatch:
    """A training batch as in @lvr/model's `TrainBatch` (flat arrays reshaped to (B, L))."""

    input_ids: torch.Tensor  # (B, L) int64
    attention_mask: torch.Tensor  # (B, L) int64
    position_ids: torch.Tensor  # (3, B, L) int64
    labels: torch.Tensor  # (B, L) int64, UNshifted
    images: list[tuple[np.ndarray, tuple[int, int, int]]]
    visual_rows: torch.Tensor  # (K,) row of the visual-token list fed at each <|lvr|>, in order
    allowed: torch.Tensor | None  # (B, L, L) extra attention restriction (1 = allowed), or None

    @staticmethod
    def from_json(j: dict) -> "LvrBatch":
        b, n = int(j["batch"]), int(j["length"])
        as2d = lambda k: torch.tensor(j[k], dtype=torch.int64).reshape(b, n)
        images = []
        for img in j.get("images", []):
            g = img["gridThw"]
            rows = np.asarray(img["pixelValues"], dtype=np.float32)
            images.append((rows, (int(g["t"]), int(g["h"]), int(g["w"]))))
        return LvrBatch(
            input_ids=as2d("inputIds"),
            attention_mask=as2d("attentionMask"),
            position_ids=torch.tensor(j["positionIds"], dtype=torch.int64).reshape(3, b, n),
            labels=as2d("labels"),
            images=images,
            visual_rows=torch.tensor(j["lvr"]["visualRows"], dtype=torch.int64),
            allowed=torch.tensor(j["allowed"], dtype=torch.int64).reshape(b, n, n) if "allowed" in j else None,
        )


def lvr_sft_loss(model: MiniQwenVL, batch: LvrBatch, lvr_lambda: float) -> dict[str, torch.Tensor]:
    """LVR stage-1 loss: CE on shifted labels (<|lvr|> ignored) + λ · MSE(hidden at p−1, visual row fed at p).

    Returns hidden (B, L, D), visual (Nv, D), ce_logits (M, V), and the scalars ce, lvr, total.
    """
    c = model.cfg
    dtype = model.model.norm.weight.dtype
    row_width = c.vision.row_width
    images = []
    for k, (rows, grid) in enumerate(batch.images):
        if rows.size != grid[0] * grid[1] * grid[2] * row_width:
            raise ValueError(f"batch.json: image {k} has {rows.size} pixel values, grid {grid} needs {grid[0] * grid[1] * grid[2]} × {row_width}")
        images.append((torch.from_numpy(rows).to(dtype).reshape(-1, row_width), grid))  # (t·h·w, C·T·P·P)
    visual = model.encode_images(images)
    fed = visual[batch.visual_rows]
    hidden = model(batch.input_ids, batch.position_ids, batch.attention_mask, visual, fed, batch.allowed)
    logits = model.logits(hidden)  # (B, L, V)
    labels = batch.labels.masked_fill(batch.labels == c.lvr_id, IGNORE_INDEX)
    shift_logits, shift_labels = logits[:, :-1], labels[:, 1:]
    valid = shift_labels != IGNORE_INDEX
    ce_logits = shift_logits[valid]  # (M, V), row-major over (b, t)
    ce = F.cross_entropy(ce_logits, shift_labels[valid]) if ce_logits.shape[0] else hidden.sum() * 0
    bi, ti = (batch.input_ids == c.lvr_id).nonzero(as_tuple=True)  # row-major <|lvr|> positions
    if (ti == 0).any():
        raise ValueError("an <|lvr|> token at position 0 has no previous hidden state")
    pred = model.latent_from_hidden(hidden[bi, ti - 1])  # (K, D)
    lvr = F.mse_loss(pred, fed.detach()) if pred.shape[0] else hidden.sum() * 0
    return {"hidden": hidden, "visual": visual, "ce_logits": ce_logits, "ce": ce, "lvr": lvr, "total": ce + lvr_lambda * lvr}
