import * as tf from '@tensorflow/tfjs';

/** Backward pass of a custom op: upstream gradient and the tensors saved in the forward → one gradient per input. */
export type GradFn = (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor[];

/**
 * Typed wrapper over `tf.customGrad`. The backward pass may only use tensors passed to `save` or created
 * outside the op (tfjs disposes the forward's other intermediates).
 */
export function customOp<T extends tf.Tensor = tf.Tensor>(
  fn: (inputs: tf.Tensor[], save: tf.GradSaveFunc) => { value: tf.Tensor; gradFunc: GradFn },
): (...inputs: tf.Tensor[]) => T {
  const f = tf.customGrad(((...args: unknown[]) => {
    const save = args.pop() as tf.GradSaveFunc;
    return fn(args as tf.Tensor[], save);
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return (...inputs: tf.Tensor[]) => f(...inputs) as T;
}
