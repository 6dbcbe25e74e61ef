import { describe, expect, it } from 'vitest';
import { isLvrError } from '@lvr/core';
import {
  decodeSafetensors,
  encodeSafetensors,
  float16BitsToFloat32,
  float32ToFloat16Bits,
  MAX_SAFETENSORS_HEADER,
} from './safetensors.js';

/** Builds a safetensors file from a raw header string and data bytes (for corruption tests). */
function raw(header: string | Uint8Array, data: Uint8Array = new Uint8Array(0), declared?: bigint): Uint8Array {
  const h = typeof header === 'string' ? new TextEncoder().encode(header) : header;
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setBigUint64(0, declared ?? BigInt(h.length), true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}

function expectCheckpointError(fn: () => unknown, pattern: RegExp): void {
  try {
    fn();
  } catch (e) {
    expect(isLvrError(e) && e.code === 'CHECKPOINT', String(e)).toBe(true);
    expect((e as Error).message).toMatch(pattern);
    return;
  }
  expect.unreachable('expected an LvrError');
}

describe('encodeSafetensors / decodeSafetensors', () => {
  it('writes the exact byte layout of the format', () => {
    const bytes = encodeSafetensors({ a: { shape: [1], data: new Float32Array([1]) } });
    const json = '{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}'; // 54 bytes → padded to 56
    expect(json.length).toBe(54);
    expect(new DataView(bytes.buffer).getBigUint64(0, true)).toBe(56n);
    expect(new TextDecoder().decode(bytes.subarray(8, 64))).toBe(`${json}  `);
    expect([...bytes.subarray(64)]).toEqual([0x00, 0x00, 0x80, 0x3f]); // 1.0f little-endian
    expect(bytes.length).toBe(68);
  });

  it('round-trips every dtype, scalars, empty tensors and metadata, sorted by name', () => {
    const input = {
      'z.weight': { shape: [2, 3], data: new Float32Array([0.5, -1.25, 3, 1e-7, -0, 65504]) },
      'a.ids': { shape: [4], data: new Int32Array([0, -1, 2147483647, -2147483648]) },
      'm.half': { dtype: 'F16' as const, shape: [3], data: new Float32Array([1, -2, 0.5]) },
      'm.bf': { dtype: 'BF16' as const, shape: [2], data: new Float32Array([1, -3.5]) },
      scalar: { shape: [], data: new Float32Array([7]) },
      empty: { shape: [0, 5], data: new Float32Array(0) },
    };
    const bytes = encodeSafetensors(input, { format: 'pt', note: 'hé' });
    expect((8 + Number(new DataView(bytes.buffer).getBigUint64(0, true))) % 8).toBe(0);
    const { tensors, metadata } = decodeSafetensors(bytes);
    expect({ ...metadata }).toEqual({ format: 'pt', note: 'hé' });
    expect(Object.keys(tensors).sort()).toEqual(Object.keys(input).sort());
    for (const [name, t] of Object.entries(input)) {
      const got = tensors[name];
      expect(got?.shape, name).toEqual(t.shape);
      expect(got?.dtype, name).toBe('dtype' in t ? t.dtype : t.data instanceof Int32Array ? 'I32' : 'F32');
      expect(Array.from(got?.data ?? []), name).toEqual(Array.from(t.data));
      expect(got?.data.constructor).toBe(t.data.constructor);
    }
    // data section follows the sorted names
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + Number(new DataView(bytes.buffer).getBigUint64(0, true)))));
    const order = Object.entries(header)
      .filter(([k]) => k !== '__metadata__')
      .sort((x, y) => (x[1] as { data_offsets: number[] }).data_offsets[0]! - (y[1] as { data_offsets: number[] }).data_offsets[0]! || 0)
      .map(([k]) => k);
    expect(order.filter((k) => k !== 'empty')).toEqual(['a.ids', 'm.bf', 'm.half', 'scalar', 'z.weight']);
  });

  it('is deterministic regardless of insertion order', () => {
    const a = { shape: [2], data: new Float32Array([1, 2]) };
    const b = { shape: [1], data: new Int32Array([3]) };
    expect(encodeSafetensors({ a, b })).toEqual(encodeSafetensors({ b, a }));
  });

  it('decodes subarrays with an unaligned byteOffset', () => {
    const bytes = encodeSafetensors({ w: { shape: [3], data: new Float32Array([1, 2, 3]) } });
    const shifted = new Uint8Array(bytes.length + 3);
    shifted.set(bytes, 3);
    expect(Array.from(decodeSafetensors(shifted.subarray(3)).tensors.w?.data ?? [])).toEqual([1, 2, 3]);
  });

  it('decodes a Node Buffer (whose slice() is a view, not a copy)', () => {
    const bytes = encodeSafetensors({ a: { shape: [1], data: new Int32Array([9]) }, w: { shape: [2], data: new Float32Array([1, 2]) } });
    const pooled = Buffer.concat([Buffer.from([1, 2, 3]), Buffer.from(bytes)]).subarray(3);
    const { tensors } = decodeSafetensors(pooled);
    expect(Array.from(tensors.w?.data ?? [])).toEqual([1, 2]);
    expect(Array.from(tensors.a?.data ?? [])).toEqual([9]);
  });

  it('rejects bad input on write with the tensor named', () => {
    expect(() => encodeSafetensors({ w: { shape: [2, 2], data: new Float32Array(3) } })).toThrow(/"w".*needs 4 values/);
    expect(() => encodeSafetensors({ w: { dtype: 'I32', shape: [1], data: new Float32Array(1) } })).toThrow(/"w".*does not match/);
    expect(() => encodeSafetensors({ __metadata__: { shape: [0], data: new Float32Array(0) } })).toThrow(/reserved/);
  });

  const file = '/ckpt/model.safetensors';
  const entry = (o: object): string => JSON.stringify({ w: { dtype: 'F32', shape: [2], data_offsets: [0, 8], ...o } });

  it.each([
    ['a truncated file', new Uint8Array(5), /model\.safetensors: file is 5 bytes/],
    ['a header larger than the limit', raw('{}', undefined, BigInt(MAX_SAFETENSORS_HEADER) + 1n), /exceeds the 100000000-byte limit/],
    ['a header past the end of the file', raw('{}', undefined, 4000n), /header size 4000 exceeds the file size/],
    ['a header not starting with {', raw(' []'), /does not start with/],
    ['invalid JSON', raw('{"w": '), /not valid JSON/],
    ['invalid UTF-8', raw(new Uint8Array([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d])), /header is not valid UTF-8/],
    ['an unknown dtype', raw(entry({ dtype: 'F33' }), new Uint8Array(8)), /tensor "w": unknown dtype "F33"/],
    ['a negative shape', raw(entry({ shape: [-2] }), new Uint8Array(8)), /tensor "w": invalid shape/],
    ['reversed offsets', raw(entry({ data_offsets: [8, 0] }), new Uint8Array(8)), /tensor "w": invalid data_offsets/],
    ['shape / byte-size mismatch', raw(entry({ shape: [3] }), new Uint8Array(8)), /tensor "w": F32 shape \[3\] needs 12 bytes but data_offsets span 8/],
    ['offsets beyond the data', raw(entry({ data_offsets: [4, 12] }), new Uint8Array(8)), /tensor "w": data_offsets \[4, 12\] exceed/],
    ['a gap', raw(entry({ data_offsets: [4, 12] }), new Uint8Array(12)), /tensor "w": gap before offset 4/],
    ['trailing bytes', raw(entry({}), new Uint8Array(12)), /4 trailing bytes/],
    ['a non-string metadata value', raw('{"__metadata__":{"step":3}}'), /__metadata__ value "step" is not a string/],
    ['an unsupported dtype', raw(JSON.stringify({ d: { dtype: 'F64', shape: [1], data_offsets: [0, 8] } }), new Uint8Array(8)), /tensor "d": dtype F64 is not supported/],
  ])('rejects %s with LvrError CHECKPOINT naming the file', (_label, bytes, pattern) => {
    expectCheckpointError(() => decodeSafetensors(bytes, { file }), pattern);
    expectCheckpointError(() => decodeSafetensors(bytes, { file }), /\/ckpt\/model\.safetensors/);
  });

  it('rejects overlapping tensors', () => {
    const h = JSON.stringify({
      a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
      b: { dtype: 'F32', shape: [1], data_offsets: [4, 8] },
    });
    expectCheckpointError(() => decodeSafetensors(raw(h, new Uint8Array(8)), { file }), /tensor "b": overlaps the previous tensor/);
  });

  it('does not let tensor names touch the prototype', () => {
    const h = JSON.stringify({ ['__proto__']: { dtype: 'I32', shape: [1], data_offsets: [0, 4] } });
    const { tensors } = decodeSafetensors(raw(h, new Uint8Array(4)));
    expect(Object.keys(tensors)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(tensors)).toBeNull();
  });
});

