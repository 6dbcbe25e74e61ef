"""KV-cache decoding for the PyTorch reference model (model.py has only the full forward).

`KvDecoder` wraps a loaded `MiniQwenVL` and reuses its modules and rotary helpers; it adds a per-layer key/value
cache with the same decode semantics as @lvr/model's `TfjsStepModel` and the ONNX `OrtStepModel`:

- prefill: one causal forward over the prompt (no padding here), M-RoPE positions given by the caller (Qwen's
  get_rope_index; `rope_index` below), `rope_delta = max(position) + 1 − L` per row;
- step: one new position per row, at `past_length + rope_delta` on all three M-RoPE axes; the input is either a
  token id (looked up in the embedding table) or an embedding vector (a latent step), and a latent step counts
  like a token;
- every call returns, for the last position of each row, the logits (B, V), the final-norm hidden state (B, D)
  and the latent (the LVR head applied to it, or the hidden state itself without a head).

The cache grows by `torch.cat` along the sequence axis, as HF transformers' DynamicCache does.

    dec = KvDecoder(load_model("m/config.json", "m/model.safetensors"))
    out, cache = dec.prefill(input_ids, position_ids)            # input_ids (B, L), position_ids (3, B, L)
    out = dec.step(cache, token_ids=torch.tensor([20, 20]))      # or embeds=(B, D)
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch

from model import MiniQwenVL, attend, causal_padding_mask, mrope, rotate_half


@dataclass
class StepOut:
    """Outputs at the last position of every row."""

    logits: torch.Tensor  # (B, V)
    hidden: torch.Tensor  # (B, D)
    latent: torch.Tensor  # (B, D)


@dataclass
class KvCache:
    """Per-layer (key, value) of shape (B, H, S, hd), the cached length S and each row's M-RoPE delta."""

    layers: list[tuple[torch.Tensor, torch.Tensor]] = field(default_factory=list)
    length: int = 0
    rope_deltas: torch.Tensor | None = None  # (B,) int64


def rope_index(input_ids: list[int], image_token_id: int, vision_start_id: int, grids: list[tuple[int, int, int]], merge: int) -> list[list[int]]:
    """Qwen2.5-VL get_rope_index for one unpadded row → [t, h, w] position lists (3 × L).

    Text tokens advance all three axes together; the image tokens that follow a `<|vision_start|>` take
    (t0 + frame, t0 + row, t0 + col) on the merged grid, and the text after them continues at max + 1.
    """
    axes: list[list[int]] = [[], [], []]
    nxt = 0
    k = 0
    images = list(grids)
    while k < len(input_ids):
        if input_ids[k] == image_token_id and k > 0 and input_ids[k - 1] == vision_start_id:
            if not images:
                raise ValueError(f"rope_index: image tokens at position {k} but no grid left")
            t, h, w = images.pop(0)
            gh, gw = h // merge, w // merge
            n = t * gh * gw
            if input_ids[k : k + n] != [image_token_id] * n:
                raise ValueError(f"rope_index: expected {n} image tokens at position {k}")
            for i in range(n):
                axes[0].append(nxt + i // (gh * gw))
                axes[1].append(nxt + (i // gw) % gh)
                axes[2].append(nxt + i % gw)
            nxt = max(max(a[k : k + n]) for a in axes) + 1
            k += n
            continue
        for a in axes:
            a.append(nxt)
        nxt += 1
        k += 1
    if images:
        raise ValueError(f"rope_index: {len(images)} grid(s) without image tokens")
    return axes


class KvDecoder:
    """Cached decoding over a loaded reference model (see the module docstring)."""

    def __init__(self, model: MiniQwenVL):
        self.model = model
        self.cfg = model.cfg

    def _layer(self, layer, x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor, past: tuple[torch.Tensor, torch.Tensor] | None, mask: torch.Tensor | None):
        """One decoder layer on x (B, S, D) with cached keys/values → (x, (k, v)) with k, v (B, H, P+S, hd)."""
        attn = layer.self_attn
        b, s, d = x.shape
        h = self.cfg.num_heads
        split = lambda t: t.view(b, s, h, d // h).transpose(1, 2)  # (B, H, S, hd)
        n = layer.input_layernorm(x)
        q, k, v = split(attn.q_proj(n)), split(attn.k_proj(n)), split(attn.v_proj(n))
        c, sn = cos.unsqueeze(1), sin.unsqueeze(1)  # (B, 1, S, hd)
        q = q * c + rotate_half(q) * sn
        k = k * c + rotate_half(k) * sn
        if past is not None:
            k = torch.cat([past[0], k], dim=2)  # (B, H, P+S, hd)
            v = torch.cat([past[1], v], dim=2)
        o = attend(q, k, v, mask).transpose(1, 2).reshape(b, s, d)  # (B, S, D)
        x = x + attn.o_proj(o)
        x = x + layer.mlp(layer.post_attention_layernorm(x))
        return x, (k, v)

    def _run(self, x: torch.Tensor, position_ids: torch.Tensor, cache: KvCache) -> StepOut:
        """Forward of x (B, S, D) at position_ids (3, B, S) after the cached prefix; extends the cache."""
        c = self.cfg
        b, s, _ = x.shape
        cos, sin = mrope(position_ids, c.head_dim, c.rope_theta, c.mrope_section)
        cos, sin = cos.to(x.dtype), sin.to(x.dtype)
        # Prefill needs the causal mask; a single new query may see every cached key (no padding here).
        mask = causal_padding_mask(torch.ones(b, s, dtype=torch.int64), x.dtype) if s > 1 else None
        present = []
        for i, layer in enumerate(self.model.model.layers):
            x, kv = self._layer(layer, x, cos, sin, cache.layers[i] if cache.layers else None, mask)
            present.append(kv)
        cache.layers = present
        cache.length += s
        hidden = self.model.model.norm(x[:, -1])  # (B, D)
        return StepOut(self.model.logits(hidden), hidden, self.model.latent_from_hidden(hidden))

    def prefill(self, input_ids: torch.Tensor, position_ids: torch.Tensor, visual: torch.Tensor | None = None) -> tuple[StepOut, KvCache]:
        """input_ids (B, L) without padding, position_ids (3, B, L), visual (Nv, D) for the image tokens."""
        if visual is None:
            visual = torch.zeros(0, self.cfg.hidden_size, dtype=self.model.model.norm.weight.dtype)
        x = self.model.embed(input_ids, visual, None)  # (B, L, D)
        cache = KvCache()
        cache.rope_deltas = position_ids.amax(dim=(0, 2)) + 1 - input_ids.shape[1]  # (B,)
        return self._run(x, position_ids, cache), cache

    def step(self, cache: KvCache, token_ids: torch.Tensor | None = None, embeds: torch.Tensor | None = None) -> StepOut:
        """One position per row: token_ids (B,) or embeds (B, D) (a latent step)."""
        if (token_ids is None) == (embeds is None):
            raise ValueError("step: pass exactly one of token_ids and embeds")
        x = self.model.model.embed_tokens(token_ids) if token_ids is not None else embeds
        x = x[:, None, :]  # (B, 1, D)
        b = x.shape[0]
        assert cache.rope_deltas is not None
        pos = (cache.length + cache.rope_deltas).reshape(1, b, 1).expand(3, b, 1)  # (3, B, 1)
        return self._run(x, pos, cache)
