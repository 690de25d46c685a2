/**
 * Small differentiable building blocks of the BERT forward, written with plain tfjs ops so every backend
 * (cpu, wasm, webgpu) runs them and has their gradients.
 */
import * as tf from '@tensorflow/tfjs';
import type { BertConfig } from '../types';
import type { LayerNormWeights } from './weights';

/**
 * torch.finfo(torch.float32).min. transformers turns a 0/1 attention mask into the additive
 * (1 - mask) * finfo.min; using the same constant gives the same (exactly zero) masked probabilities.
 */
export const F32_MIN = -3.4028234663852886e38;

/** LayerNorm over the last axis with biased variance, as torch.nn.LayerNorm. */
export function layerNorm<T extends tf.Tensor>(x: T, { gamma, beta }: LayerNormWeights, eps: number): T {
  const { mean, variance } = tf.moments(x, -1, true); // [..., 1] each
  const normed = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, eps)));
  return tf.add(tf.mul(normed, gamma), beta) as T;
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
