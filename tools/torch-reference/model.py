"""Independent PyTorch implementation of @lvr's miniature Qwen2.5-VL (plain torch, no transformers).

Written from the architecture description (HF Qwen2.5-VL conventions), not translated from the tfjs code:
rotary tables are built the HF way (`outer(positions, inv_freq)`, M-RoPE by splitting the doubled section
list), embeddings are assembled with `masked_scatter`, and the CE loss shifts full logits. Parameter names
are the HF-style names of our `model.safetensors`, and linear weights are (out, in) as on disk, so
`load_state_dict(strict=True)` checks that the checkpoint matches the config.

    model = load_model("out/config.json", "out/model.safetensors", torch.float64)
    visual = model.encode_images(images)                     # (Nv, D)
    hidden = model(input_ids, position_ids, attention_mask, visual, lvr_rows)   # (B, L, D)

The config lives in model_config.py, the batch and the LVR loss in objective.py.
"""

from __future__ import annotations

import json
import math

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from model_config import Config, VisionConfig
from safetensors_np import read_safetensors

MASK_VALUE = -1e9  # additive attention mask for blocked keys, as the tfjs model


# ---------------------------------------------------------------------------------------------- layers


class RMSNorm(nn.Module):
    def __init__(self, dim: int, eps: float):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(dim))
        self.eps = eps

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


class SwiGLU(nn.Module):
    """down(silu(gate(x)) * up(x)); `bias` only for the LVR `glu` head."""

    def __init__(self, dim: int, hidden: int, bias: bool = False, names=("gate_proj", "up_proj", "down_proj")):
        super().__init__()
        self.names = names
        for n, (i, o) in zip(names, ((dim, hidden), (dim, hidden), (hidden, dim))):
            setattr(self, n, nn.Linear(i, o, bias=bias))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        gate, up, down = (getattr(self, n) for n in self.names)
        return down(F.silu(gate(x)) * up(x))


def rotate_half(x: torch.Tensor) -> torch.Tensor:
    x1, x2 = x.chunk(2, dim=-1)
    return torch.cat((-x2, x1), dim=-1)


