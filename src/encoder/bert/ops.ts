/**
 * Small differentiable building blocks of the BERT forward, written with plain tfjs ops so every backend
 * (cpu, wasm, webgpu) runs them and has their gradients; on webgpu with our kernels on, LayerNorm and the
 * attention softmax are one kernel each way instead (src/kernels/layerNorm, src/kernels/maskedSoftmax).
 */
import * as tf from '@tensorflow/tfjs';
import { kernelsActive, layerNormFused, maskedSoftmax } from '../../kernels';
import type { BertConfig } from '../types';
import type { LayerNormWeights } from './weights';

/**
 * torch.finfo(torch.float32).min. transformers turns a 0/1 attention mask into the additive
 * (1 - mask) * finfo.min; using the same constant gives the same (exactly zero) masked probabilities.
 */
export const F32_MIN = -3.4028234663852886e38;

/** LayerNorm over the last axis with biased variance, as torch.nn.LayerNorm: our fused kernel where it runs. */
export function layerNorm<T extends tf.Tensor>(x: T, norm: LayerNormWeights, eps: number): T {
  return kernelsActive() ? layerNormFused(x, norm.gamma, norm.beta, eps) : layerNormWithOps(x, norm, eps);
}

/** The same with tfjs ops (every backend): 10 kernels forward, about 30 with the backward. */
export function layerNormWithOps<T extends tf.Tensor>(x: T, { gamma, beta }: LayerNormWeights, eps: number): T {
  const { mean, variance } = tf.moments(x, -1, true); // [..., 1] each
  const normed = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, eps)));
  return tf.add(tf.mul(normed, gamma), beta) as T;
}

/**
 * Attention probabilities: softmax over the keys of scores * scale + additive, for scores [batch, heads, queries,
 * keys] and the additive key mask [batch, keys] ((1 - mask) * F32_MIN); our fused kernel where it runs.
 */
export function attentionProbs(scores: tf.Tensor4D, additive: tf.Tensor2D, scale: number): tf.Tensor4D {
  return kernelsActive() ? maskedSoftmax(scores, additive, scale) : attentionProbsWithOps(scores, additive, scale);
}

/** The same with tfjs ops (every backend): 3 kernels forward, 8 with the backward. */
export function attentionProbsWithOps(scores: tf.Tensor4D, additive: tf.Tensor2D, scale: number): tf.Tensor4D {
  const [batch, , , keys] = scores.shape;
  return tf.softmax(tf.add(tf.mul(scores, scale), tf.reshape(additive, [batch, 1, 1, keys])), -1) as tf.Tensor4D;
}

/** transformers' "gelu": the exact x * Phi(x) = 0.5 x (1 + erf(x / sqrt 2)). */
export function geluErf(x: tf.Tensor): tf.Tensor {
  return tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1));
}

/** transformers' "gelu_new": 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))). */
export function geluTanh(x: tf.Tensor): tf.Tensor {
  const inner = tf.mul(tf.add(x, tf.mul(tf.pow(x, 3), 0.044715)), Math.sqrt(2 / Math.PI));
  return tf.mul(tf.mul(x, 0.5), tf.add(tf.tanh(inner), 1));
}

const ACTIVATIONS: Record<BertConfig['hiddenAct'], (x: tf.Tensor) => tf.Tensor> = {
  gelu: geluErf,
  gelu_new: geluTanh,
  relu: (x) => tf.relu(x),
};

/** The FFN activation named by config.hidden_act. */
export function activation(name: BertConfig['hiddenAct']): (x: tf.Tensor) => tf.Tensor {
  const f = ACTIVATIONS[name];
  if (!f) throw new Error(`Unsupported hidden_act "${String(name)}": expected one of ${Object.keys(ACTIVATIONS).join(', ')}.`);
  return f;
}
