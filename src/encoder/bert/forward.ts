/**
 * The frozen BERT forward, matching transformers' BertModel in eval mode (no dropout), as pure functions of
 * (weights, inputs, hooks). Everything is synchronous tfjs ops: call it inside tf.tidy (or tf.grad /
 * optimizer.minimize) and keep only what you return.
 *
 *   embeddings:  LayerNorm(word[ids] + position[0..seq) + tokenType[types])
 *   each layer:  a = LayerNorm(dense(attention(h)) + h)
 *                h = LayerNorm(dense(act(dense(a))) + a)
 */
import * as tf from '@tensorflow/tfjs';
import type { BertConfig, EncodedBatch } from '../types';
import type { AddNormFn, BertHooks, LinearSite } from './hooks';
import { fusesGelu, linear } from './linear';
import { matMul } from './matmul';
import { activation, attentionProbs, F32_MIN, layerNorm } from './ops';
import type { BertLayerWeights, BertWeights, LinearName, LinearWeights } from './weights';

export interface BertInputs {
  inputIds: tf.Tensor2D; // [batch, seq] int32
  /**
   * [batch, seq] float32, 1 = real token, 0 = padding. Must be float32: tfjs-webgpu 4.22 "casts" int32 to
   * float32 by relabelling the int buffer, which yields garbage or invalid shaders downstream.
   */
  attentionMask: tf.Tensor2D;
  tokenTypeIds?: tf.Tensor2D; // [batch, seq] int32; all zeros when absent
}

/** A type alias rather than an interface, so tf.tidy can return it whole. */
export type BertOutput = {
  lastHiddenState: tf.Tensor3D; // [batch, promptLen + seq, hidden]
  /** The float 0/1 mask over lastHiddenState's positions (soft prompt positions count as real). */
  attentionMask: tf.Tensor2D; // [batch, promptLen + seq]
};

/** Tensors for a tokenized batch. Creates tensors: call inside tf.tidy. */
export function inputsFromBatch(batch: EncodedBatch): BertInputs {
  const shape: [number, number] = [batch.batch, batch.seqLen];
  return {
    inputIds: tf.tensor2d(batch.inputIds, shape, 'int32'),
    attentionMask: tf.tensor2d(Float32Array.from(batch.attentionMask), shape, 'float32'),
    tokenTypeIds: tf.tensor2d(batch.tokenTypeIds, shape, 'int32'),
  };
}

/** BertModel(...).last_hidden_state, with the mask pooling should use. */
export function bertForward(weights: BertWeights, inputs: BertInputs, hooks: BertHooks = {}): BertOutput {
  let { hidden, mask } = bertEmbeddings(weights, inputs, hooks);
  for (let i = 0; i < weights.layers.length; i++) {
    hidden = bertLayer(weights.layers[i], i, hidden, mask, weights.config, hooks);
  }
  return { lastHiddenState: hidden, attentionMask: mask };
}

/**
 * Word + position + token-type embeddings, then LayerNorm. A soft prompt (hooks.prompt) is placed before the
 * word embeddings and so also gets positions 0..promptLen and token type 0, as PEFT's prompt tuning does.
 */
export function bertEmbeddings(
  weights: BertWeights,
  inputs: BertInputs,
  hooks: BertHooks = {},
): { hidden: tf.Tensor3D; mask: tf.Tensor2D } {
  const { config, embeddings: e } = weights;
  const [batch, seq] = inputs.inputIds.shape;
  const h = config.hiddenSize;
  let words = tf.reshape(weights.embedWords(tf.reshape(inputs.inputIds, [-1]) as tf.Tensor1D), [batch, seq, h]) as tf.Tensor3D;
  let types: tf.Tensor2D = inputs.tokenTypeIds ?? tf.zeros([batch, seq], 'int32');
  if (inputs.attentionMask.dtype !== 'float32') {
    throw new Error(`attentionMask must be float32, got ${inputs.attentionMask.dtype} (tfjs-webgpu mis-casts int32); use inputsFromBatch.`);
  }
  let mask = inputs.attentionMask; // [batch, seq]

  const prompt = hooks.prompt?.(batch); // [batch, promptLen, hidden]
  if (prompt) {
    const p = prompt.shape[1];
    words = tf.concat([prompt, words], 1);
    types = tf.concat([tf.zeros([batch, p], 'int32'), types], 1);
    mask = tf.concat([tf.ones([batch, p]), mask], 1);
  }
  const len = words.shape[1];
  const start = hooks.positionOffset ?? 0;
  if (start + len > config.maxPositionEmbeddings) {
    throw new Error(`Sequence of ${start + len} positions exceeds the model's ${config.maxPositionEmbeddings}; lower maxLength.`);
  }
  const positions = tf.slice(e.position, [start, 0], [len, h]); // [len, hidden], broadcast over batch
  const typeEmb = tf.reshape(tf.gather(e.tokenType, tf.reshape(types, [-1])), [batch, len, h]);
  const sum = tf.add(tf.add(words, positions), typeEmb) as tf.Tensor3D; // [batch, len, hidden]
  return { hidden: layerNorm(sum, e.norm, config.layerNormEps), mask };
}

