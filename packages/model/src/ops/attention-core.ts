import * as tf from '@tensorflow/tfjs';
import { LvrError } from '@lvr/core';
import { customOp } from './custom-op.js';

/**
 * Scaled dot-product attention core `softmax(scale·Q·Kᵀ + mask)·V` over (B·H) independent heads, with a
 * hand-written backward. On tfjs-wasm every batched matMul (and tfjs' own matMul gradient, which uses
 * transpose flags) runs on a scalar fallback at 2–3 GFLOP/s, and splitting a tensor into B·H slices with
 * tf ops costs about the whole input per slice (docs/performance.md). This op reads its operands back once,
 * cuts them in JS and either runs every per-head product as a rank-2, flag-free `tf.matMul` (XNNPACK) or
 * computes everything in JS loops, whichever is faster for the shape.
 *
 * Semantics are exactly those of the autodiff formulation ({@link attentionAutodiff}): scores are rounded
 * to float32 before the additive mask is added, so a fully masked row (every key at −1e9) gets the same
 * finite, uniform weights as there — never NaN. Wherever a row has a visible key, blocked keys get weight
 * exactly 0 and therefore exactly zero gradient.
 */

/** Which formulation `attention` layers use: tfjs autodiff over batched matMuls, or {@link attentionCore}. */
export type AttentionImpl = 'autodiff' | 'loop';

/** How {@link attentionCore} computes: `js` loops, per-head rank-2 `tf.matMul`s, or `auto` by shape. */
export type AttentionKernel = 'auto' | 'js' | 'matmul';

let currentImpl: AttentionImpl = 'loop';

/**
 * Selects the attention implementation of every `attention` layer (process-wide; default `loop`, the
 * faster one). `autodiff` is the original formulation, kept for benchmarks and as a test reference.
 *
 * @example
 * setAttentionImpl('autodiff'); // time the old path
 */
export function setAttentionImpl(impl: AttentionImpl): void {
  if (impl !== 'autodiff' && impl !== 'loop') throw new LvrError('INVALID_ARGUMENT', `attention implementation must be 'autodiff' or 'loop', got '${String(impl)}'`);
  currentImpl = impl;
}

/** The implementation `attention` layers currently use. */
export function getAttentionImpl(): AttentionImpl {
  return currentImpl;
}

/** Sizes of one call: BH heads of L queries over S keys, key width dk, value width dv, H = BH / mask batch. */
interface Dims { bh: number; l: number; s: number; dk: number; dv: number; headsPerMask: number }

function checkDims(q3: tf.Tensor, k3: tf.Tensor, v3: tf.Tensor, mask: tf.Tensor, scale: number): Dims {
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
  for (const [name, t] of [['q', q3], ['k', k3], ['v', v3], ['mask', mask]] as const) {
    if (t.dtype !== 'float32') throw new LvrError('INVALID_ARGUMENT', `attentionCore: ${name} must be float32, got ${t.dtype}`);
  }
  if (!Number.isFinite(scale)) throw new LvrError('INVALID_ARGUMENT', `attentionCore: scale must be finite, got ${scale}`);
  return { bh, l, s, dk, dv, headsPerMask: bh / mb };
}

/**
 * The reference formulation: batched `tf.matMul`s, `tf.softmax` and tfjs autodiff. q3 (B·H, L, dk),
 * k3 (B·H, S, dk), v3 (B·H, S, dv), additive mask (B, 1, L, S) → (B·H, L, dv).
 */
export function attentionAutodiff(q3: tf.Tensor3D, k3: tf.Tensor3D, v3: tf.Tensor3D, mask: tf.Tensor4D, scale: number): tf.Tensor3D {
  const { bh, l, s, headsPerMask } = checkDims(q3, k3, v3, mask, scale);
  return tf.tidy(() => {
    const scores = tf.reshape(tf.mul(tf.matMul(q3, k3, false, true), scale), [bh / headsPerMask, headsPerMask, l, s]); // (B, H, L, S)
    const p = tf.reshape(tf.softmax(tf.add(scores, mask)), [bh, l, s]) as tf.Tensor3D; // (B·H, L, S)
    return tf.matMul(p, v3);
  });
}

