/**
 * The one function every dense layer of the encoder goes through. It is the seam for LoRA (via
 * BertHooks.linear) and for the int8 WGSL matmul (src/kernels): a layer kept int8 on the GPU runs our kernel,
 * any other runs tfjs's ops.
 */
import * as tf from '@tensorflow/tfjs';
import { int8Matmul } from '../../kernels';
import { frozenDense } from './matmul';
import type { LinearWeights } from './weights';

/** [in, out] of a linear layer, whichever way its weight is held. */
export function linearDims({ w, int8 }: LinearWeights): [number, number] {
  return w ? [w.shape[0], w.shape[1]] : [int8!.inDim, int8!.q.shape[0]];
}

/**
 * y = x @ w + b for x [..., in] -> [..., out]. Leading dims are folded into rows for one 2-D matmul. The encoder's
 * weights are frozen: gradients flow to x only. `gelu` fuses transformers' exact GELU into an int8 layer's
 * kernel (callers pass it only for that activation); an f32 layer applies nothing (the caller does).
 */
export function linear(x: tf.Tensor, lw: LinearWeights, gelu = false): tf.Tensor {
  const [inDim, outDim] = linearDims(lw);
  const lead = x.shape.slice(0, -1);
  const rows = tf.reshape(x, [-1, inDim]) as tf.Tensor2D; // [rows, in]
  const y = lw.w ? frozenDense(rows, lw.w, lw.b, lw.wT) : int8Matmul(rows, lw.int8!, lw.b, gelu); // [rows, out]
  return tf.reshape(y, [...lead, outDim]);
}

/** Whether linear(x, lw, true) applies GELU itself (an int8 layer on our kernel). */
export function fusesGelu(lw: LinearWeights): boolean {
  return !lw.w && lw.int8 !== undefined;
}
