import { LvrError } from '@lvr/core';

/**
 * A linear probe: multinomial logistic regression (softmax over `numClasses`) on whitened features, fitted by
 * full-batch gradient descent with Nesterov momentum from zero weights for a fixed number of iterations.
 *
 * Why plain TS and not a tfjs model: the problem is tiny (a few thousand rows × 64 features × ≤ 8 classes), so it
 * runs in well under a second; full-batch descent from a zero start with a fixed iteration count is exact arithmetic
 * in a fixed order — the same numbers on every backend and every run (no seeds, no minibatch order); and keeping it
 * free of tfjs lets it score features from any source (tfjs, ONNX, cached tokens). Logistic rather than least-squares
 * one-vs-rest, because with 8 classes a ridge classifier can "mask" classes that are linearly separable.
 */
export interface LinearProbeOptions {
  /** Gradient-descent iterations. Default 300. */
  iterations?: number;
  /** Step size on the whitened features. Default 1/L, L = the gradient's Lipschitz bound (from a power iteration). */
  learningRate?: number;
  /** L2 penalty on the weights (not the bias), per row. Default 1e-4. */
  l2?: number;
}

/** A fitted probe (weights on whitened features). */
export interface LinearProbe {
  readonly kind: 'softmax';
  readonly dim: number;
  readonly numClasses: number;
  /** Mean of the training rows, and the lower Cholesky factor L (dim × dim) of their covariance: features are whitened as L⁻¹(x − mean). */
  readonly mean: Float64Array;
  readonly chol: Float64Array;
  /** (numClasses × dim) row-major. */
  readonly weights: Float64Array;
  readonly bias: Float64Array;
}

function check(features: ArrayLike<number>, dim: number, labels: ArrayLike<number>, numClasses: number, what: string): number {
  if (!Number.isInteger(dim) || dim < 1) throw new LvrError('INVALID_ARGUMENT', `${what}: dim must be a positive integer, got ${dim}`);
  if (!Number.isInteger(numClasses) || numClasses < 2) throw new LvrError('INVALID_ARGUMENT', `${what}: numClasses must be an integer ≥ 2, got ${numClasses}`);
  const n = labels.length;
  if (features.length !== n * dim) {
    throw new LvrError('INVALID_ARGUMENT', `${what}: ${features.length} feature values for ${n} labels of dim ${dim}`);
  }
  for (let i = 0; i < n; i++) {
    const y = labels[i]!;
    if (!Number.isInteger(y) || y < 0 || y >= numClasses) throw new LvrError('INVALID_ARGUMENT', `${what}: label ${i} is ${y}, outside 0..${numClasses - 1}`);
  }
  for (let i = 0; i < features.length; i++) {
    if (!Number.isFinite(features[i]!)) throw new LvrError('NUMERIC', `${what}: feature value ${i} is not finite`);
  }
  return n;
}

/**
 * Fits a softmax probe to `features` (n × dim, row-major) and integer `labels` in `0..numClasses-1`.
 *
 * @example
 * const probe = fitLinearProbe(trainX, 64, trainY, 8);
 * probeAccuracy(probe, testX, testY); // 0.93
 */
export function fitLinearProbe(
  features: ArrayLike<number>, dim: number, labels: ArrayLike<number>, numClasses: number, opts: LinearProbeOptions = {},
): LinearProbe {
  const n = check(features, dim, labels, numClasses, 'fitLinearProbe');
  if (n === 0) throw new LvrError('INVALID_ARGUMENT', 'fitLinearProbe: no training rows');
  const mean = new Float64Array(dim);
  for (let i = 0; i < n; i++) for (let d = 0; d < dim; d++) mean[d]! += features[i * dim + d]! / n;
  const chol = whiteningFactor(features, n, dim, mean);
  const x = whiten(features, n, dim, mean, chol);

  const iterations = opts.iterations ?? 300;
  const l2 = opts.l2 ?? 1e-4;
  if (!Number.isInteger(iterations) || iterations < 1) throw new LvrError('CONFIG_INVALID', `fitLinearProbe: iterations must be a positive integer, got ${iterations}`);
  const lr = opts.learningRate ?? 1 / (0.5 * topEigenvalue(x, n, dim) + l2);
  if (!(lr > 0) || !(l2 >= 0)) throw new LvrError('CONFIG_INVALID', `fitLinearProbe: need learningRate > 0 and l2 ≥ 0, got ${lr} and ${l2}`);
  const k = numClasses;
  const p = k * (dim + 1); // weights then biases
  const theta = new Float64Array(p);
  const velocity = new Float64Array(p);
  const look = new Float64Array(p);
  const grad = new Float64Array(p);
  const prob = new Float64Array(k);
  const momentum = 0.9;
  for (let it = 0; it < iterations; it++) {
    for (let j = 0; j < p; j++) look[j] = theta[j]! + momentum * velocity[j]!;
    grad.fill(0);
    for (let i = 0; i < n; i++) {
      softmaxRow(look, x, i, dim, k, prob);
      prob[labels[i]!]! -= 1;
      for (let c = 0; c < k; c++) {
        const g = prob[c]! / n;
        if (g === 0) continue;
        const row = c * dim;
        for (let d = 0; d < dim; d++) grad[row + d]! += g * x[i * dim + d]!;
        grad[k * dim + c]! += g;
      }
    }
    for (let j = 0; j < k * dim; j++) grad[j]! += l2 * look[j]!;
    for (let j = 0; j < p; j++) {
      velocity[j] = momentum * velocity[j]! - lr * grad[j]!;
      theta[j]! += velocity[j]!;
    }
  }
  return Object.freeze({ kind: 'softmax', dim, numClasses: k, mean, chol, weights: theta.slice(0, k * dim), bias: theta.slice(k * dim) });
}

