import { patchRowWidth, type ModelConfig } from '../config.js';
import { inverseFrequencies } from '../ops/rope.js';
import { GraphBuilder } from './graph-builder.js';
import { applyRope, attentionCore, dimOf, gelu, linear, rmsNorm, rotaryTables, swiGlu, type WeightSource } from './graph-ops.js';

/**
 * Per-patch image index, patch row and patch column computed in-graph from `grid_thw` (n, 3), for the Qwen
 * patch-row layout (t, block-row, block-col, mr, mc) of `patchPositions`. Any number of images with any
 * grids: image k owns rows [Σ_{j<k} t·h·w, Σ_{j≤k} t·h·w). Returns int64 (N) values.
 */
function patchIndexGraph(g: GraphBuilder, gridThw: string, pixels: string, merge: number): { image: string; row: string; col: string } {
  const column = (i: number): string => g.op('Gather', [gridThw, g.i64([i], [])], { axis: { int: 1 } }); // (n)
  const [t, h, w] = [column(0), column(1), column(2)];
  const sizes = g.op('Mul', [g.op('Mul', [t, h]), w]); // (n) patches per image
  const ends = g.op('CumSum', [sizes, g.i64([0], [])]); // (n)
  const starts = g.op('Sub', [ends, sizes]);
  const idx = g.op('Range', [g.i64([0], []), dimOf(g, pixels, 0), g.i64([1], [])]); // (N)
  const past = g.op('GreaterOrEqual', [g.op('Unsqueeze', [idx, g.i64([1])]), g.op('Unsqueeze', [ends, g.i64([0])])]); // (N, n)
  const image = g.op('ReduceSum', [g.op('Cast', [past], { to: { int: 7 } }), g.i64([1])], { keepdims: { int: 0 } }); // (N)
  const per = (v: string): string => g.op('Gather', [v, image], { axis: { int: 0 } }); // (N)
  const hP = per(h), wP = per(w);
  const local = g.op('Sub', [idx, per(starts)]);
  const k = g.op('Mod', [local, g.op('Mul', [hP, wP])]); // index within the frame
  const mm = g.i64([merge * merge], []);
  const m = g.i64([merge], []);
  const block = g.op('Div', [k, mm]);
  const within = g.op('Mod', [k, mm]);
  const blocksPerRow = g.op('Div', [wP, m]);
  const row = g.op('Add', [g.op('Mul', [g.op('Div', [block, blocksPerRow]), m]), g.op('Div', [within, m])]);
  const col = g.op('Add', [g.op('Mul', [g.op('Mod', [block, blocksPerRow]), m]), g.op('Mod', [within, m])]);
  return { image, row, col };
}

/**
 * `vision_encoder.onnx`: patch embedding → ViT blocks with 2-D rotary attention (bidirectional within each
 * image, block-diagonal across images) → merger. Rotary tables and the per-image mask are computed in-graph
 * from `grid_thw`, so any grids and several images per call work.
 *
 * Inputs: `pixel_values` f32 (num_patches, 3·T·P·P), `grid_thw` i64 (num_images, 3).
 * Output: `image_features` f32 (num_patches / merge², H).
 *
 * @example
 * const bytes = buildVisionGraph(model.config, weights).build();
 */
export function buildVisionGraph(c: ModelConfig, w: WeightSource): GraphBuilder {
  const v = c.vision;
  const g = new GraphBuilder('vision_encoder', 'LVR miniature Qwen2.5-VL vision tower + merger');
  const pixels = g.input('pixel_values', 'float32', ['num_patches', patchRowWidth(v)]);
  const gridThw = g.input('grid_thw', 'int64', ['num_images', 3]);
  const dv = v.hiddenSize;
  const heads = v.numHeads;
  const vh = dv / heads;
  const half = vh / 2;
  const quarter = half / 2;
  const pos = patchIndexGraph(g, gridThw, pixels, v.spatialMergeSize);
  // 2-D rotary (as visionRopeTables): the first quarter-frequencies rotate by the row, the second by the column.
  const inv = inverseFrequencies(half, 10000);
  const invRow = Float64Array.from({ length: half }, (_, i) => (i < quarter ? (inv[i] as number) : 0));
  const invCol = Float64Array.from({ length: half }, (_, i) => (i < quarter ? 0 : (inv[i - quarter] as number)));
  const as64 = (x: string): string => g.op('Cast', [g.op('Unsqueeze', [x, g.i64([1])])], { to: { int: 11 } }); // (N, 1)
  const angles = g.op('Add', [g.op('Mul', [as64(pos.row), g.f64(invRow)]), g.op('Mul', [as64(pos.col), g.f64(invCol)])]); // (N, half)
  const { cos, sin } = rotaryTables(g, angles); // (N, vh)
  const same = g.op('Equal', [g.op('Unsqueeze', [pos.image, g.i64([1])]), g.op('Unsqueeze', [pos.image, g.i64([0])])]); // (N, N)
  const mask = g.op('Where', [same, g.f32([0], []), g.f32([-1e9], [])]);
  const splitShape = g.i64([0, heads, vh]);
  const mergeShape = g.i64([0, dv]);
  const toHeads = (x: string): string => g.op('Transpose', [g.op('Reshape', [x, splitShape])], { perm: { ints: [1, 0, 2] } }); // (heads, N, vh)
  let x = linear(g, w, pixels, 'visual.patch_embed.proj.weight'); // (N, dv)
  for (let l = 0; l < v.depth; l++) {
    const p = `visual.blocks.${l}`;
    const h = rmsNorm(g, w, x, `${p}.norm1.weight`, c.rmsNormEps);
    const q = applyRope(g, toHeads(linear(g, w, h, `${p}.attn.q.weight`, `${p}.attn.q.bias`)), cos, sin, vh);
    const k = applyRope(g, toHeads(linear(g, w, h, `${p}.attn.k.weight`, `${p}.attn.k.bias`)), cos, sin, vh);
    const val = toHeads(linear(g, w, h, `${p}.attn.v.weight`, `${p}.attn.v.bias`));
    const o = attentionCore(g, q, k, val, mask, vh, 3); // (heads, N, vh)
    const merged = g.op('Reshape', [g.op('Transpose', [o], { perm: { ints: [1, 0, 2] } }), mergeShape]); // (N, dv)
    x = g.op('Add', [x, linear(g, w, merged, `${p}.attn.proj.weight`, `${p}.attn.proj.bias`)]);
    x = g.op('Add', [x, swiGlu(g, w, rmsNorm(g, w, x, `${p}.norm2.weight`, c.rmsNormEps), `${p}.mlp`)]);
  }
  const m2 = v.spatialMergeSize * v.spatialMergeSize;
  const normed = rmsNorm(g, w, x, 'visual.merger.ln_q.weight', c.rmsNormEps);
  const blocks = g.op('Reshape', [normed, g.i64([-1, dv * m2])]); // (N/m², m²·dv)
  const hid = gelu(g, linear(g, w, blocks, 'visual.merger.mlp.0.weight', 'visual.merger.mlp.0.bias'));
  const out = linear(g, w, hid, 'visual.merger.mlp.2.weight', 'visual.merger.mlp.2.bias');
  g.op('Identity', [out], {}, 'image_features');
  g.output('image_features', 'float32', ['num_tokens', c.hiddenSize]);
  return g;
}
