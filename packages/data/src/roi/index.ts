/**
 * ROI → visual-token indices: which merged (post-merger) image tokens a normalised box covers, with the
 * reference's packed rule (default) and its non-packed "manual" rule (lvr-reference.md §2.4).
 */
export { bboxToTokenIndices, bboxToTokenRange, boxesToTokenGroups, roiTokenCount } from './bbox-to-tokens.js';
export { assertBox, MAX_BOXES_PER_RECORD, unionBox } from './box.js';
export { recordLvrGroups } from './lvr-groups.js';
export type { LvrGroupSource } from './lvr-groups.js';
export type { NormalizedBox } from './box.js';
export { resolveRoiOptions, mergedGridOf } from './options.js';
export type { MergedGrid, PatchGrid, ResolvedRoiOptions, RoiOptions, RoiRule } from './options.js';
export { manualRange, packedRange, rangeArea } from './token-range.js';
export type { TokenRange } from './token-range.js';