def attend(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor:
    """Scaled dot-product attention on (B, H, L, d) with an optional additive mask (B, 1, L, L)."""
    scores = q @ k.transpose(-1, -2) / math.sqrt(q.shape[-1])  # (B, H, L, L)
    if mask is not None:
        scores = scores + mask
    return torch.softmax(scores, dim=-1) @ v  # (B, H, L, d)


class Attention(nn.Module):
    """Multi-head self-attention with rotary q/k. Vision: q/k/v/proj with bias; LM: q/k/v_proj (+bias), o_proj."""

    def __init__(self, dim: int, heads: int, names: tuple[str, str, str, str], qkv_bias: bool, out_bias: bool):
        super().__init__()
        self.heads = heads
        self.names = names
        for n in names[:3]:
            setattr(self, n, nn.Linear(dim, dim, bias=qkv_bias))
        setattr(self, names[3], nn.Linear(dim, dim, bias=out_bias))

    def forward(self, x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor:
        b, n, d = x.shape
        qp, kp, vp, op = (getattr(self, name) for name in self.names)
        split = lambda t: t.view(b, n, self.heads, d // self.heads).transpose(1, 2)  # (B, H, N, hd)
        q, k, v = split(qp(x)), split(kp(x)), split(vp(x))
        c, s = cos.unsqueeze(1), sin.unsqueeze(1)  # (B, 1, N, hd)
        q = q * c + rotate_half(q) * s
        k = k * c + rotate_half(k) * s
        o = attend(q, k, v, mask).transpose(1, 2).reshape(b, n, d)  # (B, N, D)
        return op(o)


# ---------------------------------------------------------------------------------------------- rotary


def vision_rotary(grid: tuple[int, int, int], merge: int, head_dim: int, theta: float = 10000.0) -> tuple[torch.Tensor, torch.Tensor]:
    """HF Qwen2.5-VL vision rotary: per patch (in merge-block order) the row frequencies then the column ones.

    Returns float64 cos, sin of shape (t·h·w, head_dim).
    """
    t, h, w = grid
    hpos = torch.arange(h).unsqueeze(1).expand(h, w)
    wpos = torch.arange(w).unsqueeze(0).expand(h, w)
    block = lambda p: p.reshape(h // merge, merge, w // merge, merge).permute(0, 2, 1, 3).flatten()
    pos = torch.stack([block(hpos), block(wpos)], dim=-1).repeat(t, 1)  # (N, 2)
    dim = head_dim // 2
    inv_freq = 1.0 / theta ** (torch.arange(0, dim, 2, dtype=torch.float64) / dim)  # (head_dim/4)
    table = torch.outer(torch.arange(max(h, w), dtype=torch.float64), inv_freq)  # (max(h, w), head_dim/4)
    freqs = table[pos].flatten(1)  # (N, head_dim/2): row part, column part
    emb = torch.cat([freqs, freqs], dim=-1)  # (N, head_dim)
    return emb.cos(), emb.sin()


def mrope(position_ids: torch.Tensor, head_dim: int, theta: float, section: tuple[int, int, int]) -> tuple[torch.Tensor, torch.Tensor]:
    """HF `apply_multimodal_rotary_pos_emb` tables: position_ids (3, B, L) → float64 cos, sin (B, L, head_dim)."""
    inv_freq = 1.0 / theta ** (torch.arange(0, head_dim, 2, dtype=torch.float64) / head_dim)
    freqs = position_ids.to(torch.float64).unsqueeze(-1) * inv_freq  # (3, B, L, head_dim/2)
    emb = torch.cat([freqs, freqs], dim=-1)  # (3, B, L, head_dim)
    pick = lambda m: torch.cat([part[i % 3] for i, part in enumerate(m.split(list(section) * 2, dim=-1))], dim=-1)
    return pick(emb.cos()), pick(emb.sin())


# ---------------------------------------------------------------------------------------------- vision


class VisionBlock(nn.Module):
    def __init__(self, v: VisionConfig, eps: float):
        super().__init__()
        self.norm1 = RMSNorm(v.hidden_size, eps)
        self.attn = Attention(v.hidden_size, v.num_heads, ("q", "k", "v", "proj"), qkv_bias=True, out_bias=True)
        self.norm2 = RMSNorm(v.hidden_size, eps)
        self.mlp = SwiGLU(v.hidden_size, v.intermediate_size)

    def forward(self, x, cos, sin):
        x = x + self.attn(self.norm1(x), cos, sin, None)  # bidirectional within the image
        return x + self.mlp(self.norm2(x))


class PatchEmbed(nn.Module):
    def __init__(self, v: VisionConfig):
        super().__init__()
        self.proj = nn.Linear(v.row_width, v.hidden_size, bias=False)

    def forward(self, rows):
        return self.proj(rows)


class PatchMerger(nn.Module):
    def __init__(self, v: VisionConfig, out_dim: int, eps: float):
        super().__init__()
        self.width = v.hidden_size * v.spatial_merge_size**2
        self.ln_q = RMSNorm(v.hidden_size, eps)
        self.mlp = nn.Sequential(nn.Linear(self.width, self.width), nn.GELU(), nn.Linear(self.width, out_dim))

    def forward(self, x):
        return self.mlp(self.ln_q(x).reshape(-1, self.width))  # (N/m², m²·dv) → (N/m², D)


class VisionTower(nn.Module):
    def __init__(self, c: Config):
        super().__init__()
        self.cfg = c.vision
        self.patch_embed = PatchEmbed(c.vision)
        self.blocks = nn.ModuleList(VisionBlock(c.vision, c.rms_norm_eps) for _ in range(c.vision.depth))
        self.merger = PatchMerger(c.vision, c.hidden_size, c.rms_norm_eps)

    def forward(self, pixel_rows: torch.Tensor, grid: tuple[int, int, int]) -> torch.Tensor:
        """One image: (t·h·w, C·T·P·P) patch rows in Qwen order → (t·h·w/m², D) visual tokens."""
        v = self.cfg
        cos, sin = vision_rotary(grid, v.spatial_merge_size, v.hidden_size // v.num_heads)
        cos, sin = cos.to(pixel_rows.dtype)[None], sin.to(pixel_rows.dtype)[None]
        x = self.patch_embed(pixel_rows)[None]  # (1, N, dv)
        for blk in self.blocks:
            x = blk(x, cos, sin)
        return self.merger(x[0])


# ---------------------------------------------------------------------------------------------- language model


class DecoderLayer(nn.Module):
    def __init__(self, c: Config):
        super().__init__()
        self.input_layernorm = RMSNorm(c.hidden_size, c.rms_norm_eps)
        self.self_attn = Attention(c.hidden_size, c.num_heads, ("q_proj", "k_proj", "v_proj", "o_proj"), qkv_bias=c.attention_bias, out_bias=False)
        self.post_attention_layernorm = RMSNorm(c.hidden_size, c.rms_norm_eps)
        self.mlp = SwiGLU(c.hidden_size, c.intermediate_size)

    def forward(self, x, cos, sin, mask):
        x = x + self.self_attn(self.input_layernorm(x), cos, sin, mask)
        return x + self.mlp(self.post_attention_layernorm(x))


class TextModel(nn.Module):
    def __init__(self, c: Config):
        super().__init__()
        self.embed_tokens = nn.Embedding(c.vocab_size, c.hidden_size)
        self.layers = nn.ModuleList(DecoderLayer(c) for _ in range(c.num_layers))
        self.norm = RMSNorm(c.hidden_size, c.rms_norm_eps)


class LvrHeadSimple(nn.Module):
    """LayerNorm → Linear → GELU → Linear (reference `lvr_heads.py` simple head)."""

    def __init__(self, d: int):
        super().__init__()
        self.ln = nn.LayerNorm(d, eps=1e-6)
        self.fc1 = nn.Linear(d, d)
        self.fc2 = nn.Linear(d, d)

    def forward(self, h):
        return self.fc2(F.gelu(self.fc1(self.ln(h))))


def causal_padding_mask(attention_mask: torch.Tensor, dtype: torch.dtype, allowed: torch.Tensor | None = None) -> torch.Tensor:
    """(B, L) 1/0 key mask → additive (B, 1, L, L): key j visible to query i iff j ≤ i, j is not padding and,
    when given, allowed[b, i, j] (B, L, L)."""
    b, n = attention_mask.shape
    causal = torch.ones(n, n, dtype=torch.bool).tril()
    ok = causal[None] & attention_mask.bool()[:, None, :]  # (B, L, L)
    if allowed is not None:
        ok = ok & allowed.bool()
    return torch.zeros(b, 1, n, n, dtype=dtype).masked_fill(~ok[:, None], MASK_VALUE)


class MiniQwenVL(nn.Module):
    """ViT → 2×2 merger → Qwen2 decoder with M-RoPE, tied LM head; state_dict names match model.safetensors."""

    def __init__(self, c: Config):
        super().__init__()
        self.cfg = c
        self.visual = VisionTower(c)
        self.model = TextModel(c)
        if c.lvr_head == "simple":
            self.lvr_head = LvrHeadSimple(c.hidden_size)
        elif c.lvr_head == "glu":
            self.lvr_head = SwiGLU(c.hidden_size, c.intermediate_size, bias=True, names=("gate", "up", "down"))
        if c.lvr_latent_end_embedding:
            self.lvr_latent_end_emb = nn.Parameter(torch.zeros(c.hidden_size))

    def encode_images(self, images: list[tuple[torch.Tensor, tuple[int, int, int]]]) -> torch.Tensor:
        """[(patch rows, (t, h, w))] → concatenated visual tokens (Σ tokens, D) in image order."""
        if not images:
            return torch.zeros(0, self.cfg.hidden_size, dtype=self.model.norm.weight.dtype)
        return torch.cat([self.visual(rows, grid) for rows, grid in images], dim=0)

    def latent_from_hidden(self, h: torch.Tensor) -> torch.Tensor:
        """The vector fed back as a latent: the LVR head when configured, else the hidden state itself."""
        return self.lvr_head(h) if self.cfg.lvr_head != "none" else h

    def embed(self, input_ids: torch.Tensor, visual: torch.Tensor, lvr_rows: torch.Tensor | None) -> torch.Tensor:
        """Token embeddings; `<|image_pad|>` slots take the visual tokens in order, `<|lvr|>` slots take `lvr_rows`."""
        c = self.cfg
        x = self.model.embed_tokens(input_ids)  # (B, L, D)
        img = input_ids == c.image_token_id
        if int(img.sum()) != visual.shape[0]:
            raise ValueError(f"{int(img.sum())} <|image_pad|> tokens but {visual.shape[0]} visual tokens")
        x = x.masked_scatter(img.unsqueeze(-1), visual)
        if lvr_rows is not None:
            lvr = input_ids == c.lvr_id
            if int(lvr.sum()) != lvr_rows.shape[0]:
                raise ValueError(f"{int(lvr.sum())} <|lvr|> tokens but {lvr_rows.shape[0]} rows to feed")
            x = x.masked_scatter(lvr.unsqueeze(-1), lvr_rows)
        return x

    def forward(self, input_ids, position_ids, attention_mask, visual, lvr_rows=None, allowed=None) -> torch.Tensor:
        """input_ids (B, L), position_ids (3, B, L), attention_mask (B, L), optional allowed (B, L, L)
        → final-norm hidden states (B, L, D)."""
        c = self.cfg
        x = self.embed(input_ids, visual, lvr_rows)
        cos, sin = mrope(position_ids, c.head_dim, c.rope_theta, c.mrope_section)
        cos, sin = cos.to(x.dtype), sin.to(x.dtype)
        mask = causal_padding_mask(attention_mask, x.dtype, allowed)
        for layer in self.model.layers:
            x = layer(x, cos, sin, mask)
        return self.model.norm(x)

    def logits(self, hidden: torch.Tensor) -> torch.Tensor:
        return hidden @ self.model.embed_tokens.weight.T  # tied head: (…, D) → (…, V)


def load_model(config_path: str, weights_path: str, dtype: torch.dtype = torch.float32) -> MiniQwenVL:
    """Builds the model from config.json and loads model.safetensors (strict: every name and shape must match)."""
    with open(config_path, encoding="utf-8") as f:
        cfg = Config.from_json(json.load(f), config_path)
    model = MiniQwenVL(cfg)
    tensors, _ = read_safetensors(weights_path)
    state = {k: torch.from_numpy(np.asarray(v, dtype=np.float32)) for k, v in tensors.items()}
    model.load_state_dict(state, strict=True)
    return model.to(dtype)
