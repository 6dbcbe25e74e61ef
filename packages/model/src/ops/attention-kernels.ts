import * as tf from '@tensorflow/tfjs';
import { LvrError } from '@lvr/core';

/**
 * The kernels behind `attentionCore` (attention-core.ts): shape checks, the mask read-back, and the forward /
 * backward passes in JS loops (`js`) or as per-head rank-2 XNNPACK matMuls (`matmul`). See attention-core.ts for
 * the semantics and the cost model that picks between them.
 */

/** Sizes of one call: BH heads of L queries over S keys, key width dk, value width dv, H = BH / mask batch. */
export interface Dims { bh: number; l: number; s: number; dk: number; dv: number; headsPerMask: number }

export function checkDims(q3: tf.Tensor, k3: tf.Tensor, v3: tf.Tensor, mask: tf.Tensor, scale: number): Dims {
  const bad = (msg: string): LvrError => new LvrError('SHAPE_MISMATCH', `attentionCore: ${msg} (q ${JSON.stringify(q3.shape)}, k ${JSON.stringify(k3.shape)}, v ${JSON.stringify(v3.shape)}, mask ${JSON.stringify(mask.shape)})`);
  if (q3.rank !== 3 || k3.rank !== 3 || v3.rank !== 3) throw bad('q, k and v must be rank 3 (B·H, length, width)');
  if (mask.rank !== 4) throw bad('mask must be rank 4 (B, 1, L, S)');
  const [bh, l, dk] = q3.shape as [number, number, number];
  const [bk, s, dk2] = k3.shape as [number, number, number];
  const [bv, s2, dv] = v3.shape as [number, number, number];
  const [mb, m1, ml, ms] = mask.shape as [number, number, number, number];
  if (bk !== bh || bv !== bh) throw bad('q, k and v must have the same number of heads B·H');
  if (dk2 !== dk) throw bad('q and k must have the same width');
  if (s2 !== s) throw bad('k and v must have the same length');
  if (m1 !== 1 || ml !== l || ms !== s) throw bad('mask must be (B, 1, L, S)');
  if (mb < 1 || bh % mb !== 0) throw bad('the mask batch must divide B·H');
  if (bh * l * s * dk * dv === 0) throw bad('every dimension must be ≥ 1');
  const notF32 = [q3, k3, v3, mask].findIndex((t) => t.dtype !== 'float32');
  if (notF32 >= 0) throw new LvrError('INVALID_ARGUMENT', `attentionCore: ${['q', 'k', 'v', 'mask'][notF32]} must be float32`);
  if (!Number.isFinite(scale)) throw new LvrError('INVALID_ARGUMENT', `attentionCore: scale must be finite, got ${scale}`);
  return { bh, l, s, dk, dv, headsPerMask: bh / mb };
}

/** JS copies of the operands, the weights P (B·H, L, S) and each P row's key range [lo, hi) (0 outside). */
export interface Saved { q: Float32Array; k: Float32Array; v: Float32Array; p: Float32Array; rows: Int32Array }

/** A mask read back once per tensor (every layer of a forward shares one): values and its visible share. */
export interface MaskInfo { data: Float32Array; visible: number }

const maskCache = new WeakMap<tf.Tensor, MaskInfo>();

/** Reads and checks the mask; `visible` = share of entries within 1e3 of their row's maximum (for the cost model). */
export function maskInfo(mask: tf.Tensor, l: number, s: number): MaskInfo {
  const cached = maskCache.get(mask);
  if (cached) return cached;
  const data = mask.dataSync() as Float32Array;
  let visible = 0;
  for (let r = 0; r < data.length / s; r++) {
    let max = -Infinity;
    for (let j = 0; j < s; j++) {
      const x = data[r * s + j] as number;
      if (Number.isNaN(x) || x === Infinity) throw new LvrError('INVALID_ARGUMENT', `attentionCore: mask value ${x} at (batch ${Math.floor(r / l)}, query ${r % l}, key ${j}); use 0 (attend) or a large negative finite value`);
      if (x > max) max = x;
    }
    if (max === -Infinity) throw new LvrError('NUMERIC', `attentionCore: mask row (batch ${Math.floor(r / l)}, query ${r % l}) blocks every key with −Infinity (softmax would be NaN); use a finite value such as −1e9`);
    for (let j = 0; j < s; j++) if ((data[r * s + j] as number) >= max - 1e3) visible++;
  }
  const info = { data, visible: visible / data.length };
  maskCache.set(mask, info);
  return info;
}

