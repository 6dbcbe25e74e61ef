#!/usr/bin/python3
"""Qwen2.5-VL image preprocessing in PIL + numpy: the reference the @lvr/data TypeScript pipeline is compared to.

Pipeline (same steps as packages/data/src/image): open with PIL, composite alpha on white, convert to RGB,
smart_resize (Python round-half-to-even), PIL bicubic resize, rescale by 1/255 in float64 -> float32, CLIP
mean/std normalisation in float32, repeat the still image to T frames, and cut into rows of C*T*P*P values
ordered (block row, block col, row in block, col in block). See README.md next to this file.
"""
import argparse
import json
import math
import statistics
import sys
import time

import numpy as np
from PIL import Image

CLIP_MEAN = (0.48145466, 0.4578275, 0.40821073)
CLIP_STD = (0.26862954, 0.26130258, 0.27577711)
MAX_RATIO = 200


def smart_resize(height, width, factor, min_pixels, max_pixels):
    """Target (height, width): multiples of factor, area within [min_pixels, max_pixels]."""
    if max(height, width) / min(height, width) > MAX_RATIO:
        raise ValueError(f"aspect ratio {max(height, width) / min(height, width)} exceeds {MAX_RATIO}")
    new_h = max(factor, round(height / factor) * factor)  # Python round: ties to even
    new_w = max(factor, round(width / factor) * factor)
    if new_h * new_w > max_pixels:
        scale = math.sqrt((height * width) / max_pixels)
        new_h = max(factor, math.floor(height / scale / factor) * factor)
        new_w = max(factor, math.floor(width / scale / factor) * factor)
    elif new_h * new_w < min_pixels:
        scale = math.sqrt(min_pixels / (height * width))
        new_h = math.ceil(height * scale / factor) * factor
        new_w = math.ceil(width * scale / factor) * factor
    return new_h, new_w


def load_rgb(path):
    """PIL open; any alpha is composited on white (qwen_vl_utils does this for RGBA), then RGB."""
    image = Image.open(path)
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)
    if has_alpha:
        rgba = image.convert("RGBA")
        canvas = Image.new("RGB", rgba.size, (255, 255, 255))
        canvas.paste(rgba, mask=rgba.getchannel("A"))
        return canvas
    return image.convert("RGB")


def to_rows(rgb_hwc, patch, merge, temporal):
    """uint8 (H, W, 3) -> float32 (rows, 3*T*P*P) exactly as Qwen2VLImageProcessor lays pixel_values out."""
    scaled = (rgb_hwc.astype(np.float64) * (1 / 255)).astype(np.float32)
    mean = np.array(CLIP_MEAN, dtype=np.float32)
    std = np.array(CLIP_STD, dtype=np.float32)
    chw = ((scaled - mean) / std).transpose(2, 0, 1)  # (C, H, W), float32 arithmetic
    frames = np.repeat(chw[np.newaxis], temporal, axis=0)  # (T, C, H, W): the still image repeated
    t, c, h, w = frames.shape
    gh, gw = h // patch, w // patch
    view = frames.reshape(1, t, c, gh // merge, merge, patch, gw // merge, merge, patch)
    # axes: 0 grid_t, 1 T, 2 C, 3 block row, 4 row in block, 5 py, 6 block col, 7 col in block, 8 px
    ordered = view.transpose(0, 3, 6, 4, 7, 2, 1, 5, 8)
    return np.ascontiguousarray(ordered).reshape(gh * gw, c * t * patch * patch), (1, gh, gw)


def run(args):
    image = load_rgb(args.image)
    width, height = image.size
    factor = args.patch_size * args.merge_size
    if args.no_resize:
        new_h, new_w = height, width
    else:
        new_h, new_w = smart_resize(height, width, factor, args.min_pixels, args.max_pixels)
    if (new_w, new_h) != (width, height):
        image = image.resize((new_w, new_h), resample=Image.BICUBIC)
    resized = np.asarray(image, dtype=np.uint8)
    rows, grid = to_rows(resized, args.patch_size, args.merge_size, args.temporal_patch_size)
    return (width, height), resized, rows, grid


def save(path, array):
    if path.endswith(".npy"):
        np.save(path, array)
    else:
        array.tofile(path)  # raw little-endian (float32 rows / uint8 RGB)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("image")
    p.add_argument("--out", help="write pixel rows (float32, rows x row_width): .npy, else raw")
    p.add_argument("--resized-out", help="write the resized RGB image (uint8, H x W x 3): .npy, else raw")
    p.add_argument("--patch-size", type=int, default=14)
    p.add_argument("--merge-size", type=int, default=2)
    p.add_argument("--temporal-patch-size", type=int, default=2)
    p.add_argument("--min-pixels", type=int, default=4 * 28 * 28)
    p.add_argument("--max-pixels", type=int, default=16384 * 28 * 28)
    p.add_argument("--no-resize", action="store_true")
    p.add_argument("--repeat", type=int, default=0, help="also time this many full runs (after the first, a warm-up)")
    args = p.parse_args(argv)

    original, resized, rows, grid = run(args)
    timings = []
    for _ in range(max(0, args.repeat)):
        start = time.perf_counter()
        run(args)
        timings.append(time.perf_counter() - start)
    if args.out:
        save(args.out, rows)
    if args.resized_out:
        save(args.resized_out, resized)
    summary = {
        "image": args.image,
        "original_wh": list(original),
        "resized_wh": [int(resized.shape[1]), int(resized.shape[0])],
        "grid_thw": list(grid),
        "num_tokens": grid[1] * grid[2] // (args.merge_size ** 2),
        "rows": int(rows.shape[0]),
        "row_width": int(rows.shape[1]),
    }
    if timings:
        summary["median_seconds"] = statistics.median(timings)
        summary["images_per_second"] = 1 / statistics.median(timings)
    json.dump(summary, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
