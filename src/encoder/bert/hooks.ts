/**
 * The seams where parameter-efficient fine-tuning plugs into the frozen forward, without the forward knowing
 * any method by name. Every hook is optional; with none given the forward is exactly BertModel's.
 *
 *   linear  -> LoRA on query/key/value/dense: wraps one linear layer (int8 layers on webgpu: src/kernels)
 *   addNorm -> bottleneck adapters after the attention-output and FFN-output dense layers
 *   prefix  -> prefix tuning: extra keys/values per layer
 *   prompt  -> prompt tuning: soft prompt embeddings before the word embeddings
 *
 * Hooks run inside the caller's tf.tidy and must be synchronous, so gradients flow through them and the
 * frozen weights alike.
 */
import type * as tf from '@tensorflow/tfjs';
import type { LayerNormWeights, LinearName, LinearWeights } from './weights';

/** Which linear layer is running. */
export interface LinearSite {
  layer: number;
  name: LinearName;
}

/** The default linear computation: x [..., in] -> [..., out]. */
export type LinearFn = (x: tf.Tensor, w: LinearWeights) => tf.Tensor;

/** The two "dense output + residual + LayerNorm" steps of a layer. */
export interface AddNormSite {
  layer: number;
  /** 'attention': after attention.output.dense; 'ffn': after output.dense. */
  kind: 'attention' | 'ffn';
}

/** The default add & norm: LayerNorm(dense + residual). All [batch, seq, hidden]. */
export type AddNormFn = (dense: tf.Tensor3D, residual: tf.Tensor3D, norm: LayerNormWeights) => tf.Tensor3D;

export interface PrefixKeyValues {
  key: tf.Tensor4D; // [batch, heads, prefixLen, headDim]
  value: tf.Tensor4D; // [batch, heads, prefixLen, headDim]
}

export interface BertHooks {
  /** Replaces one linear layer; call `base(x, w)` for the frozen part (LoRA adds its low-rank delta). */
  linear?: (site: LinearSite, x: tf.Tensor, w: LinearWeights, base: LinearFn) => tf.Tensor;
  /** Replaces one add & norm step; an adapter transforms `dense` before (or after) calling `base`. */
  addNorm?: (site: AddNormSite, dense: tf.Tensor3D, residual: tf.Tensor3D, norm: LayerNormWeights, base: AddNormFn) => tf.Tensor3D;
  /** Keys/values attended to before the real tokens in `layer` (always unmasked), or undefined for none. */
  prefix?: (layer: number, batch: number) => PrefixKeyValues | undefined;
  /**
   * The first position id of the text (default 0). transformers counts cached keys/values as earlier positions
   * (past_key_values_length), so with peft's prefix methods the text sits at positions p..p+seq-1.
   */
  positionOffset?: number;
  /** Virtual token embeddings [batch, promptLen, hidden] placed before the word embeddings, or undefined. */
  prompt?: (batch: number) => tf.Tensor3D | undefined;
}