/** Block (rows, cols) at `off` of `src`, transposed → (cols, rows) into `out`. */
function transposeBlock(src: Float32Array, off: number, rows: number, cols: number, out: Float32Array): Float32Array {
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = src[off + r * cols + c] as number;
  return out;
}

/** Largest row norm of a row-major matrix with `cols` columns. */
function maxRowNorm(a: Float32Array, cols: number): number {
  let best = 0;
  for (let r = 0; r < a.length; r += cols) {
    let n = 0;
    for (let c = r; c < r + cols; c++) n += (a[c] as number) * (a[c] as number);
    best = Math.max(best, n);
  }
  return Math.sqrt(best);
}

/**
 * C[i, j] = Σₜ A[i, t]·B[j, t] for row-major A (m, k) at aOff, B (n, k) at bOff, C (m, n) at cOff, in 2×4
 * register blocks (≈ 2 GMAC/s in V8, 3–4× a plain dot loop). Optional per-row ranges [lo, hi) (pairs in
 * an Int32Array at row `rOff + i`): `cols` limits the computed columns (others are not written; a row pair
 * computes the union), `red` the reduction index t (A must be zero outside it).
 */
function gemmNT(a: Float32Array, aOff: number, b: Float32Array, bOff: number, c: Float32Array, cOff: number, m: number, n: number, k: number, cols: Int32Array | null, red: Int32Array | null, rOff: number): void {
  for (let i = 0; i < m; i += 2) {
    const two = i + 1 < m;
    const i1 = two ? i + 1 : i;
    const r0 = 2 * (rOff + i), r1 = 2 * (rOff + i1);
    const jLo = cols ? Math.min(cols[r0] as number, cols[r1] as number) : 0;
    const jHi = cols ? Math.max(cols[r0 + 1] as number, cols[r1 + 1] as number) : n;
    const tLo = red ? Math.min(red[r0] as number, red[r1] as number) : 0;
    const tHi = red ? Math.max(red[r0 + 1] as number, red[r1 + 1] as number) : k;
    const a0 = aOff + i * k, a1 = aOff + i1 * k, c0 = cOff + i * n, c1 = cOff + i1 * n;
    let j = jLo;
    for (; j + 4 <= jHi; j += 4) {
      const b0 = bOff + j * k, b1 = b0 + k, b2 = b1 + k, b3 = b2 + k;
      let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
      for (let t = tLo; t < tHi; t++) {
        const x0 = a[a0 + t] as number, x1 = a[a1 + t] as number;
        const y0 = b[b0 + t] as number, y1 = b[b1 + t] as number, y2 = b[b2 + t] as number, y3 = b[b3 + t] as number;
        s00 += x0 * y0; s01 += x0 * y1; s02 += x0 * y2; s03 += x0 * y3;
        s10 += x1 * y0; s11 += x1 * y1; s12 += x1 * y2; s13 += x1 * y3;
      }
      c[c0 + j] = s00; c[c0 + j + 1] = s01; c[c0 + j + 2] = s02; c[c0 + j + 3] = s03;
      if (two) { c[c1 + j] = s10; c[c1 + j + 1] = s11; c[c1 + j + 2] = s12; c[c1 + j + 3] = s13; }
    }
    for (; j < jHi; j++) {
      const b0 = bOff + j * k;
      let s0 = 0, s1 = 0;
      for (let t = tLo; t < tHi; t++) { const y = b[b0 + t] as number; s0 += (a[a0 + t] as number) * y; s1 += (a[a1 + t] as number) * y; }
      c[c0 + j] = s0;
      if (two) c[c1 + j] = s1;
    }
  }
}

