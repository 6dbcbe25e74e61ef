"""A small, strict safetensors reader/writer on numpy (the `safetensors` pip package is not needed).

Format (https://huggingface.co/docs/safetensors): an 8-byte little-endian u64 header length N, N bytes of
UTF-8 JSON ``{"__metadata__": {str: str}, name: {"dtype", "shape", "data_offsets": [begin, end]}}``, then the
raw little-endian tensor bytes; offsets are relative to the end of the header and must tile the data section.
"""

from __future__ import annotations

import json
import struct

import numpy as np

MAX_HEADER = 100_000_000

# dtype -> (numpy dtype, item size). BF16 is read as uint16 and widened to float32.
_DTYPES: dict[str, tuple[str, int]] = {
    "F64": ("<f8", 8),
    "F32": ("<f4", 4),
    "F16": ("<f2", 2),
    "BF16": ("<u2", 2),
    "I64": ("<i8", 8),
    "I32": ("<i4", 4),
    "I16": ("<i2", 2),
    "I8": ("i1", 1),
    "U8": ("u1", 1),
    "BOOL": ("?", 1),
}


class SafetensorsError(ValueError):
    """A malformed safetensors file; the message names the file and, when known, the tensor."""

    def __init__(self, file: str, message: str, tensor: str | None = None):
        where = file if tensor is None else f'{file}, tensor "{tensor}"'
        super().__init__(f"{where}: {message}")
        self.file = file
        self.tensor = tensor


def decode_safetensors(data: bytes, file: str = "<bytes>") -> tuple[dict[str, np.ndarray], dict[str, str]]:
    """Parses safetensors bytes into ({name: array}, metadata). BF16 comes back as float32."""
    if len(data) < 8:
        raise SafetensorsError(file, f"file is {len(data)} bytes, too small for a safetensors header")
    (n,) = struct.unpack("<Q", data[:8])
    if n > MAX_HEADER:
        raise SafetensorsError(file, f"header size {n} exceeds the {MAX_HEADER}-byte limit")
    if 8 + n > len(data):
        raise SafetensorsError(file, f"header size {n} exceeds the file size {len(data)}")
    try:
        header = json.loads(data[8 : 8 + n].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise SafetensorsError(file, f"header is not valid UTF-8 JSON ({e})") from e
    if not isinstance(header, dict):
        raise SafetensorsError(file, "header is not a JSON object")
    metadata = header.pop("__metadata__", {}) or {}
    if not isinstance(metadata, dict) or not all(isinstance(v, str) for v in metadata.values()):
        raise SafetensorsError(file, "__metadata__ must map strings to strings")
    base = 8 + n
    data_len = len(data) - base
    spans = []
    out: dict[str, np.ndarray] = {}
    for name, info in header.items():
        if not isinstance(info, dict):
            raise SafetensorsError(file, "entry is not an object", name)
        dtype, shape, offsets = info.get("dtype"), info.get("shape"), info.get("data_offsets")
        if dtype not in _DTYPES:
            raise SafetensorsError(file, f"unknown dtype {dtype!r}", name)
        if not isinstance(shape, list) or not all(isinstance(d, int) and d >= 0 for d in shape):
            raise SafetensorsError(file, f"invalid shape {shape!r}", name)
        if (
            not isinstance(offsets, list)
            or len(offsets) != 2
            or not all(isinstance(o, int) and o >= 0 for o in offsets)
            or offsets[0] > offsets[1]
        ):
            raise SafetensorsError(file, f"invalid data_offsets {offsets!r}", name)
        np_dtype, size = _DTYPES[dtype]
        count = int(np.prod(shape, dtype=np.int64)) if shape else 1
        begin, end = offsets
        if end - begin != count * size:
            raise SafetensorsError(file, f"{dtype} shape {shape} needs {count * size} bytes, data_offsets span {end - begin}", name)
        if end > data_len:
            raise SafetensorsError(file, f"data_offsets {offsets} exceed the {data_len}-byte data section", name)
        spans.append((begin, end, name))
        arr = np.frombuffer(data, dtype=np_dtype, count=count, offset=base + begin).reshape(tuple(shape))
        if dtype == "BF16":
            arr = (arr.astype(np.uint32) << 16).view(np.float32)
        out[name] = arr.copy()  # own, writable, native-endian memory
    cursor = 0
    for begin, end, name in sorted(spans):
        if begin != cursor:
            what = f"gap before offset {begin}" if begin > cursor else f"overlaps the previous tensor at {begin}"
            raise SafetensorsError(file, what, name)
        cursor = end
    if cursor != data_len:
        raise SafetensorsError(file, f"{data_len - cursor} trailing bytes after the last tensor")
    return out, metadata


def read_safetensors(path: str) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    """Reads a safetensors file: ({name: numpy array}, metadata)."""
    with open(path, "rb") as f:
        return decode_safetensors(f.read(), path)


def encode_safetensors(tensors: dict[str, np.ndarray], metadata: dict[str, str] | None = None) -> bytes:
    """Serialises float32/float64/int32/int64 arrays (sorted by name), header padded to 8 bytes."""
    names = sorted(tensors)
    header: dict[str, object] = {}
    if metadata:
        header["__metadata__"] = dict(metadata)
    blobs = []
    offset = 0
    codes = {np.dtype("<f4"): "F32", np.dtype("<f8"): "F64", np.dtype("<i4"): "I32", np.dtype("<i8"): "I64"}
    for name in names:
        arr = np.asarray(tensors[name])  # (ascontiguousarray would turn a 0-d scalar into shape (1,))
        code = codes.get(arr.dtype.newbyteorder("<"))
        if code is None:
            raise ValueError(f'encode_safetensors: tensor "{name}" has unsupported dtype {arr.dtype}')
        raw = arr.astype(arr.dtype.newbyteorder("<"), copy=False).tobytes(order="C")
        header[name] = {"dtype": code, "shape": list(arr.shape), "data_offsets": [offset, offset + len(raw)]}
        offset += len(raw)
        blobs.append(raw)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-(8 + len(text)) % 8)
    return struct.pack("<Q", len(text)) + text + b"".join(blobs)