/** JS copies of the operands, the weights P (B·H, L, S) and each P row's non-zero key range [lo, hi). */
interface Saved { q: Float32Array; k: Float32Array; v: Float32Array; p: Float32Array; rows: Int32Array }

/** Rows of a mask are read back once per mask tensor (every layer of a forward shares one mask). */
const maskCache = new WeakMap<tf.Tensor, Float32Array>();

function maskData(mask: tf.Tensor): Float32Array {
  let m = maskCache.get(mask);
  if (!m) {
    m = mask.dataSync() as Float32Array;
    maskCache.set(mask, m);
  }
  return m;
}

/** Block (rows, cols) at `off` of `src`, transposed → (cols, rows) into `out` (a new array by default). */
function transposeBlock(src: Float32Array, off: number, rows: number, cols: number, out = new Float32Array(rows * cols)): Float32Array {
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = src[off + r * cols + c] as number;
  return out;
}

/** Largest row norm of block (rows, cols) at `off`. */
function maxRowNorm(a: Float32Array, off: number, rows: number, cols: number): number {
  let best = 0;
  for (let r = 0; r < rows; r++) {
    let n = 0;
    for (let c = 0; c < cols; c++) { const x = a[off + r * cols + c] as number; n += x * x; }
    if (n > best) best = n;
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
 * Keys of head `h` that can get a non-zero weight, per query row → `reach` [lo, hi) pairs. |scale·q·k| ≤
 * bound, so a key whose mask lies more than 2·bound + 200 below the row's best mask value ends ≥ 104 below
 * the row maximum, where float32 exp underflows to 0: its weight is exactly 0 in the reference as well.
 */
function reachRanges(h: number, d: Dims, sv: Saved, m: Float32Array, scale: number, reach: Int32Array): void {
  const { l, s, dk } = d;
  const bound = 1.001 * Math.abs(scale) * maxRowNorm(sv.q, h * l * dk, l, dk) * maxRowNorm(sv.k, h * s * dk, s, dk);
  const mOff0 = Math.floor(h / d.headsPerMask) * l * s;
  for (let i = 0; i < l; i++) {
    const mOff = mOff0 + i * s;
    let mMax = -Infinity;
    for (let j = 0; j < s; j++) if ((m[mOff + j] as number) > mMax) mMax = m[mOff + j] as number;
    const cut = mMax - 2 * bound - 200 - 2.5e-7 * Math.abs(mMax);
    let lo = 0, hi = s;
    while (lo < s && (m[mOff + lo] as number) < cut) lo++;
    while (hi > lo && (m[mOff + hi - 1] as number) < cut) hi--;
    reach[2 * i] = lo;
    reach[2 * i + 1] = hi;
  }
}

/**
 * P rows of head `h` = softmax(fl(fl(scores)·scale) + mask) over each row's reach (0 elsewhere), rounded as
 * the float32 reference; records each row's non-zero range in `sv.rows`.
 */
function softmaxRows(h: number, d: Dims, sv: Saved, m: Float32Array, scale: number, scores: Float32Array, reach: Int32Array, row: Float64Array): void {
  const { l, s } = d;
  const p = sv.p;
  const mOff0 = Math.floor(h / d.headsPerMask) * l * s;
  for (let i = 0; i < l; i++) {
    const lo = reach[2 * i] as number, hi = reach[2 * i + 1] as number;
    const mOff = mOff0 + i * s;
    let max = -Infinity;
    for (let j = lo; j < hi; j++) {
      const t = Math.fround(Math.fround((scores[i * s + j] as number) * scale) + (m[mOff + j] as number));
      row[j] = t;
      if (t > max) max = t;
    }
    if (max === -Infinity) {
      throw new LvrError('NUMERIC', `attentionCore: mask row (batch ${Math.floor(h / d.headsPerMask)}, query ${i}) blocks every key with −Infinity; use a finite value such as −1e9`);
    }
    let sum = 0, first = hi, last = lo;
    for (let j = lo; j < hi; j++) {
      const x = (row[j] as number) - max;
      const e = x < -104 ? 0 : Math.exp(x); // float32 exp underflows to 0 below ≈ −103.97
      row[j] = e;
      sum += e;
      if (e !== 0) { if (j < first) first = j; last = j + 1; }
    }
    const inv = 1 / sum;
    const pOff = (h * l + i) * s;
    for (let j = lo; j < hi; j++) p[pOff + j] = (row[j] as number) * inv;
    sv.rows[2 * (h * l + i)] = first;
    sv.rows[2 * (h * l + i) + 1] = last;
  }
}

/** Forward in JS: scores over each row's reach, softmax, O = P·V over each row's non-zero range. */
function forwardJs(d: Dims, sv: Saved, m: Float32Array, scale: number): Float32Array {
  const { bh, l, s, dk, dv } = d;
  const out = new Float32Array(bh * l * dv);
  const scores = new Float32Array(l * s), row = new Float64Array(s), reach = new Int32Array(2 * l), vT = new Float32Array(dv * s);
  for (let h = 0; h < bh; h++) {
    reachRanges(h, d, sv, m, scale, reach);
    gemmNT(sv.q, h * l * dk, sv.k, h * s * dk, scores, 0, l, s, dk, reach, null, 0); // Q·Kᵀ (L, S)
    softmaxRows(h, d, sv, m, scale, scores, reach, row);
    gemmNT(sv.p, h * l * s, transposeBlock(sv.v, h * s * dv, s, dv, vT), 0, out, h * l * dv, l, dv, s, null, sv.rows, h * l); // P·V (L, dv)
  }
  return out;
}

/**
 * Backward in JS → [dQ, dK, dV]: dP = dO·Vᵀ, dS = scale·P ⊙ (dP − rowsum(dP ⊙ P)), dQ = dS·K, dK = dSᵀ·Q,
 * dV = Pᵀ·dO, each product restricted to the non-zero ranges of P (rows for dP/dQ, columns for dK/dV).
 */
function backwardJs(d: Dims, sv: Saved, scale: number, dO: Float32Array): Float32Array[] {
  const { bh, l, s, dk, dv } = d;
  const gq = new Float32Array(bh * l * dk), gk = new Float32Array(bh * s * dk), gv = new Float32Array(bh * s * dv);
  const dp = new Float32Array(l * s), ds = new Float32Array(l * s), colRange = new Int32Array(2 * s);
  const dsT = new Float32Array(s * l), pT = new Float32Array(s * l), kT = new Float32Array(dk * s), qT = new Float32Array(dk * l), oT = new Float32Array(dv * l);
  for (let h = 0; h < bh; h++) {
    const pOff = h * l * s;
    gemmNT(dO, h * l * dv, sv.v, h * s * dv, dp, 0, l, s, dv, sv.rows, null, h * l); // dO·Vᵀ (L, S)
    ds.fill(0);
    colRange.fill(0);
    for (let j = 0; j < s; j++) colRange[2 * j] = l;
    for (let i = 0; i < l; i++) {
      const lo = sv.rows[2 * (h * l + i)] as number, hi = sv.rows[2 * (h * l + i) + 1] as number;
      let r = 0;
      for (let j = lo; j < hi; j++) r += (dp[i * s + j] as number) * (sv.p[pOff + i * s + j] as number);
      for (let j = lo; j < hi; j++) {
        const pj = sv.p[pOff + i * s + j] as number;
        ds[i * s + j] = pj * ((dp[i * s + j] as number) - r) * scale;
        if (pj !== 0) { if (i < (colRange[2 * j] as number)) colRange[2 * j] = i; colRange[2 * j + 1] = i + 1; }
      }
    }
    gemmNT(ds, 0, transposeBlock(sv.k, h * s * dk, s, dk, kT), 0, gq, h * l * dk, l, dk, s, null, sv.rows, h * l); // dS·K (L, dk)
    transposeBlock(ds, 0, l, s, dsT); // (S, L)
    transposeBlock(sv.p, pOff, l, s, pT); // (S, L)
    gemmNT(dsT, 0, transposeBlock(sv.q, h * l * dk, l, dk, qT), 0, gk, h * s * dk, s, dk, l, null, colRange, 0); // dSᵀ·Q (S, dk)
    gemmNT(pT, 0, transposeBlock(dO, h * l * dv, l, dv, oT), 0, gv, h * s * dv, s, dv, l, null, colRange, 0); // Pᵀ·dO (S, dv)
  }
  return [gq, gk, gv];
}

/** Rank-2 flag-free `tf.matMul` of two JS blocks (m, k)·(k, n) → tensor (m, n). */
function mm(a: Float32Array, m: number, k: number, b: Float32Array, n: number): tf.Tensor2D {
  return tf.matMul(tf.tensor2d(a, [m, k]), tf.tensor2d(b, [k, n]));
}

/** Forward with one rank-2 XNNPACK matMul per head for Q·Kᵀ and for P·V; softmax in JS. */
function forwardMatmul(d: Dims, sv: Saved, m: Float32Array, scale: number): tf.Tensor {
  const { bh, l, s, dk, dv } = d;
  const row = new Float64Array(s);
  const reach = new Int32Array(2 * l);
  for (let i = 0; i < l; i++) reach[2 * i + 1] = s;
  return tf.tidy(() => {
    const parts: tf.Tensor2D[] = [];
    for (let h = 0; h < bh; h++) {
      const qb = sv.q.subarray(h * l * dk, (h + 1) * l * dk);
      const scores = mm(qb, l, dk, transposeBlock(sv.k, h * s * dk, s, dk), s); // (L, S)
      softmaxRows(h, d, sv, m, scale, scores.dataSync() as Float32Array, reach, row);
      parts.push(mm(sv.p.subarray(h * l * s, (h + 1) * l * s), l, s, sv.v.subarray(h * s * dv, (h + 1) * s * dv), dv)); // (L, dv)
    }
    return tf.reshape(tf.concat(parts, 0), [bh, l, dv]); // (B·H·L, dv) → (B·H, L, dv)
  });
}

function forwardMatmul2(d: Dims, sv: Saved, mask: tf.Tensor, scale: number): tf.Tensor {
  const { bh, l, s, dk, dv } = d;
  return tf.tidy(() => {
    const sc: tf.Tensor2D[] = [];
    for (let h = 0; h < bh; h++) sc.push(mm(sv.q.subarray(h * l * dk, (h + 1) * l * dk), l, dk, transposeBlock(sv.k, h * s * dk, s, dk), s));
    const st = tf.reshape(tf.concat(sc, 0), [bh / d.headsPerMask, d.headsPerMask, l, s]);
    sv.p.set(tf.softmax(tf.add(tf.mul(st, scale), mask)).dataSync());
    const parts: tf.Tensor2D[] = [];
    for (let h = 0; h < bh; h++) parts.push(mm(sv.p.subarray(h * l * s, (h + 1) * l * s), l, s, sv.v.subarray(h * s * dv, (h + 1) * s * dv), dv)); // (L, dv)
    return tf.reshape(tf.concat(parts, 0), [bh, l, dv]); // (B·H·L, dv) → (B·H, L, dv)
  });
}

/** Backward with rank-2 XNNPACK matMuls per head (dV = Pᵀ·dO, dP = dO·Vᵀ, dQ = dS·K, dK = dSᵀ·Q); dS in JS. */
function backwardMatmul(d: Dims, sv: Saved, scale: number, dO: Float32Array): tf.Tensor[] {
  const { bh, l, s, dk, dv } = d;
  return tf.tidy(() => {
    const dq: tf.Tensor2D[] = [], dkp: tf.Tensor2D[] = [], dvp: tf.Tensor2D[] = [];
    for (let h = 0; h < bh; h++) {
      const ds = new Float32Array(l * s); // fresh per head: the cpu backend keeps the array a tensor is made from
      const pb = sv.p.subarray(h * l * s, (h + 1) * l * s);
      const ob = dO.subarray(h * l * dv, (h + 1) * l * dv);
      dvp.push(mm(transposeBlock(pb, 0, l, s), s, l, ob, dv)); // Pᵀ·dO (S, dv)
      const dp = mm(ob, l, dv, transposeBlock(sv.v, h * s * dv, s, dv), s).dataSync(); // dO·Vᵀ (L, S)
      for (let i = 0; i < l; i++) {
        let r = 0;
        for (let j = 0; j < s; j++) r += (dp[i * s + j] as number) * (pb[i * s + j] as number);
        for (let j = 0; j < s; j++) ds[i * s + j] = (pb[i * s + j] as number) * ((dp[i * s + j] as number) - r) * scale;
      }
      dq.push(mm(ds, l, s, sv.k.subarray(h * s * dk, (h + 1) * s * dk), dk)); // dS·K (L, dk)
      dkp.push(mm(transposeBlock(ds, 0, l, s), s, l, sv.q.subarray(h * l * dk, (h + 1) * l * dk), dk)); // dSᵀ·Q (S, dk)
    }
    return [
      tf.reshape(tf.concat(dq, 0), [bh, l, dk]), // (B·H·L, dk) → (B·H, L, dk)
      tf.reshape(tf.concat(dkp, 0), [bh, s, dk]), // (B·H·S, dk) → (B·H, S, dk)
      tf.reshape(tf.concat(dvp, 0), [bh, s, dv]), // (B·H·S, dv) → (B·H, S, dv)
    ];
  });
}

/** The kernel `auto` picks: JS loops while heads are narrow (measured in bench/train-step.ts). */
export function chooseAttentionKernel(d: { l: number; s: number; dk: number; dv: number }): 'js' | 'matmul' {
  return Math.max(d.dk, d.dv) <= 32 ? 'js' : 'matmul';
}

/**
 * `softmax(scale·q·kᵀ + mask)·v` per head as one custom op with a hand-written backward (see the module
 * comment). q3 (B·H, L, dk), k3 (B·H, S, dk), v3 (B·H, S, dv), additive mask (B, 1, L, S) with 0 = attend
 * and −1e9 = blocked (a batch-1 mask is shared by all heads); H = B·H / B. Returns (B·H, L, dv). The mask
 * gets no gradient.
 *
 * @example
 * const o = attentionCore(q3, k3, v3, mask, 1 / Math.sqrt(d)); // (B·H, L, d)
 */
export function attentionCore(q3: tf.Tensor3D, k3: tf.Tensor3D, v3: tf.Tensor3D, mask: tf.Tensor4D, scale: number, opts: { kernel?: AttentionKernel } = {}): tf.Tensor3D {
  const d = checkDims(q3, k3, v3, mask, scale);
  const kernel = opts.kernel === undefined || opts.kernel === 'auto' ? chooseAttentionKernel(d) : opts.kernel;
  if (kernel !== 'js' && kernel !== 'matmul' && (kernel as string) !== 'matmul2') throw new LvrError('INVALID_ARGUMENT', `attentionCore: kernel must be auto | js | matmul, got '${String(kernel)}'`);
  const sc = Math.fround(scale); // the reference multiplies by a float32 scalar
  const op = customOp<tf.Tensor3D>(([q, k, v]) => {
    const sv: Saved = {
      q: (q as tf.Tensor).dataSync() as Float32Array, k: (k as tf.Tensor).dataSync() as Float32Array,
      v: (v as tf.Tensor).dataSync() as Float32Array, p: new Float32Array(d.bh * d.l * d.s), rows: new Int32Array(2 * d.bh * d.l),
    };
    const m = maskData(mask);
    const value = kernel === 'js' ? tf.tensor3d(forwardJs(d, sv, m, sc), [d.bh, d.l, d.dv]) : (kernel as string) === 'matmul2' ? forwardMatmul2(d, sv, mask, sc) : forwardMatmul(d, sv, m, sc);
    return {
      value,
      gradFunc: (dy) => {
        const dO = dy.dataSync() as Float32Array;
        if (kernel !== 'js') return backwardMatmul(d, sv, sc, dO);
        const [gq, gk, gv] = backwardJs(d, sv, sc, dO);
        return [tf.tensor3d(gq as Float32Array, [d.bh, d.l, d.dk]), tf.tensor3d(gk as Float32Array, [d.bh, d.s, d.dk]), tf.tensor3d(gv as Float32Array, [d.bh, d.s, d.dv])];
      },
    };
  });
  return op(q3, k3, v3);
}

/** Attention core through the implementation chosen with {@link setAttentionImpl}. */
export function scaledDotAttention(q3: tf.Tensor3D, k3: tf.Tensor3D, v3: tf.Tensor3D, mask: tf.Tensor4D, scale: number): tf.Tensor3D {
  return currentImpl === 'autodiff' ? attentionAutodiff(q3, k3, v3, mask, scale) : attentionCore(q3, k3, v3, mask, scale);
}
