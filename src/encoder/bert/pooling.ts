/**
 * Sentence embeddings from token states, as sentence-transformers' Pooling and Normalize modules compute them.
 */
import * as tf from '@tensorflow/tfjs';
import type { PoolingConfig } from '../types';

/**
 * sum(h * mask) / clamp(sum(mask), 1e-9) over the sequence. hidden [batch, seq, hidden], mask [batch, seq]
 * float32 (an int32 mask would go through tfjs-webgpu's broken int32 -> float32 cast).
 */
export function meanPool(hidden: tf.Tensor3D, mask: tf.Tensor2D): tf.Tensor2D {
  const m = tf.expandDims(mask, -1); // [batch, seq, 1]
  const summed = tf.sum(tf.mul(hidden, m), 1); // [batch, hidden]
  const count = tf.maximum(tf.sum(m, 1), 1e-9); // [batch, 1]
  return tf.div(summed, count) as tf.Tensor2D;
}

/** The first token's state. hidden [batch, seq, hidden] -> [batch, hidden]. */
export function clsPool(hidden: tf.Tensor3D): tf.Tensor2D {
  const [batch, , size] = hidden.shape;
  return tf.reshape(tf.slice(hidden, [0, 0, 0], [batch, 1, size]), [batch, size]);
}

/** torch.nn.functional.normalize(x, p=2, dim=-1): x / max(||x||, 1e-12). x [batch, hidden]. */
export function l2Normalize(x: tf.Tensor2D): tf.Tensor2D {
  const norm = tf.sqrt(tf.sum(tf.square(x), -1, true)); // [batch, 1]
  return tf.div(x, tf.maximum(norm, 1e-12)) as tf.Tensor2D;
}

/** Pools and (when the config says so) normalises. hidden [batch, seq, hidden], mask [batch, seq] -> [batch, hidden]. */
export function pool(hidden: tf.Tensor3D, mask: tf.Tensor2D, config: PoolingConfig): tf.Tensor2D {
  const pooled = config.mode === 'cls' ? clsPool(hidden) : meanPool(hidden, mask);
  return config.normalize ? l2Normalize(pooled) : pooled;
}