/**
 * Lower Cholesky factor of the rows' covariance (+ a 1e-6 relative ridge, so constant or collinear features stay
 * solvable). Whitening makes the problem well conditioned: trained visual tokens share a large common direction,
 * and plain gradient descent on merely standardised features would stall along the small directions.
 */
function whiteningFactor(features: ArrayLike<number>, n: number, dim: number, mean: Float64Array): Float64Array {
  const cov = new Float64Array(dim * dim);
  const row = new Float64Array(dim);
  for (let i = 0; i < n; i++) {
    for (let d = 0; d < dim; d++) row[d] = features[i * dim + d]! - mean[d]!;
    for (let a = 0; a < dim; a++) for (let b = 0; b <= a; b++) cov[a * dim + b]! += (row[a]! * row[b]!) / n;
  }
  let trace = 0;
  for (let d = 0; d < dim; d++) trace += cov[d * dim + d]!;
  const ridge = 1e-6 * (trace / dim) + 1e-12;
  const l = new Float64Array(dim * dim);
  for (let a = 0; a < dim; a++) {
    for (let b = 0; b <= a; b++) {
      let sum = cov[a * dim + b]! + (a === b ? ridge : 0);
      for (let k = 0; k < b; k++) sum -= l[a * dim + k]! * l[b * dim + k]!;
      l[a * dim + b] = a === b ? Math.sqrt(Math.max(sum, ridge)) : sum / l[b * dim + b]!;
    }
  }
  return l;
}

/** Rows whitened as L⁻¹(x − mean) by forward substitution. */
function whiten(features: ArrayLike<number>, n: number, dim: number, mean: Float64Array, l: Float64Array): Float64Array {
  const out = new Float64Array(n * dim);
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < dim; a++) {
      let v = features[i * dim + a]! - mean[a]!;
      for (let k = 0; k < a; k++) v -= l[a * dim + k]! * out[i * dim + k]!;
      out[i * dim + a] = v / l[a * dim + a]!;
    }
  }
  return out;
}

/** Largest eigenvalue of [x 1]ᵀ[x 1] / n (with the bias column), by 60 power iterations from a ones vector. */
function topEigenvalue(x: Float64Array, n: number, dim: number): number {
  let v = new Float64Array(dim + 1).fill(1 / Math.sqrt(dim + 1));
  let lambda = 1;
  for (let it = 0; it < 60; it++) {
    const w = new Float64Array(dim + 1);
    for (let i = 0; i < n; i++) {
      let s = v[dim]!;
      for (let d = 0; d < dim; d++) s += x[i * dim + d]! * v[d]!;
      for (let d = 0; d < dim; d++) w[d]! += (s * x[i * dim + d]!) / n;
      w[dim]! += s / n;
    }
    let norm = 0;
    for (let d = 0; d <= dim; d++) norm += w[d]! * w[d]!;
    lambda = Math.sqrt(norm);
    if (!(lambda > 0)) return 1;
    for (let d = 0; d <= dim; d++) w[d]! /= lambda;
    v = w;
  }
  return lambda;
}

/** Softmax of the logits of whitened row `i` of `x` under packed parameters `theta` (weights, then biases). */
function softmaxRow(theta: Float64Array, x: Float64Array, i: number, dim: number, k: number, out: Float64Array): void {
  let max = -Infinity;
  for (let c = 0; c < k; c++) {
    let z = theta[k * dim + c]!;
    for (let d = 0; d < dim; d++) z += theta[c * dim + d]! * x[i * dim + d]!;
    out[c] = z;
    if (z > max) max = z;
  }
  let sum = 0;
  for (let c = 0; c < k; c++) sum += out[c] = Math.exp(out[c]! - max);
  for (let c = 0; c < k; c++) out[c]! /= sum;
}

/** Class scores (logits) of each row: (n × numClasses) row-major. */
export function probeLogits(probe: LinearProbe, features: ArrayLike<number>): Float64Array {
  const { dim, numClasses: k } = probe;
  if (features.length % dim !== 0) throw new LvrError('INVALID_ARGUMENT', `probeLogits: ${features.length} values are not rows of dim ${dim}`);
  const n = features.length / dim;
  const out = new Float64Array(n * k);
  const x = whiten(features, n, dim, probe.mean, probe.chol);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < k; c++) {
      let z = probe.bias[c]!;
      for (let d = 0; d < dim; d++) z += probe.weights[c * dim + d]! * x[i * dim + d]!;
      out[i * k + c] = z;
    }
  }
  return out;
}

/** The predicted class of each row (argmax of {@link probeLogits}, lowest index on ties). */
export function probePredict(probe: LinearProbe, features: ArrayLike<number>): Int32Array {
  const z = probeLogits(probe, features);
  const k = probe.numClasses;
  const out = new Int32Array(z.length / k);
  for (let i = 0; i < out.length; i++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (z[i * k + c]! > z[i * k + best]!) best = c;
    out[i] = best;
  }
  return out;
}

/** Fraction of rows whose predicted class equals the label. */
export function probeAccuracy(probe: LinearProbe, features: ArrayLike<number>, labels: ArrayLike<number>): number {
  const n = check(features, probe.dim, labels, probe.numClasses, 'probeAccuracy');
  if (n === 0) throw new LvrError('INVALID_ARGUMENT', 'probeAccuracy: no rows to score');
  const pred = probePredict(probe, features);
  let hit = 0;
  for (let i = 0; i < n; i++) if (pred[i] === labels[i]) hit++;
  return hit / n;
}
