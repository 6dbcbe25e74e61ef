import { LvrError } from '@lvr/core';

/**
 * The safetensors format (https://huggingface.co/docs/safetensors): an 8-byte little-endian u64 header
 * size N, N bytes of UTF-8 JSON `{"__metadata__": {str: str}, "<name>": {"dtype", "shape",
 * "data_offsets": [begin, end]}}` padded with spaces so that 8 + N is a multiple of 8, then the raw
 * little-endian tensor bytes (offsets relative to the end of the header, contiguous, no gaps).
 *
 * We write tensors sorted by name, so the same tensors always give the same bytes. F16 and BF16 are stored
 * from / decoded to `Float32Array` (round-to-nearest-even on write).
 */

/** The dtypes this module reads and writes. */
export type SafetensorsDType = 'F32' | 'F16' | 'BF16' | 'I32';

/** A tensor to encode. `dtype` defaults to F32 for `Float32Array` and I32 for `Int32Array`. */
export interface SafetensorsInput {
  dtype?: SafetensorsDType;
  shape: readonly number[];
  data: Float32Array | Int32Array;
}

/** A decoded tensor: F32/F16/BF16 come back as `Float32Array`, I32 as `Int32Array`. */
export interface SafetensorsTensor {
  dtype: SafetensorsDType;
  shape: number[];
  data: Float32Array | Int32Array;
}

/** Result of {@link decodeSafetensors}. Both records have a null prototype (names are untrusted). */
export interface DecodedSafetensors {
  tensors: Record<string, SafetensorsTensor>;
  metadata: Record<string, string>;
}

/** Largest header accepted, as in the reference implementation (100 MB). */
export const MAX_SAFETENSORS_HEADER = 100_000_000;

const ITEM_SIZE: Record<string, number> = {
  F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U64: 8, U32: 4, U16: 2, U8: 1, BOOL: 1,
  F8_E4M3: 1, F8_E5M2: 1,
};
const SUPPORTED = new Set<string>(['F32', 'F16', 'BF16', 'I32']);
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** float32 → IEEE half bits, round to nearest even; overflow → ±Inf, NaN stays NaN. */
export function float32ToFloat16Bits(value: number): number {
  f32[0] = value;
  const x = u32[0] as number;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant !== 0 ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rem > halfway || (rem === halfway && (half & 1) === 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (half & 1) === 1)) half++; // a carry into the exponent is correct
  return sign | half;
}

/** IEEE half bits → number. */
export function float16BitsToFloat32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const e = (h >>> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return sign * m * 2 ** -24;
  if (e === 0x1f) return m !== 0 ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * (1 + m / 1024) * 2 ** (e - 15);
}

function toBf16(value: number): number {
  f32[0] = value;
  const x = u32[0] as number;
  if (Number.isNaN(value)) return ((x >>> 16) & 0x8000) | 0x7fc0;
  return ((x + 0x7fff + ((x >>> 16) & 1)) >>> 16) & 0xffff;
}

function fail(file: string, message: string, tensor?: string, cause?: unknown): never {
  const where = tensor === undefined ? file : `${file}, tensor "${tensor}"`;
  throw new LvrError('CHECKPOINT', `${where}: ${message}`, { cause, details: { file, ...(tensor === undefined ? {} : { tensor }) } });
}

function numelOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/**
 * Serialises tensors (sorted by name) and optional string metadata to safetensors bytes.
 *
 * @example
 * const bytes = encodeSafetensors({ w: { shape: [2, 2], data: new Float32Array([1, 2, 3, 4]) } }, { format: 'pt' });
 * decodeSafetensors(bytes).tensors.w?.shape; // [2, 2]
 */
export function encodeSafetensors(tensors: Readonly<Record<string, SafetensorsInput>>, metadata?: Readonly<Record<string, string>>): Uint8Array {
  if (!LITTLE_ENDIAN) throw new LvrError('UNSUPPORTED', 'safetensors: big-endian hosts are not supported');
  const names = Object.keys(tensors).sort();
  const header: Record<string, unknown> = {};
  if (metadata !== undefined) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string') throw new LvrError('INVALID_ARGUMENT', `safetensors: metadata "${k}" must be a string, got ${typeof v}`);
    }
    header.__metadata__ = { ...metadata };
  }
  const parts: { dtype: SafetensorsDType; data: Float32Array | Int32Array }[] = [];
  let offset = 0;
  for (const name of names) {
    const t = tensors[name] as SafetensorsInput;
    const bad = (msg: string): never => {
      throw new LvrError('INVALID_ARGUMENT', `safetensors: tensor "${name}": ${msg}`, { details: { tensor: name } });
    };
    if (name === '' || name === '__metadata__') bad('reserved or empty name');
    if (!t.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) bad(`invalid shape [${t.shape.join(', ')}]`);
    if (numelOf(t.shape) !== t.data.length) bad(`shape [${t.shape.join(', ')}] needs ${numelOf(t.shape)} values, data has ${t.data.length}`);
    const dtype = t.dtype ?? (t.data instanceof Int32Array ? 'I32' : 'F32');
    if (!SUPPORTED.has(dtype)) bad(`unsupported dtype ${String(dtype)}`);
    if ((dtype === 'I32') !== t.data instanceof Int32Array) bad(`dtype ${dtype} does not match a ${t.data.constructor.name}`);
    const size = t.data.length * (ITEM_SIZE[dtype] as number);
    header[name] = { dtype, shape: [...t.shape], data_offsets: [offset, offset + size] };
    offset += size;
    parts.push({ dtype, data: t.data });
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil((8 + json.length) / 8) * 8 - 8;
  if (padded !== json.length) {
    const p = new Uint8Array(padded).fill(0x20);
    p.set(json);
    json = p;
  }
  const out = new Uint8Array(8 + padded + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(padded), true);
  out.set(json, 8);
  let at = 8 + padded;
  for (const { dtype, data } of parts) {
    if (dtype === 'F32' || dtype === 'I32') {
      out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), at);
      at += data.byteLength;
    } else {
      const bits = new Uint16Array(data.length);
      const conv = dtype === 'F16' ? float32ToFloat16Bits : toBf16;
      for (let i = 0; i < data.length; i++) bits[i] = conv(data[i] as number);
      out.set(new Uint8Array(bits.buffer), at);
      at += bits.byteLength;
    }
  }
  return out;
}