/**
 * Keys that can get a non-zero weight, per mask row → [lo, hi) pairs (B·L rows). |scale·q·k| ≤ bound for
 * every head, so a key whose mask lies more than 2·bound + 200 below its row's best mask value ends ≥ 104
 * below the row maximum, where float32 exp underflows to 0: its weight is exactly 0 in the reference too.
 */
function reachRanges(d: Dims, sv: Saved, m: Float32Array, scale: number): Int32Array {
  const { s } = d;
  const bound = 1.001 * Math.abs(scale) * maxRowNorm(sv.q, d.dk) * maxRowNorm(sv.k, d.dk);
  const rows = m.length / s;
  const reach = new Int32Array(2 * rows);
  for (let r = 0; r < rows; r++) {
    const off = r * s;
    let mMax = -Infinity;
    for (let j = 0; j < s; j++) if ((m[off + j] as number) > mMax) mMax = m[off + j] as number;
    const cut = mMax - 2 * bound - 200 - 2.5e-7 * Math.abs(mMax);
    let lo = 0, hi = s;
    while (lo < s && (m[off + lo] as number) < cut) lo++;
    while (hi > lo && (m[off + hi - 1] as number) < cut) hi--;
    reach.set([lo, hi], 2 * r);
  }
  return reach;
}

/**
 * P rows of head `h` = softmax(fl(fl(scores)·scale) + mask) over each row's reach (0 elsewhere; reach at
 * `reach[2·(rOff + i)]`), rounded like the float32 reference; records the reach as the row's key range.
 */
function softmaxRows(h: number, d: Dims, sv: Saved, m: Float32Array, scale: number, scores: Float32Array, reach: Int32Array, row: Float64Array): void {
  const { l, s } = d;
  const p = sv.p;
  const mRow0 = Math.floor(h / d.headsPerMask) * l;
  for (let i = 0; i < l; i++) {
    const lo = reach[2 * (mRow0 + i)] as number, hi = reach[2 * (mRow0 + i) + 1] as number, mOff = (mRow0 + i) * s;
    let max = -Infinity;
    for (let j = lo; j < hi; j++) {
      const t = Math.fround(Math.fround((scores[i * s + j] as number) * scale) + (m[mOff + j] as number));
      row[j] = t;
      if (t > max) max = t;
    }
    let sum = 0;
    for (let j = lo; j < hi; j++) {
      const x = (row[j] as number) - max;
      const e = x < -104 ? 0 : Math.exp(x); // float32 exp underflows to 0 below ≈ −103.97
      row[j] = e;
      sum += e;
    }
    const inv = 1 / sum, pOff = (h * l + i) * s;
    for (let j = lo; j < hi; j++) p[pOff + j] = (row[j] as number) * inv;
    sv.rows[2 * (h * l + i)] = lo;
    sv.rows[2 * (h * l + i) + 1] = hi;
  }
}

/** Forward in JS: scores over each row's reach, softmax, O = P·V over the same range. */
export function forwardJs(d: Dims, sv: Saved, m: Float32Array, scale: number): Float32Array {
  const { bh, l, s, dk, dv } = d;
  const out = new Float32Array(bh * l * dv);
  const scores = new Float32Array(l * s), row = new Float64Array(s), vT = new Float32Array(dv * s);
  const reach = reachRanges(d, sv, m, scale);
  for (let h = 0; h < bh; h++) {
    const mRow0 = Math.floor(h / d.headsPerMask) * l;
    gemmNT(sv.q, h * l * dk, sv.k, h * s * dk, scores, 0, l, s, dk, reach, null, mRow0); // Q·Kᵀ (L, S)
    softmaxRows(h, d, sv, m, scale, scores, reach, row);
    gemmNT(sv.p, h * l * s, transposeBlock(sv.v, h * s * dv, s, dv, vT), 0, out, h * l * dv, l, dv, s, null, sv.rows, h * l); // P·V (L, dv)
  }
  return out;
}

