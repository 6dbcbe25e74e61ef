import type { GenerateResult } from '@lvr/decoding';

/**
 * What a reward function knows about the prompt a completion answers: the ground truth in the forms the
 * built-in rewards read, plus whatever else the data set carries.
 */
export interface RewardSample {
  /** Id of the prompt (record id). */
  readonly id: string;
  /** The reference solution, e.g. `"<answer>4</answer>"` (GRPO JSON) or `"<answer> red </answer>"` (suite). */
  readonly solution: string;
  /** The question text (without image tokens), when known. */
  readonly question?: string | undefined;
  /** Multiple-choice option words in letter order (A, B, …), when the item is multiple choice. */
  readonly options?: readonly string[] | undefined;
  /** The correct option letter (`"A"`, `"B"`, …), when the item is multiple choice. */
  readonly answerLetter?: string | undefined;
  /** Every other field of the source record. */
  readonly extra?: Readonly<Record<string, unknown>> | undefined;
}

/**
 * One reward call's input: B completions and, aligned with them, the sample each one answers (the G completions
 * of a group share one sample). `traces` gives latent-aware rewards access to the decoding trace of each row.
 */
export interface RewardBatch {
  /** Decoded completion texts (see `completionText`: cut at the first EOS, latent placeholders shown as `<|lvr|>`). */
  readonly completions: readonly string[];
  readonly samples: readonly RewardSample[];
  readonly traces?: readonly GenerateResult[] | undefined;
}

/**
 * Hooks a reward function may use; it never sees the trainer. `logMetric` adds a scalar to this step's metrics
 * (use a slash-namespaced name such as `reward/accuracy/parsed_ratio`); `logExtra` attaches one value per
 * completion to the step's `completions.jsonl` records.
 */
export interface RewardContext {
  /** 0-based optimizer step whose rollouts are being scored. */
  readonly step: number;
  logMetric(name: string, value: number): void;
  logExtra(name: string, values: readonly (string | number | null)[]): void;
}

/**
 * A reward: one value per completion, `null` meaning "not applicable to this sample" (it then adds nothing to
 * the row's total and is left out of the function's mean). Pure, synchronous, dependency-free.
 *
 * @example
 * const short: RewardFn = (batch) => batch.completions.map((c) => (c.length < 80 ? 1 : 0));
 */
export type RewardFn = (batch: RewardBatch, ctx: RewardContext) => readonly (number | null)[];

/**
 * One entry of `GrpoConfig.rewards`: a built-in reward by name (`accuracy`, `format`, `format-lenient`, `choice`),
 * or a user function under its own name. The row's total reward is Σ weight · value over non-null values.
 *
 * @example
 * const specs: RewardSpec[] = [{ name: 'accuracy' }, { name: 'format', weight: 0.5 }, { name: 'short', fn: short }];
 */
export interface RewardSpec {
  readonly name: string;
  /** Default 1. */
  readonly weight?: number | undefined;
  /** A user-supplied reward; omit for a built-in. */
  readonly fn?: RewardFn | undefined;
}

/** A reward spec after resolution: the function is known and the weight filled in. */
export interface ResolvedReward {
  readonly name: string;
  readonly weight: number;
  readonly fn: RewardFn;
  /** True for the built-in rewards. */
  readonly builtin: boolean;
}
