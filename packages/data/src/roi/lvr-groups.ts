import { boxesToTokenGroups } from './bbox-to-tokens.js';
import type { NormalizedBox } from './box.js';
import type { PatchGrid, RoiOptions } from './options.js';

/** The ROI fields of an SFT record that decide its latent groups (`LvrSftRecord` has them). */
export interface LvrGroupSource {
  readonly bboxes: readonly NormalizedBox[];
  /** All boxes belong to one `<lvr>` placeholder, in order (`"lvr_chain": true`). */
  readonly lvrChain?: boolean | undefined;
}

/**
 * The `lvrGroups` of an SFT record for `buildLvrSftSequence`: one group of token indices per `<lvr>` placeholder.
 * A plain record gets one group per box (`boxesToTokenGroups`, each sorted in raster order). A chain record
 * (`lvrChain`) gets ONE group: each box's token indices in box order, concatenated and NOT sorted or
 * deduplicated — so latent t of the span targets the t-th box (chase: the hop-t cell; a revisited cell repeats).
 *
 * @example
 * // chase k = 3 on the 64-px board (grid 8×8 patches, merge 2 → 4×4 tokens), hops 6 → 2 → 14:
 * recordLvrGroups({ bboxes: [cell6, cell2, cell14], lvrChain: true }, { t: 1, h: 8, w: 8 }); // [[6, 2, 14]]
 */
export function recordLvrGroups(rec: LvrGroupSource, grid: PatchGrid, options: RoiOptions = {}): number[][] {
  const groups = boxesToTokenGroups(rec.bboxes, grid, options);
  return rec.lvrChain === true ? [groups.flat()] : groups;
}
