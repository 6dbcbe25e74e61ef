/**
 * The ratio table of `npm run bench`: every measurement against its reference (PyTorch or PIL), the ratio and the
 * team's target. Time ratios (decode, training) are @lvr time ÷ reference time, lower is better; speed ratios
 * (preprocessing, GFLOP/s) are @lvr rate ÷ reference rate, higher is better.
 */
import type { DecodeTiming } from './decode-timing.js';
import type { MatmulPeak, TrainFlops } from './flops.js';
import type { PreprocessComparison } from './pil-compare.js';
import type { TrainCase, TrainTiming } from './train-timing.js';

/** Everything one run measured; reference parts are absent with `--skip-torch`. */
export interface BenchResults {
  readonly decode: {
    readonly ort: readonly DecodeTiming[];
    readonly tfjs: readonly DecodeTiming[];
    readonly torch?: readonly DecodeTiming[] | undefined;
  };
  readonly train: {
    readonly batch: number;
    readonly length: number;
    readonly tfjs: readonly TrainTiming[];
    readonly torch?: Readonly<Partial<Record<TrainCase, number>>> | undefined;
    readonly flops: Readonly<Record<TrainCase, TrainFlops>>;
  };
  readonly preprocess: readonly PreprocessComparison[];
  readonly peak: { readonly tfjs: MatmulPeak; readonly torch?: MatmulPeak | undefined };
}

/** The team's targets (issue 7 item 5). */
export const TARGETS = Object.freeze({
  /** ORT time per token ÷ PyTorch's. */
  ortDecodeTime: 0.5,
  /** tfjs train-step time ÷ PyTorch's at demo size. */
  tfjsTrainTime: 1.0,
  /** @lvr/data images/s ÷ PIL's. */
  preprocessSpeed: 3,
});

/** One row of the table. */
export interface RatioRow {
  readonly benchmark: string;
  readonly case: string;
  readonly lvr: string;
  readonly reference: string;
  readonly ratio: string;
  readonly target: string;
  readonly status: string;
}

const fmt = (x: number, digits: number): string => x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
/** Milliseconds with 2 significant decimals below 10, 1 below 100, else none. */
export const ms = (x: number): string => `${fmt(x, x < 10 ? 2 : x < 100 ? 1 : 0)} ms`;
/** A ratio with two decimals and a ×. */
export const times = (x: number): string => `${fmt(x, 2)}×`;
const rate = (x: number): string => fmt(x, x < 100 ? 1 : 0);
const status = (ok: boolean | undefined): string => (ok === undefined ? '–' : ok ? 'met' : 'not met');

function decodeRows(name: string, ours: readonly DecodeTiming[], ref: readonly DecodeTiming[] | undefined, target?: number): RatioRow[] {
  return ours.map((o) => {
    const r = ref?.find((x) => x.batch === o.batch && x.context === o.context);
    const cell = (t: DecodeTiming): string => `${ms(t.tokenMs)}/token · ${rate((1000 * t.batch) / t.latentMs)} latent steps/s`;
    const tokenRatio = r ? o.tokenMs / r.tokenMs : undefined;
    return {
      benchmark: `decode, ${name} vs PyTorch`,
      case: `B=${o.batch}, context ${o.context}`,
      lvr: cell(o),
      reference: r ? cell(r) : 'not run',
      ratio: r ? `${times(o.tokenMs / r.tokenMs)} time (token) · ${times(o.latentMs / r.latentMs)} (latent)` : '–',
      target: target === undefined ? '–' : `≤ ${times(target)} time (token)`,
      status: target === undefined || tokenRatio === undefined ? '–' : status(tokenRatio <= target),
    };
  });
}

const CASE_NAMES: Readonly<Record<TrainCase, string>> = { full: 'full (ViT trainable)', lm: 'LM only (cached visual tokens)' };

/**
 * Builds the rows of the ratio table.
 *
 * @example
 * console.log(ratioTable(ratioRows(results)));
 */