/**
 * dS = scale·P ⊙ (dP − rowsum(dP ⊙ P)) for head `h` from its dP (L, S), over each row's key range (0
 * elsewhere); `cols` gets each key's range of queries with a non-zero weight.
 */
function scoreGrad(h: number, d: Dims, sv: Saved, dp: Float32Array, scale: number, ds: Float32Array, cols: Int32Array): void {
  const { l, s } = d;
  const { p, rows } = sv;
  const pOff = h * l * s;
  ds.fill(0);
  for (let j = 0; j < s; j++) { cols[2 * j] = l; cols[2 * j + 1] = 0; }
  for (let i = 0; i < l; i++) {
    const lo = rows[2 * (h * l + i)] as number, hi = rows[2 * (h * l + i) + 1] as number;
    let r = 0;
    for (let j = lo; j < hi; j++) r += (dp[i * s + j] as number) * (p[pOff + i * s + j] as number);
    for (let j = lo; j < hi; j++) {
      ds[i * s + j] = (p[pOff + i * s + j] as number) * ((dp[i * s + j] as number) - r) * scale;
      if (i < (cols[2 * j] as number)) cols[2 * j] = i;
      cols[2 * j + 1] = i + 1;
    }
  }
}

/**
 * Backward in JS → [dQ, dK, dV]: dP = dO·Vᵀ, dS (see {@link scoreGrad}), dQ = dS·K, dK = dSᵀ·Q, dV = Pᵀ·dO,
 * each product restricted to the key ranges of P's rows (query ranges of its columns for dK and dV).
 */
export function backwardJs(d: Dims, sv: Saved, scale: number, dO: Float32Array): Float32Array[] {
  const { bh, l, s, dk, dv } = d;
  const gq = new Float32Array(bh * l * dk), gk = new Float32Array(bh * s * dk), gv = new Float32Array(bh * s * dv);
  const dp = new Float32Array(l * s), ds = new Float32Array(l * s), cols = new Int32Array(2 * s);
  const dsT = new Float32Array(s * l), pT = new Float32Array(s * l), kT = new Float32Array(dk * s), qT = new Float32Array(dk * l), oT = new Float32Array(dv * l);
  for (let h = 0; h < bh; h++) {
    gemmNT(dO, h * l * dv, sv.v, h * s * dv, dp, 0, l, s, dv, sv.rows, null, h * l); // dO·Vᵀ (L, S)
    scoreGrad(h, d, sv, dp, scale, ds, cols);
    gemmNT(ds, 0, transposeBlock(sv.k, h * s * dk, s, dk, kT), 0, gq, h * l * dk, l, dk, s, null, sv.rows, h * l); // dS·K (L, dk)
    transposeBlock(ds, 0, l, s, dsT); // (S, L)
    transposeBlock(sv.p, h * l * s, l, s, pT); // (S, L)
    gemmNT(dsT, 0, transposeBlock(sv.q, h * l * dk, l, dk, qT), 0, gk, h * s * dk, s, dk, l, null, cols, 0); // dSᵀ·Q (S, dk)
    gemmNT(pT, 0, transposeBlock(dO, h * l * dv, l, dv, oT), 0, gv, h * s * dv, s, dv, l, null, cols, 0); // Pᵀ·dO (S, dv)
  }
  return [gq, gk, gv];
}

/** Rank-2 flag-free `tf.matMul` of two JS blocks (m, k)·(k, n) → tensor (m, n). */
function mm(a: Float32Array, m: number, k: number, b: Float32Array, n: number): tf.Tensor2D {
  return tf.matMul(tf.tensor2d(a, [m, k]), tf.tensor2d(b, [k, n]));
}

