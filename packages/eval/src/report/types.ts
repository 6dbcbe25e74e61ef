/** A number with its bootstrap 95 % confidence interval. */
export interface MetricCi {
  value: number;
  lo: number;
  hi: number;
  n: number;
}

/** One evaluated configuration (a model + decoding strategy) on one benchmark. */
export interface ReportRow {
  /** Display name, e.g. `LVR (fixed:4)`. */
  label: string;
  /** Model name (`base`, `sft`, `lvr`, `livr`, `lvr+rl`). */
  model: string;
  strategy: string;
  /** Which runtime produced the numbers (`tfjs-wasm`, `onnxruntime-node`). */
  backend: string;
  overall: MetricCi;
  /** Per task / category. */
  perTask: Record<string, MetricCi>;
  /** MMVP-style pair accuracy when the benchmark has pairs. */
  pair?: MetricCi | undefined;
  meanLatentSteps: number;
  items: number;
}

/** One latent-reliance probe of one model: accuracy under the probe and the paired drop. */
export interface ProbeRow {
  model: string;
  strategy: string;
  probe: string;
  accuracy: MetricCi;
  /** normal − probe accuracy, paired bootstrap CI. */
  drop: MetricCi;
}

/** A training curve for the report (`metrics.jsonl` of a run). */
export interface CurveSeries {
  name: string;
  metric: string;
  points: [number, number][];
}

/** Everything `report.json` holds. */
export interface ReportData {
  title: string;
  createdAt: string;
  benchmark: string;
  /** Free-form settings (steps, sizes, seed, timings, chance levels). */
  settings: Record<string, unknown>;
  rows: ReportRow[];
  probes: ProbeRow[];
  curves: CurveSeries[];
  /** Findings stated plainly (computed from the rows, not hand-written). */
  findings: string[];
  /** Relative paths of the pictures. */
  figures: { name: string; path: string; caption: string }[];
}
