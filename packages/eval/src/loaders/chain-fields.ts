import type { NormalizedBox } from '@lvr/data';
import { describe as describeValue, rowError, type RowLocation } from './location.js';

/** The optional chain fields of a synthetic `test.jsonl` record (the reasoning tasks: chase-k). */
export interface ChainFields {
  rois?: NormalizedBox[];
  hops?: number;
  counterfactual?: { rois: NormalizedBox[]; answerWord: string };
}

function box(v: unknown, loc: RowLocation, field: string): NormalizedBox {
  if (!Array.isArray(v) || v.length !== 4 || !v.every((x) => typeof x === 'number' && Number.isFinite(x))) {
    throw rowError(loc, field, `expected [x0, y0, x1, y1] of finite numbers, got ${describeValue(v)}`);
  }
  if (v[0] > v[2] || v[1] > v[3]) throw rowError(loc, field, `expected x0 ≤ x1 and y0 ≤ y1, got ${JSON.stringify(v)}`);
  return [v[0], v[1], v[2], v[3]] as NormalizedBox;
}

function boxes(v: unknown, loc: RowLocation, field: string): NormalizedBox[] {
  if (!Array.isArray(v) || v.length === 0) throw rowError(loc, field, `expected a non-empty array of boxes, got ${describeValue(v)}`);
  return v.map((b, i) => box(b, loc, `${field}[${i}]`));
}

/**
 * Reads and validates the optional fields `rois` (ordered boxes), `hops` (k, a positive integer; when both are
 * present `rois` has k boxes) and `counterfactual: { rois, answer_word }` (`answer_word` one of `options`, not
 * the record's own answer) of one test record. Absent or null fields are left out. Errors are `DATASET_FORMAT`
 * naming the file, line and field.
 *
 * @example
 * readChainFields({ rois: [[0, 0, 0.25, 0.25]], hops: 1, options: ['circle', 'square'], answer_word: 'circle',
 *   counterfactual: { rois: [[0.25, 0, 0.5, 0.25]], answer_word: 'square' } }, { file: 'test.jsonl', line: 1 });
 * // { rois: [[0, 0, 0.25, 0.25]], hops: 1, counterfactual: { rois: [[0.25, 0, 0.5, 0.25]], answerWord: 'square' } }
 */
export function readChainFields(r: Readonly<Record<string, unknown>>, loc: RowLocation): ChainFields {
  const out: ChainFields = {};
  if (r.rois !== undefined && r.rois !== null) out.rois = boxes(r.rois, loc, 'rois');
  if (r.hops !== undefined && r.hops !== null) {
    if (typeof r.hops !== 'number' || !Number.isInteger(r.hops) || r.hops < 1) throw rowError(loc, 'hops', `expected a positive integer, got ${describeValue(r.hops)}`);
    if (out.rois && out.rois.length !== r.hops) throw rowError(loc, 'rois', `expected ${r.hops} boxes (one per hop), got ${out.rois.length}`);
    out.hops = r.hops;
  }
  const cf = r.counterfactual;
  if (cf !== undefined && cf !== null) {
    if (typeof cf !== 'object' || Array.isArray(cf)) throw rowError(loc, 'counterfactual', `expected an object { rois, answer_word }, got ${describeValue(cf)}`);
    const c = cf as Record<string, unknown>;
    const rois = boxes(c.rois, loc, 'counterfactual.rois');
    if (out.hops !== undefined && rois.length !== out.hops) throw rowError(loc, 'counterfactual.rois', `expected ${out.hops} boxes (one per hop), got ${rois.length}`);
    const word = c.answer_word;
    const options = Array.isArray(r.options) ? (r.options as unknown[]) : [];
    if (typeof word !== 'string' || !options.includes(word)) {
      throw rowError(loc, 'counterfactual.answer_word', `expected one of the options (${options.map(String).join(', ')}), got ${describeValue(word)}`);
    }
    if (word === r.answer_word) throw rowError(loc, 'counterfactual.answer_word', `"${word}" is the record's own answer; a counterfactual chain must end elsewhere`);
    out.counterfactual = { rois, answerWord: word };
  }
  return out;
}