describe('half-precision conversion', () => {
  it('matches known IEEE binary16 encodings', () => {
    const cases: [number, number][] = [
      [1, 0x3c00], [-2, 0xc000], [0.5, 0x3800], [65504, 0x7bff], [65520, 0x7c00], [1e6, 0x7c00],
      [2 ** -24, 0x0001], [2 ** -25, 0x0000], [3 * 2 ** -26, 0x0001], [2 ** -14, 0x0400], [0.1, 0x2e66],
      [1 + 2 ** -11, 0x3c00] /* tie → even */, [1 + 3 * 2 ** -11, 0x3c02] /* tie → even (up) */,
      [Number.POSITIVE_INFINITY, 0x7c00], [Number.NEGATIVE_INFINITY, 0xfc00], [-0, 0x8000],
    ];
    for (const [v, bits] of cases) expect(float32ToFloat16Bits(v), `${v}`).toBe(bits);
    expect(Number.isNaN(float16BitsToFloat32(float32ToFloat16Bits(Number.NaN)))).toBe(true);
  });

  it('round-trips every finite half value exactly', () => {
    const wrong: number[] = [];
    for (let h = 0; h < 0x10000; h++) {
      if ((h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0) continue; // NaN payloads
      if (float32ToFloat16Bits(float16BitsToFloat32(h)) !== h) wrong.push(h);
    }
    expect(wrong).toEqual([]);
  });

  it('stores BF16 by rounding to nearest even', () => {
    const bytes = encodeSafetensors({ b: { dtype: 'BF16', shape: [3], data: new Float32Array([1 + 2 ** -8, 1 + 3 * 2 ** -8, 1 + 2 ** -7]) } });
    expect(Array.from(decodeSafetensors(bytes).tensors.b?.data ?? [])).toEqual([1, 1 + 2 ** -6, 1 + 2 ** -7]);
  });
});