/**
 * Forward with rank-2 XNNPACK matMuls per head for Q·Kᵀ and P·V and one `tf.softmax` over all heads (the
 * reference's own rounding); records each row's reach as its key range for a JS backward.
 */
export function forwardMatmul(d: Dims, sv: Saved, mask: tf.Tensor, m: Float32Array, scale: number): tf.Tensor {
  const { bh, l, s, dk, dv } = d;
  const kT = new Float32Array(dk * s), reach = reachRanges(d, sv, m, scale);
  for (let h = 0; h < bh; h++) sv.rows.set(reach.subarray(2 * Math.floor(h / d.headsPerMask) * l, 2 * (Math.floor(h / d.headsPerMask) + 1) * l), 2 * h * l);
  return tf.tidy(() => {
    const scores: tf.Tensor2D[] = [];
    for (let h = 0; h < bh; h++) scores.push(mm(sv.q.subarray(h * l * dk, (h + 1) * l * dk), l, dk, transposeBlock(sv.k, h * s * dk, s, dk, kT), s)); // (L, S)
    const s4 = tf.reshape(tf.concat(scores, 0), [bh / d.headsPerMask, d.headsPerMask, l, s]); // (B·H·L, S) → (B, H, L, S)
    sv.p.set(tf.softmax(tf.add(tf.mul(s4, scale), mask)).dataSync());
    const parts: tf.Tensor2D[] = [];
    for (let h = 0; h < bh; h++) parts.push(mm(sv.p.subarray(h * l * s, (h + 1) * l * s), l, s, sv.v.subarray(h * s * dv, (h + 1) * s * dv), dv)); // (L, dv)
    return tf.reshape(tf.concat(parts, 0), [bh, l, dv]); // (B·H·L, dv) → (B·H, L, dv)
  });
}

/** Backward with rank-2 XNNPACK matMuls per head (dV = Pᵀ·dO, dP = dO·Vᵀ, dQ = dS·K, dK = dSᵀ·Q); dS in JS. */
export function backwardMatmul(d: Dims, sv: Saved, scale: number, dO: Float32Array): tf.Tensor[] {
  const { bh, l, s, dk, dv } = d;
  // Scratch blocks are reused: every tensor made from one is consumed by its matMul at once.
  const pT = new Float32Array(s * l), vT = new Float32Array(dv * s), ds = new Float32Array(l * s), dsT = new Float32Array(s * l), cols = new Int32Array(2 * s);
  return tf.tidy(() => {
    const dq: tf.Tensor2D[] = [], dkp: tf.Tensor2D[] = [], dvp: tf.Tensor2D[] = [];
    for (let h = 0; h < bh; h++) {
      const pb = sv.p.subarray(h * l * s, (h + 1) * l * s);
      const ob = dO.subarray(h * l * dv, (h + 1) * l * dv);
      dvp.push(mm(transposeBlock(pb, 0, l, s, pT), s, l, ob, dv)); // Pᵀ·dO (S, dv)
      scoreGrad(h, d, sv, mm(ob, l, dv, transposeBlock(sv.v, h * s * dv, s, dv, vT), s).dataSync() as Float32Array, scale, ds, cols); // from dO·Vᵀ (L, S)
      dq.push(mm(ds, l, s, sv.k.subarray(h * s * dk, (h + 1) * s * dk), dk)); // dS·K (L, dk)
      dkp.push(mm(transposeBlock(ds, 0, l, s, dsT), s, l, sv.q.subarray(h * l * dk, (h + 1) * l * dk), dk)); // dSᵀ·Q (S, dk)
    }
    return [
      tf.reshape(tf.concat(dq, 0), [bh, l, dk]), // (B·H·L, dk) → (B·H, L, dk)
      tf.reshape(tf.concat(dkp, 0), [bh, s, dk]), // (B·H·S, dk) → (B·H, S, dk)
      tf.reshape(tf.concat(dvp, 0), [bh, s, dv]), // (B·H·S, dv) → (B·H, S, dv)
    ];
  });
}

