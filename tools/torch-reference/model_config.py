"""The model config, parsed from the HF-style config.json written by @lvr/model's `configToJson`."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class VisionConfig:
    patch_size: int
    temporal_patch_size: int
    spatial_merge_size: int
    in_chans: int
    hidden_size: int
    depth: int
    num_heads: int
    intermediate_size: int

    @property
    def row_width(self) -> int:
        """Width of one flattened patch row, C·T·P·P."""
        return self.in_chans * self.temporal_patch_size * self.patch_size**2


@dataclass(frozen=True)
class Config:
    hidden_size: int
    num_layers: int
    num_heads: int
    intermediate_size: int
    vocab_size: int
    rms_norm_eps: float
    rope_theta: float
    mrope_section: tuple[int, int, int]
    attention_bias: bool
    vision: VisionConfig
    image_token_id: int
    lvr_id: int
    lvr_start_id: int
    lvr_latent_end_id: int
    lvr_end_id: int
    lvr_head: str
    lvr_latent_end_embedding: bool

    @property
    def head_dim(self) -> int:
        return self.hidden_size // self.num_heads

    @staticmethod
    def from_json(j: dict, file: str = "config.json") -> "Config":
        """Parses the HF-style config.json written by @lvr/model's `configToJson`."""

        def need(d: dict, k: str):
            if k not in d:
                raise ValueError(f'{file}: missing field "{k}"')
            return d[k]

        if need(j, "model_type") != "lvr-mini-qwen2.5-vl":
            raise ValueError(f"{file}: model_type {j['model_type']!r} is not lvr-mini-qwen2.5-vl")
        if j.get("num_key_value_heads", j["num_attention_heads"]) != j["num_attention_heads"]:
            raise ValueError(f"{file}: grouped-query attention is not part of this model")
        if j.get("tie_word_embeddings") is not True or j.get("hidden_act", "silu") != "silu":
            raise ValueError(f"{file}: expected tie_word_embeddings = true and hidden_act = silu")
        vc = need(j, "vision_config")
        vision = VisionConfig(
            *(int(need(vc, k)) for k in ("patch_size", "temporal_patch_size", "spatial_merge_size", "in_chans", "hidden_size", "depth", "num_heads", "intermediate_size"))
        )
        if vc.get("out_hidden_size", j["hidden_size"]) != j["hidden_size"]:
            raise ValueError(f"{file}: vision_config.out_hidden_size must equal hidden_size")
        sec = need(need(j, "rope_scaling"), "mrope_section")
        c = Config(
            hidden_size=int(need(j, "hidden_size")),
            num_layers=int(need(j, "num_hidden_layers")),
            num_heads=int(need(j, "num_attention_heads")),
            intermediate_size=int(need(j, "intermediate_size")),
            vocab_size=int(need(j, "vocab_size")),
            rms_norm_eps=float(need(j, "rms_norm_eps")),
            rope_theta=float(need(j, "rope_theta")),
            mrope_section=tuple(int(s) for s in sec),
            attention_bias=bool(j.get("attention_bias", True)),
            vision=vision,
            image_token_id=int(need(j, "image_token_id")),
            lvr_id=int(need(j, "lvr_id")),
            lvr_start_id=int(need(j, "lvr_start_id")),
            lvr_latent_end_id=int(need(j, "lvr_latent_end_id")),
            lvr_end_id=int(need(j, "lvr_end_id")),
            lvr_head=str(j.get("lvr_head", "none")),
            lvr_latent_end_embedding=bool(j.get("lvr_latent_end_embedding", False)),
        )
        if sum(c.mrope_section) * 2 != c.head_dim:
            raise ValueError(f"{file}: mrope_section {c.mrope_section} must sum to head_dim/2 = {c.head_dim // 2}")
        if c.lvr_head not in ("none", "simple", "glu"):
            raise ValueError(f"{file}: lvr_head must be none | simple | glu, got {c.lvr_head!r}")
        return c
