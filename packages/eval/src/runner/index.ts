export { answerConstraint, chosenOption, type AnswerFormatIds, type EvalMethod } from './answer-protocol.js';
export { evaluateItems, strategyName, type EvalModel, type EvaluateOptions, type EvalRecord, type EvaluateResult } from './evaluate.js';
export { lvrLatentTransform, derangement, probeApplies, PROBES_LVR, PROBES_LIVR, PROBES_LVR_ROI, PROBES_TRT, PROBES_FEEDING, PROBES_NEED_REFERENCE, type ProbeKind } from './probes.js';
export { encodeItemVisuals, probeFeedVectors, hopDecodability, type ItemVisual, type HopHits } from './item-visual.js';
export { roiTokenIndices, distractorTokenIndices, distractorVectors, tokenRows, nearestToken, roiHitFraction } from './roi.js';
export { pairedDifferenceCi } from './paired.js';
export { summarizeRecords } from './summarize.js';
export { CodebookVisionModel } from './codebook-vision.js';
export { probeSummaryRow, probeSummaryAcrossSeeds, hopDecodabilityTable, alignScores, type ProbeSummaryRow, type ProbeSeedsSummary, type HopDecodabilityRow } from './probe-summary.js';
