/**
 * Gradient clipping by global L2 norm, as torch.nn.utils.clip_grad_norm_ (norm_type 2): the norm of the
 * per-tensor norms; every gradient is multiplied by min(1, maxNorm / (totalNorm + 1e-6)).
 */
import * as tf from '@tensorflow/tfjs';

/** torch's guard against division by zero in the clip coefficient. */
export const CLIP_EPS = 1e-6;

export interface ClippedGrads<T extends tf.Tensor> {
  /** New tensors, the caller owns them (the inputs are left untouched). */
  grads: T[];
  /** The global norm before clipping, a scalar the caller owns. */
  totalNorm: tf.Scalar;
}

/**
 * Clips `grads` to global norm `maxNorm`. maxNorm = Infinity (or <= 0) only measures: grads come back as
 * copies, unscaled. No gradients gives totalNorm 0.
 */
export function clipByGlobalNorm<T extends tf.Tensor>(grads: T[], maxNorm: number): ClippedGrads<T> {
  return tf.tidy(() => {
    if (grads.length === 0) return { grads: [] as T[], totalNorm: tf.scalar(0) };
    const norms = grads.map((g) => tf.norm(g)); // [] each, like torch's per-tensor vector_norm
    const totalNorm = tf.norm(tf.stack(norms)) as tf.Scalar;
    if (!(maxNorm > 0) || maxNorm === Infinity) return { grads: grads.map((g) => g.clone()), totalNorm };
    const coef = tf.minimum(tf.div(maxNorm, tf.add(totalNorm, CLIP_EPS)), 1); // clamped to 1
    return { grads: grads.map((g) => tf.mul(g, coef) as T), totalNorm };
  });
}
