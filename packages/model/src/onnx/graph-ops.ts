import { LvrError } from '@lvr/core';
import type { GraphBuilder } from './graph-builder.js';

/**
 * Reusable ONNX sub-graphs mirroring the tfjs layers (`layers/`, `ops/`) op for op, so exported graphs match
 * the tfjs forward within float rounding. Every helper takes value names and returns the output's name.
 */

/** A named float32 weight in PyTorch layout (linear weights are (out, in)). */
export interface WeightTensor {
  readonly data: Float32Array;
  readonly shape: readonly number[];
}

/** Where graph builders read weights from (a loaded model's parameter store, or plain arrays in tests). */
export interface WeightSource {
  get(name: string): WeightTensor;
}

/** (rows, cols) → (cols, rows) of a row-major matrix. */
export function transpose2d(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c] as number;
  return out;
}

/** Adds a weight as an initializer under its parameter name (vectors, tables). */
export function weightInit(g: GraphBuilder, w: WeightSource, name: string): string {
  const t = w.get(name);
  return g.initializer(name, 'float32', t.data, t.shape);
}

/**
 * `x · Wᵀ (+ b)` for a PyTorch-layout weight `W` (out, in): the initializer holds Wᵀ (in, out) under
 * `<name>.T`, so the graph is a plain MatMul (any leading dims of `x`).
 */
export function linear(g: GraphBuilder, w: WeightSource, x: string, weight: string, bias?: string): string {
  const t = w.get(weight);
  if (t.shape.length !== 2) throw new LvrError('SHAPE_MISMATCH', `onnx export: ${weight} must be 2-D, got [${t.shape.join(', ')}]`);
  const [out, inp] = t.shape as [number, number];
  const wt = g.initializer(`${weight}.T`, 'float32', transpose2d(t.data, out, inp), [inp, out]);
  const y = g.op('MatMul', [x, wt]);
  return bias === undefined ? y : g.op('Add', [y, weightInit(g, w, bias)]);
}

/** RMSNorm over the last axis: `x / sqrt(mean(x²) + eps) · γ` (as `layers/rms-norm.ts`). */
export function rmsNorm(g: GraphBuilder, w: WeightSource, x: string, gamma: string, eps: number): string {
  const ms = g.op('ReduceMean', [g.op('Mul', [x, x])], { axes: { ints: [-1] }, keepdims: { int: 1 } });
  const r = g.op('Sqrt', [g.op('Add', [ms, g.f32([eps], [])])]);
  return g.op('Mul', [g.op('Div', [x, r]), weightInit(g, w, gamma)]);
}

/** LayerNorm over the last axis with γ, β (as the `simple` LVR head): `(x − μ)/sqrt(var + eps)·γ + β`. */
export function layerNorm(g: GraphBuilder, w: WeightSource, x: string, gamma: string, beta: string, eps: number): string {
  const mean = g.op('ReduceMean', [x], { axes: { ints: [-1] }, keepdims: { int: 1 } });
  const xc = g.op('Sub', [x, mean]);
  const v = g.op('ReduceMean', [g.op('Mul', [xc, xc])], { axes: { ints: [-1] }, keepdims: { int: 1 } });
  const n = g.op('Div', [xc, g.op('Sqrt', [g.op('Add', [v, g.f32([eps], [])])])]);
  return g.op('Add', [g.op('Mul', [n, weightInit(g, w, gamma)]), weightInit(g, w, beta)]);
}

/** `x · sigmoid(x)`. */
export function silu(g: GraphBuilder, x: string): string {
  return g.op('Mul', [x, g.op('Sigmoid', [x])]);
}

/** Exact GELU `0.5·x·(1 + erf(x/√2))`. */
export function gelu(g: GraphBuilder, x: string): string {
  const e = g.op('Erf', [g.op('Mul', [x, g.f32([Math.SQRT1_2], [])])]);
  return g.op('Mul', [g.op('Mul', [x, g.f32([0.5], [])]), g.op('Add', [e, g.f32([1], [])])]);
}

/** SwiGLU MLP `down(silu(gate(x)) ⊙ up(x))` with weights under `<prefix>.{gate,up,down}_proj.weight`. */
export function swiGlu(g: GraphBuilder, w: WeightSource, x: string, prefix: string): string {
  const gate = linear(g, w, x, `${prefix}.gate_proj.weight`);
  const up = linear(g, w, x, `${prefix}.up_proj.weight`);
  return linear(g, w, g.op('Mul', [silu(g, gate), up]), `${prefix}.down_proj.weight`);
}

/**
 * Rotary embedding `x·cos + rotate_half(x)·sin` on the last axis (size `d`), `rotate_half(x) = [−x₂, x₁]`;
 * `cos`/`sin` broadcast against `x`.
 */
export function applyRope(g: GraphBuilder, x: string, cos: string, sin: string, d: number): string {
  const [x1, x2] = g.opN('Split', [x, g.i64([d / 2, d / 2])], 2, { axis: { int: -1 } }) as [string, string];
  const rot = g.op('Concat', [g.op('Neg', [x2]), x1], { axis: { int: -1 } });
  return g.op('Add', [g.op('Mul', [x, cos]), g.op('Mul', [rot, sin])]);
}

/**
 * cos/sin tables (…, d) from angles (…, d/2) given in float64: the angles are computed in double precision
 * (as the tfjs tables, built in JS doubles) and rounded to float32 after Cos/Sin; halves are duplicated.
 */
export function rotaryTables(g: GraphBuilder, angles64: string): { cos: string; sin: string } {
  const half = (op: string): string => {
    const v = g.op('Cast', [g.op(op, [angles64])], { to: { int: 1 } });
    return g.op('Concat', [v, v], { axis: { int: -1 } });
  };
  return { cos: half('Cos'), sin: half('Sin') };
}

/**
 * Scaled dot-product attention over heads: `q` (…, L, d), `k`/`v` (…, S, d), additive `mask` broadcastable
 * to (…, L, S) → (…, L, d). Scores are `q·kᵀ/√d + mask`, softmax over S.
 */
export function attentionCore(g: GraphBuilder, q: string, k: string, v: string, mask: string, d: number, rank: number): string {
  const perm = Array.from({ length: rank }, (_, i) => i);
  perm[rank - 1] = rank - 2;
  perm[rank - 2] = rank - 1;
  const kt = g.op('Transpose', [k], { perm: { ints: perm } });
  const scores = g.op('Add', [g.op('Mul', [g.op('MatMul', [q, kt]), g.f32([1 / Math.sqrt(d)], [])]), mask]);
  return g.op('MatMul', [g.op('Softmax', [scores], { axis: { int: -1 } }), v]);
}

/** Scalar int64 dimension `axis` of a value's shape (0-d tensor). */
export function dimOf(g: GraphBuilder, x: string, axis: number): string {
  return g.op('Gather', [g.op('Shape', [x]), g.i64([axis], [])], { axis: { int: 0 } });
}
