"""Tests of the KV-cache decoder and the benchmark helpers: /usr/bin/python3 -m unittest discover -s tools/torch-reference"""

from __future__ import annotations

import os
import sys
import unittest

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_decode import verify  # noqa: E402
from bench_train import encode_grouped  # noqa: E402
from kv_cache import KvDecoder, rope_index  # noqa: E402
from model import MiniQwenVL  # noqa: E402
from model_config import Config, VisionConfig  # noqa: E402

VISION_START, VISION_END, IMAGE, LVR = 2, 3, 1, 6


def tiny_model(seed: int = 0, lvr_head: str = "none") -> MiniQwenVL:
    """Random-init model with the demo's 8-px patches and 2×2 merge (16 tokens per 8×8-patch image)."""
    torch.manual_seed(seed)
    v = VisionConfig(patch_size=8, temporal_patch_size=2, spatial_merge_size=2, in_chans=3, hidden_size=16, depth=1, num_heads=2, intermediate_size=24)
    c = Config(hidden_size=16, num_layers=2, num_heads=2, intermediate_size=24, vocab_size=40, rms_norm_eps=1e-6, rope_theta=10000.0, mrope_section=(1, 1, 2), attention_bias=True, vision=v, image_token_id=IMAGE, lvr_id=LVR, lvr_start_id=5, lvr_latent_end_id=7, lvr_end_id=8, lvr_head=lvr_head, lvr_latent_end_embedding=False)
    m = MiniQwenVL(c)
    with torch.no_grad():  # move norms and biases off their init so that every parameter matters
        for p in m.parameters():
            p.add_(0.1 * torch.randn_like(p))
    return m.eval()


class RopeIndexTest(unittest.TestCase):
    def test_text_then_image_then_text(self):
        # 2 text, vision_start, 2×2 merged grid (from a 4×4 patch grid), vision_end, 2 text
        row = [20, 21, VISION_START, IMAGE, IMAGE, IMAGE, IMAGE, VISION_END, 22, 23]
        t, h, w = rope_index(row, IMAGE, VISION_START, [(1, 4, 4)], 2)
        self.assertEqual(t, [0, 1, 2, 3, 3, 3, 3, 5, 6, 7])
        self.assertEqual(h, [0, 1, 2, 3, 3, 4, 4, 5, 6, 7])
        self.assertEqual(w, [0, 1, 2, 3, 4, 3, 4, 5, 6, 7])

    def test_text_only_is_arange_and_bad_grids_fail(self):
        self.assertEqual(rope_index([9, 9, 9], IMAGE, VISION_START, [], 2), [[0, 1, 2]] * 3)
        with self.assertRaises(ValueError):
            rope_index([VISION_START, IMAGE, VISION_END], IMAGE, VISION_START, [(1, 4, 4)], 2)  # 1 token for a 4-token grid
        with self.assertRaises(ValueError):
            rope_index([9], IMAGE, VISION_START, [(1, 4, 4)], 2)  # grid without tokens


class KvDecoderTest(unittest.TestCase):
    def test_cached_steps_match_the_full_forward(self):
        pool = torch.arange(10, 40)
        for head in ("none", "simple"):
            diff = verify(tiny_model(1, head), VISION_START, VISION_END, pool)
            self.assertLess(diff, 1e-5, head)

    def test_a_wrong_decode_position_is_caught(self):
        model = tiny_model(2)
        original = KvDecoder.step

        def shifted(self, cache, token_ids=None, embeds=None):
            cache.rope_deltas = cache.rope_deltas + 1  # positions off by one from the second step on
            return original(self, cache, token_ids, embeds)

        KvDecoder.step = shifted
        try:
            diff = verify(model, VISION_START, VISION_END, torch.arange(10, 40))
        finally:
            KvDecoder.step = original
        self.assertGreater(diff, 1e-3)

    def test_step_needs_exactly_one_input(self):
        dec = KvDecoder(tiny_model(3))
        ids = torch.tensor([[11, 12, 13]])
        _, cache = dec.prefill(ids, torch.arange(3)[None, None].expand(3, 1, 3))
        with self.assertRaises(ValueError):
            dec.step(cache)
        out = dec.step(cache, token_ids=torch.tensor([14]))
        self.assertEqual(tuple(out.logits.shape), (1, 40))
        self.assertEqual(cache.length, 4)


class GroupedVitTest(unittest.TestCase):
    def test_grouped_equals_per_image(self):
        model = tiny_model(4)
        row_width = model.cfg.vision.row_width
        images = [(torch.randn(g[0] * g[1] * g[2], row_width), g) for g in [(1, 8, 8), (1, 4, 8), (1, 8, 8)]]
        with torch.no_grad():
            got = encode_grouped(model, images)
            want = model.encode_images(images)
        self.assertEqual(tuple(got.shape), (16 + 8 + 16, 16))
        self.assertLess(float((got - want).abs().max()), 1e-5)


if __name__ == "__main__":
    unittest.main()
