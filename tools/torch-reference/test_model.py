"""Unit tests of the oracle's own pieces: /usr/bin/python3 -m unittest discover -s tools/torch-reference"""

from __future__ import annotations

import json
import math
import os
import struct
import sys
import unittest

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from model import MASK_VALUE, causal_padding_mask, mrope, rotate_half, vision_rotary  # noqa: E402
from safetensors_np import SafetensorsError, decode_safetensors, encode_safetensors  # noqa: E402


def raw(header: dict, data: bytes = b"") -> bytes:
    text = json.dumps(header).encode()
    return struct.pack("<Q", len(text)) + text + data


class SafetensorsTest(unittest.TestCase):
    def test_round_trip_keeps_values_shapes_and_metadata(self):
        a = np.arange(6, dtype=np.float32).reshape(2, 3) / 7
        b = np.array([-1, 5], dtype=np.int32)
        s = np.array(2.5, dtype=np.float32)  # 0-d scalar
        out, meta = decode_safetensors(encode_safetensors({"b": b, "a": a, "s": s}, {"format": "pt"}))
        np.testing.assert_array_equal(out["a"], a)
        np.testing.assert_array_equal(out["b"], b)
        self.assertEqual(out["s"].shape, ())
        self.assertEqual(float(out["s"]), 2.5)
        self.assertEqual(meta, {"format": "pt"})

    def test_bf16_is_widened(self):
        bits = np.array([0x3F80, 0xC000], dtype="<u2").tobytes()  # 1.0, -2.0
        out, _ = decode_safetensors(raw({"x": {"dtype": "BF16", "shape": [2], "data_offsets": [0, 4]}}, bits))
        np.testing.assert_array_equal(out["x"], np.array([1.0, -2.0], dtype=np.float32))

    def test_rejects_malformed_files_naming_the_tensor(self):
        cases = [
            (b"\x01\x02", "too small"),
            (struct.pack("<Q", 999) + b"{}", "exceeds the file size"),
            (raw({"x": {"dtype": "F32", "shape": [2], "data_offsets": [0, 4]}}, b"\0" * 4), 'tensor "x"'),
            (raw({"x": {"dtype": "Q9", "shape": [1], "data_offsets": [0, 4]}}, b"\0" * 4), "unknown dtype"),
            (raw({"x": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}}, b"\0" * 8), "gap"),
            (raw({"x": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}, b"\0" * 8), "trailing"),
        ]
        for data, needle in cases:
            with self.assertRaises(SafetensorsError) as ctx:
                decode_safetensors(data, "f.safetensors")
            self.assertIn(needle, str(ctx.exception))
            self.assertIn("f.safetensors", str(ctx.exception))


class RotaryTest(unittest.TestCase):
    def test_vision_rotary_rows_then_columns_in_merge_block_order(self):
        head_dim, theta = 8, 10000.0
        cos, sin = vision_rotary((1, 2, 4), 2, head_dim, theta)
        # merge-block order of a 2×4 grid: block (0,0) = (0,0),(0,1),(1,0),(1,1); block (0,1) = (0,2),(0,3),(1,2),(1,3)
        order = [(0, 0), (0, 1), (1, 0), (1, 1), (0, 2), (0, 3), (1, 2), (1, 3)]
        inv = [1 / theta ** (2 * i / (head_dim // 2)) for i in range(head_dim // 4)]
        for k, (r, c) in enumerate(order):
            angles = [r * f for f in inv] + [c * f for f in inv]
            want = angles + angles
            np.testing.assert_allclose(cos[k].numpy(), np.cos(want), atol=1e-12)
            np.testing.assert_allclose(sin[k].numpy(), np.sin(want), atol=1e-12)

    def test_mrope_with_equal_axes_is_plain_rope_and_sections_pick_axes(self):
        head_dim, theta = 8, 10000.0
        pos = torch.arange(5).reshape(1, 5).expand(3, 1, 5)
        cos, _ = mrope(pos, head_dim, theta, (1, 1, 2))
        inv = torch.tensor([1 / theta ** (2 * i / head_dim) for i in range(head_dim // 2)], dtype=torch.float64)
        plain = torch.cat([torch.outer(torch.arange(5.0, dtype=torch.float64), inv)] * 2, -1).cos()
        torch.testing.assert_close(cos[0], plain)
        # distinct axes: frequency 0 follows t, 1 follows h, 2 and 3 follow w
        pos = torch.tensor([[[2]], [[3]], [[5]]])
        cos, _ = mrope(pos, head_dim, theta, (1, 1, 2))
        want = [math.cos(p * float(inv[i])) for i, p in enumerate([2, 3, 5, 5])]
        np.testing.assert_allclose(cos[0, 0].numpy(), want + want, atol=1e-12)

    def test_rotate_half(self):
        x = torch.tensor([1.0, 2.0, 3.0, 4.0])
        self.assertEqual(rotate_half(x).tolist(), [-3.0, -4.0, 1.0, 2.0])


class MaskTest(unittest.TestCase):
    def test_causal_and_key_padding(self):
        m = causal_padding_mask(torch.tensor([[0, 1, 1]]), torch.float64)[0, 0]
        allowed = (m == 0).int().tolist()
        self.assertEqual(allowed, [[0, 0, 0], [0, 1, 0], [0, 1, 1]])
        self.assertEqual(float(m[1, 0]), MASK_VALUE)
        allowed = torch.tensor([[[1, 1, 1], [1, 1, 1], [1, 0, 1]]])
        m = causal_padding_mask(torch.tensor([[1, 1, 1]]), torch.float64, allowed)[0, 0]
        self.assertEqual((m == 0).int().tolist(), [[1, 0, 0], [1, 1, 0], [1, 0, 1]])


if __name__ == "__main__":
    unittest.main()