/**
 * Parses safetensors bytes with strict validation (header size bounds, JSON shape, dtype/shape/byte-size
 * consistency, offsets in range, contiguous and covering the whole data section). Every failure is an
 * `LvrError('CHECKPOINT')` naming `opts.file` and the tensor at fault.
 *
 * @example
 * const { tensors, metadata } = decodeSafetensors(await readFile(p), { file: p });
 */
export function decodeSafetensors(bytes: Uint8Array, opts: { file?: string } = {}): DecodedSafetensors {
  const file = opts.file ?? '<safetensors buffer>';
  if (!LITTLE_ENDIAN) throw new LvrError('UNSUPPORTED', 'safetensors: big-endian hosts are not supported');
  if (bytes.length < 8) fail(file, `file is ${bytes.length} bytes, too small for a safetensors header`);
  const n64 = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(0, true);
  if (n64 > BigInt(MAX_SAFETENSORS_HEADER)) fail(file, `header size ${n64} exceeds the ${MAX_SAFETENSORS_HEADER}-byte limit`);
  const n = Number(n64);
  if (8 + n > bytes.length) fail(file, `header size ${n} exceeds the file size ${bytes.length}`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n));
  } catch (cause) {
    fail(file, 'header is not valid UTF-8', undefined, cause);
  }
  if (!text.startsWith('{')) fail(file, 'header does not start with "{"');
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (cause) {
    fail(file, `header is not valid JSON (${(cause as Error).message})`, undefined, cause);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) fail(file, 'header is not a JSON object');
  const metadata = Object.create(null) as Record<string, string>;
  const infos: { name: string; dtype: string; shape: number[]; begin: number; end: number }[] = [];
  for (const [name, raw] of Object.entries(header)) {
    if (name === '__metadata__') {
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail(file, '__metadata__ is not an object');
      for (const [k, v] of Object.entries(raw)) {
        if (typeof v !== 'string') fail(file, `__metadata__ value "${k}" is not a string`);
        metadata[k] = v;
      }
      continue;
    }
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail(file, 'entry is not an object', name);
    const { dtype, shape, data_offsets: off } = raw as Record<string, unknown>;
    if (typeof dtype !== 'string' || !(dtype in ITEM_SIZE)) fail(file, `unknown dtype ${JSON.stringify(dtype)}`, name);
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) fail(file, `invalid shape ${JSON.stringify(shape)}`, name);
    if (!Array.isArray(off) || off.length !== 2 || !off.every((d) => Number.isSafeInteger(d) && d >= 0) || off[0] > off[1]) {
      fail(file, `invalid data_offsets ${JSON.stringify(off)}`, name);
    }
    const [begin, end] = off as [number, number];
    const expected = numelOf(shape as number[]) * (ITEM_SIZE[dtype] as number);
    if (end - begin !== expected) {
      fail(file, `${dtype} shape [${(shape as number[]).join(', ')}] needs ${expected} bytes but data_offsets span ${end - begin}`, name);
    }
    infos.push({ name, dtype, shape: shape as number[], begin, end });
  }
  const dataLen = bytes.length - 8 - n;
  infos.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  for (const t of infos) {
    if (t.end > dataLen) fail(file, `data_offsets [${t.begin}, ${t.end}] exceed the ${dataLen}-byte data section`, t.name);
    if (t.begin !== cursor) {
      fail(file, t.begin > cursor ? `gap before offset ${t.begin} (previous data ends at ${cursor})` : `overlaps the previous tensor (offset ${t.begin} < ${cursor})`, t.name);
    }
    cursor = t.end;
  }
  if (cursor !== dataLen) fail(file, `${dataLen - cursor} trailing bytes after the last tensor`);
  const tensors = Object.create(null) as Record<string, SafetensorsTensor>;
  const base = 8 + n;
  for (const t of infos) {
    if (!SUPPORTED.has(t.dtype)) fail(file, `dtype ${t.dtype} is not supported (supported: ${[...SUPPORTED].join(', ')})`, t.name);
    // a copy with its own aligned buffer (not `bytes.slice`: on a Node Buffer that is a view)
    const slice = new Uint8Array(bytes.subarray(base + t.begin, base + t.end));
    const count = numelOf(t.shape);
    let data: Float32Array | Int32Array;
    if (t.dtype === 'F32') data = new Float32Array(slice.buffer, 0, count);
    else if (t.dtype === 'I32') data = new Int32Array(slice.buffer, 0, count);
    else {
      const bits = new Uint16Array(slice.buffer, 0, count);
      data = new Float32Array(count);
      if (t.dtype === 'F16') for (let i = 0; i < count; i++) data[i] = float16BitsToFloat32(bits[i] as number);
      else new Uint32Array(data.buffer).set(Uint32Array.from(bits, (b) => b << 16));
    }
    tensors[t.name] = { dtype: t.dtype as SafetensorsDType, shape: [...t.shape], data };
  }
  return { tensors, metadata };
}
