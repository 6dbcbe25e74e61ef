import { LvrError } from '@lvr/core';

/**
 * How the next token is chosen from a row's logits. A discriminated union on `kind`:
 * - `greedy`: argmax (after the repetition penalty and suppressed ids); consumes no randomness.
 * - `sample`: multinomial sampling from softmax(logits / temperature) restricted by top-k and top-p, with the
 *   row's own seeded `Rng`. `temperature: 0` is accepted and resolves to `greedy`.
 *
 * Processor order is Hugging Face's: repetition penalty → suppressed ids → temperature → top-k → top-p.
 *
 * @example
 * const greedy: SamplerConfig = { kind: 'greedy', repetitionPenalty: 1.05 }; // the LVR evaluation setting
 * const rollout: SamplerConfig = { kind: 'sample', temperature: 0.9, topK: 50, topP: 1 }; // GRPO rollouts
 */
export type SamplerConfig =
  | {
      readonly kind: 'greedy';
      /** HF-style repetition penalty θ ≥ 1 (1 = off): positive logits of seen tokens ÷ θ, negative ones × θ. */
      readonly repetitionPenalty?: number | undefined;
    }
  | {
      readonly kind: 'sample';
      /** Softmax temperature > 0 (default 1); 0 means greedy. */
      readonly temperature?: number | undefined;
      /** Keep only the k most likely tokens (default 0 = off). */
      readonly topK?: number | undefined;
      /** Nucleus: keep the smallest set of most likely tokens whose mass reaches p (default 1 = off). */
      readonly topP?: number | undefined;
      /** As for `greedy` (default 1 = off). */
      readonly repetitionPenalty?: number | undefined;
    };

/** A {@link SamplerConfig} with every default filled in, frozen. */
export type ResolvedSampler =
  | { readonly kind: 'greedy'; readonly repetitionPenalty: number }
  | {
      readonly kind: 'sample';
      readonly temperature: number;
      readonly topK: number;
      readonly topP: number;
      readonly repetitionPenalty: number;
    };

function invalid(field: string, value: unknown, rule: string): never {
  throw new LvrError('CONFIG_INVALID', `sampler.${field} must be ${rule}, got ${JSON.stringify(value)}`, {
    details: { field, value },
  });
}

/**
 * Fills defaults and validates a sampler config (default `{ kind: 'greedy' }`).
 *
 * @example
 * resolveSamplerConfig({ kind: 'sample', temperature: 0.9 });
 * // { kind: 'sample', temperature: 0.9, topK: 0, topP: 1, repetitionPenalty: 1 }
 */
export function resolveSamplerConfig(config: SamplerConfig = { kind: 'greedy' }): ResolvedSampler {
  const rp = config.repetitionPenalty ?? 1;
  if (!Number.isFinite(rp) || rp <= 0) invalid('repetitionPenalty', rp, 'a finite number > 0 (1 = off)');
  if (config.kind === 'greedy') return Object.freeze({ kind: 'greedy', repetitionPenalty: rp });
  if (config.kind !== 'sample') {
    invalid('kind', (config as { kind?: unknown }).kind, "'greedy' or 'sample'");
  }
  const temperature = config.temperature ?? 1;
  if (!Number.isFinite(temperature) || temperature < 0) invalid('temperature', temperature, 'a finite number ≥ 0');
  const topK = config.topK ?? 0;
  if (!Number.isInteger(topK) || topK < 0) invalid('topK', topK, 'an integer ≥ 0 (0 = off)');
  const topP = config.topP ?? 1;
  if (!Number.isFinite(topP) || topP <= 0 || topP > 1) invalid('topP', topP, 'a number in (0, 1] (1 = off)');
  if (temperature === 0) return Object.freeze({ kind: 'greedy', repetitionPenalty: rp });
  return Object.freeze({ kind: 'sample', temperature, topK, topP, repetitionPenalty: rp });
}

const SAMPLER_KEYS: Readonly<Record<string, 'temperature' | 'topK' | 'topP' | 'repetitionPenalty'>> = {
  t: 'temperature', temperature: 'temperature', k: 'topK', topk: 'topK', p: 'topP', topp: 'topP',
  rp: 'repetitionPenalty', repetitionpenalty: 'repetitionPenalty',
};

/**
 * Parses a command-line sampler spec: `greedy`, `greedy:rp=1.05`, `sample`, `sample:t=0.9,k=50,p=0.95,rp=1.1`
 * (long names `temperature`, `topK`, `topP`, `repetitionPenalty` work too). The result is validated.
 *
 * @example
 * parseSamplerSpec('sample:t=0.9,k=50'); // { kind: 'sample', temperature: 0.9, topK: 50, topP: 1, repetitionPenalty: 1 }
 */
export function parseSamplerSpec(spec: string): ResolvedSampler {
  const [kind = '', rest = ''] = spec.trim().split(/:(.*)/s);
  if (kind !== 'greedy' && kind !== 'sample') {
    throw new LvrError('CONFIG_INVALID', `sampler spec ${JSON.stringify(spec)}: kind must be 'greedy' or 'sample'`, {
      details: { spec },
    });
  }
  const values: Partial<Record<'temperature' | 'topK' | 'topP' | 'repetitionPenalty', number>> = {};
  for (const part of rest.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
    const [rawKey = '', rawValue = ''] = part.split('=');
    const key = SAMPLER_KEYS[rawKey.trim().toLowerCase()];
    const value = rawValue.trim() === '' ? Number.NaN : Number(rawValue);
    if (key === undefined || !Number.isFinite(value)) {
      throw new LvrError('CONFIG_INVALID', `sampler spec ${JSON.stringify(spec)}: cannot read ${JSON.stringify(part)} ` +
        '(expected t=, k=, p= or rp= with a number)', { details: { spec, part } });
    }
    if (kind === 'greedy' && key !== 'repetitionPenalty') {
      throw new LvrError('CONFIG_INVALID', `sampler spec ${JSON.stringify(spec)}: greedy takes only rp=`, { details: { spec, part } });
    }
    values[key] = value;
  }
  return resolveSamplerConfig(kind === 'greedy' ? { kind, repetitionPenalty: values.repetitionPenalty } : { kind, ...values });
}