/** One BertLayer: self-attention block then feed-forward block, each with residual + LayerNorm. */
export function bertLayer(
  w: BertLayerWeights,
  layer: number,
  hidden: tf.Tensor3D, // [batch, seq, hidden]
  mask: tf.Tensor2D, // [batch, seq] float 0/1
  config: BertConfig,
  hooks: BertHooks = {},
): tf.Tensor3D {
  const dense = (name: LinearName, x: tf.Tensor) => runLinear(hooks, { layer, name }, x, w[name]) as tf.Tensor3D;
  const addNorm = (kind: 'attention' | 'ffn', d: tf.Tensor3D, residual: tf.Tensor3D) => {
    const norm = kind === 'attention' ? w.attentionNorm : w.outputNorm;
    const base: AddNormFn = (x, r, n) => layerNorm(tf.add(x, r) as tf.Tensor3D, n, config.layerNormEps);
    return hooks.addNorm ? hooks.addNorm({ layer, kind }, d, residual, norm, base) : base(d, residual, norm);
  };

  const context = selfAttention(w, layer, hidden, mask, config, hooks); // [batch, seq, hidden]
  const attended = addNorm('attention', dense('attentionOutput', context), hidden);
  const inner = intermediate(w.intermediate, layer, attended, config, hooks); // [batch, seq, intermediate]
  return addNorm('ffn', dense('output', inner), attended);
}

/**
 * Multi-head scaled dot-product attention over the additive mask (1 - mask) * finfo.min, before the output
 * dense layer. Prefix keys/values (hooks.prefix) are attended to by every token and never masked.
 */
export function selfAttention(
  w: BertLayerWeights,
  layer: number,
  hidden: tf.Tensor3D, // [batch, seq, hidden]
  mask: tf.Tensor2D, // [batch, seq] float 0/1
  config: BertConfig,
  hooks: BertHooks = {},
): tf.Tensor3D {
  const [batch, seq, size] = hidden.shape;
  const heads = config.numAttentionHeads;
  const headDim = size / heads;
  // [batch, seq, hidden] -> [batch, heads, seq, headDim]
  const split = (x: tf.Tensor) => tf.transpose(tf.reshape(x, [batch, -1, heads, headDim]), [0, 2, 1, 3]) as tf.Tensor4D;
  const q = split(runLinear(hooks, { layer, name: 'query' }, hidden, w.query));
  let k = split(runLinear(hooks, { layer, name: 'key' }, hidden, w.key));
  let v = split(runLinear(hooks, { layer, name: 'value' }, hidden, w.value));
  let keyMask = mask;

  const prefix = hooks.prefix?.(layer, batch);
  if (prefix) {
    k = tf.concat([prefix.key, k], 2); // [batch, heads, prefixLen + seq, headDim]
    v = tf.concat([prefix.value, v], 2);
    keyMask = tf.concat([tf.ones([batch, prefix.key.shape[2]]), mask], 1);
  }
  const additive = tf.mul(tf.sub(1, keyMask), F32_MIN) as tf.Tensor2D; // [batch, keys]
  const probs = attentionProbs(matMul(q, k, false, true), additive, 1 / Math.sqrt(headDim)); // [batch, heads, seq, keys]
  const context = matMul(probs, v); // [batch, heads, seq, headDim]
  return tf.reshape(tf.transpose(context, [0, 2, 1, 3]), [batch, seq, size]);
}

/** act(dense(x)) for the FFN's first layer; GELU is fused into the int8 kernel when no hook wraps the layer. */
function intermediate(w: LinearWeights, layer: number, x: tf.Tensor3D, config: BertConfig, hooks: BertHooks): tf.Tensor3D {
  if (!hooks.linear && config.hiddenAct === 'gelu' && fusesGelu(w)) return linear(x, w, true) as tf.Tensor3D;
  return activation(config.hiddenAct)(runLinear(hooks, { layer, name: 'intermediate' }, x, w)) as tf.Tensor3D;
}

function runLinear(hooks: BertHooks, site: LinearSite, x: tf.Tensor, w: LinearWeights): tf.Tensor {
  return hooks.linear ? hooks.linear(site, x, w, (v, lw) => linear(v, lw)) : linear(x, w);
}
