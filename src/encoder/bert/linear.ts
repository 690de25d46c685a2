/**
 * The one function every dense layer of the encoder goes through. It is the seam for LoRA (via
 * BertHooks.linear) and for a later int8 WGSL matmul kernel (a different LinearWeights representation).
 */
import * as tf from '@tensorflow/tfjs';
import { frozenDense } from './matmul';
import type { LinearWeights } from './weights';

/**
 * y = x @ w + b for x [..., in] -> [..., out]. Leading dims are folded into rows for one 2-D matmul. The encoder's
 * weights are frozen: gradients flow to x only.
 */
export function linear(x: tf.Tensor, { w, b }: LinearWeights): tf.Tensor {
  const [inDim, outDim] = w.shape;
  const lead = x.shape.slice(0, -1);
  const rows = tf.reshape(x, [-1, inDim]) as tf.Tensor2D; // [rows, in]
  const y = frozenDense(rows, w, b); // [rows, out]
  return tf.reshape(y, [...lead, outDim]);
}
