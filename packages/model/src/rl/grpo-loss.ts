import * as tf from '@tensorflow/tfjs';
import { LvrError } from '@lvr/core';
import { grpoLoss, type GrpoLossOptions, type GrpoLossResult } from '@lvr/rl';
import { customOp } from '../ops/custom-op.js';

/** The weight-independent inputs of {@link grpoLossTfjs}, on the same (B, C) grid as the policy log-probs. */
export interface GrpoLossTargets {
  /** (B·C) log π_old; omit when μ = 1 (then old = the policy values, detached: ratio ≡ 1). */
  oldLogp?: ArrayLike<number> | undefined;
  /** (B·C) log π_ref; required when β > 0. */
  refLogp?: ArrayLike<number> | undefined;
  /** (B) advantages. */
  advantages: ArrayLike<number>;
  /** (B·C) 1 = carries gradient. */
  mask: ArrayLike<number>;
}

/**
 * The GRPO_latent loss as a tfjs scalar with a gradient into the policy log-probs `logp` (B, C): forward and
 * backward are `@lvr/rl`'s `grpoLoss` (clipped ratio, k3 KL with β, `bnpo` / `grpo` / `dr_grpo` aggregation), so
 * the math that the hand-computed tests check is the math that trains. Returns the statistics too.
 *
 * @example
 * const { loss, stats } = grpoLossTfjs(policy.tensor!, { refLogp, advantages, mask }, { beta: 0.04, epsilonLow: 0.2,
 *   epsilonHigh: 0.2, lossType: 'bnpo', maxCompletionLength: 64 });
 */
export function grpoLossTfjs(logp: tf.Tensor2D, targets: GrpoLossTargets, options: GrpoLossOptions): { loss: tf.Scalar; stats: GrpoLossResult } {
  const [b, c] = logp.shape;
  let stats: GrpoLossResult | undefined;
  const f = customOp<tf.Scalar>(([x], save) => {
    save([]);
    const values = (x as tf.Tensor2D).dataSync() as Float32Array;
    const r = grpoLoss({
      batch: b, length: c, logp: values, oldLogp: targets.oldLogp ?? values, refLogp: targets.refLogp,
      advantages: targets.advantages, mask: targets.mask,
    }, options);
    stats = r;
    return {
      value: tf.scalar(r.loss),
      gradFunc: (dy) => {
        const s = (dy.dataSync() as Float32Array)[0] as number;
        return [tf.tensor2d(Float32Array.from(r.grad, (g) => g * s), [b, c])];
      },
    };
  });
  const loss = f(logp);
  if (stats === undefined) throw new LvrError('NUMERIC', 'grpoLossTfjs: the loss op did not run');
  return { loss, stats };
}