export function ratioRows(res: BenchResults): RatioRow[] {
  const rows: RatioRow[] = [
    ...decodeRows('ORT', res.decode.ort, res.decode.torch, TARGETS.ortDecodeTime),
    ...decodeRows('tfjs-wasm', res.decode.tfjs, res.decode.torch),
  ];
  for (const t of res.train.tfjs) {
    const ref = res.train.torch?.[t.case];
    const ratio = ref === undefined ? undefined : t.ms / ref;
    rows.push({
      benchmark: 'train step, tfjs-wasm vs PyTorch',
      case: `${CASE_NAMES[t.case]}, B=${res.train.batch}, L=${res.train.length}`,
      lvr: ms(t.ms),
      reference: ref === undefined ? 'not run' : ms(ref),
      ratio: ratio === undefined ? '–' : `${times(ratio)} time`,
      target: `≤ ${times(TARGETS.tfjsTrainTime)} time`,
      status: status(ratio === undefined ? undefined : ratio <= TARGETS.tfjsTrainTime),
    });
  }
  for (const p of res.preprocess) {
    const name = p.file.split('/').pop() ?? p.file;
    const speed = p.lvr.pil / p.pil;
    rows.push({
      benchmark: 'preprocessing, @lvr/data vs PIL + numpy',
      case: `${name} (${p.rows} rows)`,
      lvr: `${rate(p.lvr.pil)} img/s (resize \`sharp\`: ${rate(p.lvr.sharp)})`,
      reference: `${rate(p.pil)} img/s`,
      ratio: `${times(speed)} speed`,
      target: `≥ ${times(TARGETS.preprocessSpeed)} speed`,
      status: status(speed >= TARGETS.preprocessSpeed),
    });
  }
  const { tfjs: pt, torch: pp } = res.peak;
  const machine = Math.max(pt.gflops, pp?.gflops ?? 0);
  rows.push({
    benchmark: 'peak: one rank-2 fp32 matmul',
    case: `${pt.n}×${pt.n}×${pt.n}, tfjs-wasm vs PyTorch`,
    lvr: `${rate(pt.gflops)} GFLOP/s`,
    reference: pp ? `${rate(pp.gflops)} GFLOP/s` : 'not run',
    ratio: pp ? `${times(pt.gflops / pp.gflops)} speed` : '–',
    target: '–',
    status: '–',
  });
  for (const t of res.train.tfjs) {
    const f = res.train.flops[t.case].step;
    const ours = f / (t.ms / 1000) / 1e9;
    const refMs = res.train.torch?.[t.case];
    const theirs = refMs === undefined ? undefined : f / (refMs / 1000) / 1e9;
    const pct = (g: number, peak: number): string => `${fmt((100 * g) / peak, 0)} %`;
    rows.push({
      benchmark: 'achieved GFLOP/s, train step',
      case: `${CASE_NAMES[t.case]}: ${fmt(f / 1e9, 2)} GFLOP/step (3 × forward matmuls)`,
      lvr: `${rate(ours)} GFLOP/s = ${pct(ours, pt.gflops)} of the wasm peak, ${pct(ours, machine)} of the machine peak`,
      reference: theirs === undefined || pp === undefined ? 'not run' : `${rate(theirs)} GFLOP/s = ${pct(theirs, pp.gflops)} of its peak`,
      ratio: theirs === undefined ? '–' : `${times(ours / theirs)} speed`,
      target: '–',
      status: '–',
    });
  }
  return rows;
}

/** Renders rows as one markdown table. */
export function ratioTable(rows: readonly RatioRow[]): string {
  const head = ['benchmark', 'case', '@lvr', 'reference', 'ratio (@lvr ÷ reference)', 'target', 'status'];
  const esc = (s: string): string => s.replace(/\|/g, '\\|');
  const line = (cells: readonly string[]): string => `| ${cells.map(esc).join(' | ')} |`;
  return [line(head), `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => line([r.benchmark, r.case, r.lvr, r.reference, r.ratio, r.target, r.status]))].join('\n');
}
