/**
 * Logits processors: small pure functions from one row's scores (length V) to new scores. Each returns a new
 * `Float64Array` and leaves its input untouched. Removed tokens get `-Infinity`.
 */

/**
 * HF-style repetition penalty: for every token id in `seen` (the row's prompt and output so far), a positive
 * score is divided by `penalty` and a negative one multiplied by it. `penalty = 1` is a no-op.
 *
 * @example
 * applyRepetitionPenalty(Float64Array.of(2, -2, 1), [0, 1], 2); // [1, -4, 1]
 */
export function applyRepetitionPenalty(scores: ArrayLike<number>, seen: Iterable<number>, penalty: number): Float64Array {
  const out = Float64Array.from(scores);
  if (penalty === 1) return out;
  for (const id of new Set(seen)) {
    if (id < 0 || id >= out.length) continue;
    const s = out[id] as number;
    out[id] = s > 0 ? s / penalty : s * penalty;
  }
  return out;
}

/** Sets the scores of `ids` to `-Infinity` (ids outside the vocabulary are ignored). */
export function suppressTokens(scores: ArrayLike<number>, ids: Iterable<number>): Float64Array {
  const out = Float64Array.from(scores);
  for (const id of ids) if (id >= 0 && id < out.length) out[id] = Number.NEGATIVE_INFINITY;
  return out;
}

/** Divides every score by `temperature` (> 0). */
export function applyTemperature(scores: ArrayLike<number>, temperature: number): Float64Array {
  const out = Float64Array.from(scores);
  if (temperature === 1) return out;
  for (let i = 0; i < out.length; i++) out[i] = (out[i] as number) / temperature;
  return out;
}

/**
 * Keeps the `k` highest scores (ties with the k-th score are all kept, as in HF); `k = 0` or `k ≥ V` is a no-op.
 *
 * @example
 * applyTopK(Float64Array.of(1, 3, 2, 0), 2); // [-Infinity, 3, 2, -Infinity]
 */
export function applyTopK(scores: ArrayLike<number>, k: number): Float64Array {
  const out = Float64Array.from(scores);
  if (k <= 0 || k >= out.length) return out;
  const kth = Float64Array.from(out).sort().reverse()[k - 1] as number;
  for (let i = 0; i < out.length; i++) if ((out[i] as number) < kth) out[i] = Number.NEGATIVE_INFINITY;
  return out;
}

/**
 * Nucleus filter: keeps the smallest set of highest-probability tokens whose softmax mass reaches `p` (the token
 * that crosses `p` is kept; at least one token always stays). `p = 1` is a no-op.
 *
 * @example
 * // probabilities ≈ [0.665, 0.245, 0.09]: p = 0.8 keeps the first two
 * applyTopP(Float64Array.of(2, 1, 0), 0.8); // [2, 1, -Infinity]
 */
export function applyTopP(scores: ArrayLike<number>, p: number): Float64Array {
  const out = Float64Array.from(scores);
  if (p >= 1) return out;
  const probs = softmax(out);
  const order = Array.from(out.keys()).sort((a, b) => (probs[b] as number) - (probs[a] as number) || a - b);
  let mass = 0;
  let kept = 0;
  for (const id of order) {
    if (kept > 0 && mass >= p) out[id] = Number.NEGATIVE_INFINITY;
    else {
      mass += probs[id] as number;
      kept++;
    }
  }
  return out;
}

/** Numerically stable softmax (entries at `-Infinity` get probability 0). */
export function softmax(scores: ArrayLike<number>): Float64Array {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < scores.length; i++) max = Math.max(max, scores[i] as number);
  const out = new Float64Array(scores.length);
  let sum = 0;
  for (let i = 0; i < scores.length; i++) {
    const e = Math.exp((scores[i] as number) - max);
    out[i] = e;
    sum += e;
  }
  for (let i = 0; i < out.length; i++) out[i] = (out[i] as number) / sum;
  return out;
}

/**
 * `log softmax(scores / temperature)[id]`, computed stably. This is the log-probability RL needs for a generated
 * token (the quantity a teacher-forced policy forward computes from raw logits: TRL convention).
 *
 * @example
 * logSoftmaxAt(Float64Array.of(0, 0), 1); // Math.log(0.5)
 */
export function logSoftmaxAt(scores: ArrayLike<number>, id: number, temperature = 1): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < scores.length; i++) max = Math.max(max, (scores[i] as number) / temperature);
  let sum = 0;
  for (let i = 0; i < scores.length; i++) sum += Math.exp((scores[i] as number) / temperature - max);
  return (scores[id] as number) / temperature - max - Math.log(sum);
}

/** Index of the largest score (the first one on ties). */
export function argmax(scores: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < scores.length; i++) if ((scores[i] as number) > (scores[best] as number)) best = i;
  return best;
}
