/**
 * Synthetic perception suite (the embedded default data): seeded scenes of small coloured shapes, rendered
 * in pure JS, with V*-, counting- and MMVP-style questions, ROI boxes, LVR SFT / benchmark writers, a
 * word-level tokenizer, stage-0 captions and a preview contact sheet.
 */
export {
  SHAPES,
  SHAPE_PLURALS,
  COLOURS,
  COLOUR_NAMES,
  SIZE_CLASSES,
  NUMBER_WORDS,
  POSITION_WORDS,
  CAPTION_SEPARATOR,
  TEMPLATE_WORDS,
  REASONING_WORDS,
  MARKED_WORD,
  DIRECTIONS,
  CAPTION_PROMPT,
  PROMPT_SENTENCES,
  cellWords,
  sentenceWords,
  suiteWords,
} from './vocabulary.js';
export type { Shape, ColourName, SizeClass, PositionAxis, Direction } from './vocabulary.js';
export { shapeExtent, insideShape } from './shapes.js';
export type { ShapeExtent } from './shapes.js';
export {
  resolveSceneOptions,
  makeSceneObject,
  boxesTooClose,
  tryPlaceObject,
  placeObjects,
  unionBox,
} from './scene.js';
export type { ObjectSpec, SceneObject, Scene, SceneOptions, ResolvedSceneOptions } from './scene.js';
export { renderScene, resolveRenderOptions, MARK_COLOUR } from './render.js';
export { placeGridObjects, gridCellBox, resolveGridOptions } from './grid-scene.js';
export { MAX_SYMBOLS, symbolCodebook, symbolTokens, addCellCodes, renderSymbolImage, decodeSymbolRows } from './symbol-image.js';
export type { SymbolCodebook } from './symbol-image.js';
export type { GridOptions, ResolvedGridOptions } from './grid-scene.js';
export type { RenderOptions, ResolvedRenderOptions } from './render.js';
export { encodePng } from './png.js';
export { generateCaptionExample, resolveCaptionOptions, captionScene, objectCell } from './caption.js';
export type { CaptionOptions, ResolvedCaptionOptions, CaptionExample } from './caption.js';
export { TASK_KINDS, REASONING_TASK_KINDS, ALL_TASK_KINDS } from './tasks/task-family.js';
export type { TaskKind, PerceptionTaskKind, TaskItem, TaskFamily, TaskCounterfactual } from './tasks/task-family.js';
export { resolveTaskOptions, MAX_HOPS } from './tasks/task-options.js';
export type { TaskOptions, ResolvedTaskOptions, TargetSize, PairVariant, CountBy } from './tasks/task-options.js';
export { attributeTask, drawAttributeScene, pickColourOptions } from './tasks/attribute.js';
export type { AttributeScene } from './tasks/attribute.js';
export { positionTask, drawPositionScene, positionAnswer, positionQuestion, wellSeparated, axisCoord } from './tasks/position.js';
export type { PositionScene } from './tasks/position.js';
export { countTask, pickCountOptions } from './tasks/count.js';
export { pairTask } from './tasks/pair.js';
export { chaseTask, drawChase, chaseStep, followChain, chaseQuestion, CHASE_GRID, CHASE_CELLS, DIRECTION_COLOURS } from './tasks/chase.js';
export type { ChaseItem, ChaseCell, ChaseOptions, ChaseCounterfactual } from './tasks/chase.js';
export { majorityTask, drawMajority, MAJORITY_QUESTION, MAJORITY_OPTIONS } from './tasks/majority.js';
export type { MajorityItem, MajorityOptions } from './tasks/majority.js';
export { TASK_FAMILIES, getTaskFamily } from './tasks/registry.js';
export { allocateCounts, generateExamples } from './examples.js';
export type { SuiteSplit, SyntheticExample, TaskCounts } from './examples.js';
export { toLvrSftRecord, toBenchmarkRecord, formatJsonArray, formatJsonLines } from './records.js';
export type { LvrSftJsonRecord, BenchmarkJsonRecord, LvrMetaEntry } from './records.js';
export { questionOnlyBaseline } from './baseline.js';
export type { BaselineItem, BaselineResult } from './baseline.js';
export { resolveSuiteOptions } from './suite-options.js';
export type { SuiteOptions, ResolvedSuiteOptions } from './suite-options.js';
export { generateSuite, SYNTHETIC_SUITE_VERSION, SUITE_SPECIAL_TOKENS, SUITE_FILES } from './suite.js';
export type { SuiteManifest, SuiteResult } from './suite.js';
export { readSyntheticTestSet } from './test-set.js';
export { renderPreview } from './preview.js';
export type { PreviewItem, PreviewOptions } from './preview.js';
