/**
 * `@lvr/model/onnx` — ONNX export of trained tfjs checkpoints (written with onnx-buf) and the onnxruntime-node
 * backend of the decoding step model. onnxruntime-node is an optional peer dependency, loaded on first use.
 * The model-folder contract is documented in docs/onnx.md.
 */
export { exportOnnx, writeOnnxFolder, modelWeights, type ExportOnnxOptions, type ExportOnnxResult } from './export.js';
export { OrtStepModel, type OrtStepModelOptions } from './ort-step-model.js';
export { resolveOrtOptions, loadOrt, type OrtOptions, type ResolvedOrtOptions } from './ort-runtime.js';
export {
  ONNX_FILES, contractFor, validateSessionIo,
  type OnnxSessionKind, type IoSpec, type SessionSpec, type SessionIo, type SessionValueMetadata, type ResolvedSessionIo, type ContractDType,
} from './contract.js';
export { readOnnxFolder, readOnnxFolderModel, type OnnxFolderAssets, type OnnxFolderModel } from './folder.js';
export { preprocessorConfigJson, preprocessOptionsFromJson } from './preprocessor-config.js';
export { GraphBuilder, ONNX_OPSET, ONNX_IR_VERSION, elemTypeOf, type OnnxDType, type Dim, type AttrValue } from './graph-builder.js';
export { buildDecoderGraph } from './decoder-graph.js';
export { buildVisionGraph } from './vision-graph.js';
export { buildEmbedGraph, buildLvrHeadGraph } from './small-graphs.js';
export type { WeightSource, WeightTensor } from './graph-ops.js';
