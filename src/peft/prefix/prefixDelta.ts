/**
 * Prefix tuning (Li & Liang 2021) and P-tuning v2 (Liu et al. 2022) as peft's PREFIX_TUNING PrefixEncoder:
 * a flat prefix [p, layers * 2 * hidden] that supplies, for every layer, p extra keys and values which every
 * token attends to (the attention mask is extended with ones).
 *
 *   with projection (prefix):  flat = Linear(e, L*2*H)(tanh(Linear(H, e)(embedding [p, H])))   transform.{0,2}
 *   without (P-tuning v2):     flat = embedding [p, L*2*H]
 *
 * Layout, as peft's get_prompt: flat viewed as [p, 2L, heads, headDim]; row 2l holds layer l's keys, 2l+1 its
 * values, each used as [batch, heads, p, headDim]. Saved as peft saves it: `prompt_embeddings` = flat (the MLP's
 * output, "flattened for export"); a loaded prefix is that flat tensor, trained directly (P-tuning v2's form).
 * Init is torch's: Embedding N(0, 1), Linear U(-1/sqrt(in), 1/sqrt(in)). A fresh prefix is not the identity:
 * any prefix takes a share of the attention.
 */
import * as tf from '@tensorflow/tfjs';
import type { BertHooks, PrefixKeyValues } from '../../encoder/bert/hooks';
import type { BertConfig } from '../../encoder/types';
import type { Delta, DeltaMode, MethodName } from '../method';
import { PROMPT_EMBEDDINGS } from '../prompt/softPromptDelta';
import { namedVariables, SeededInit, savedTensor, torchLinear } from '../prompt/torchLayers';

export class PrefixDelta implements Delta {
  readonly variables: readonly tf.Variable[];
  private exported: tf.Tensor | undefined;

  private constructor(
    readonly method: MethodName,
    readonly encoder: BertConfig,
    readonly numVirtualTokens: number,
    /** Under torch's names inside peft's PrefixEncoder: `embedding.weight` (+ `transform.{0,2}.{weight,bias}`). */
    readonly parameters: Readonly<Record<string, tf.Variable>>,
  ) {
    this.variables = Object.values(parameters);
  }

  /** The flat prefix width: layers * 2 * hidden. */
  static width(encoder: BertConfig): number {
    return encoder.numHiddenLayers * 2 * encoder.hiddenSize;
  }

  /** A fresh prefix; with `encoderHiddenSize` it is made by the projection MLP (prefix tuning), else held flat. */
  static create(method: MethodName, encoder: BertConfig, numVirtualTokens: number, encoderHiddenSize: number | undefined, seed: number): PrefixDelta {
    checkTokens(numVirtualTokens);
    const rng = new SeededInit(seed);
    const h = encoder.hiddenSize;
    const init: Record<string, tf.Tensor> = {};
    if (encoderHiddenSize === undefined) {
      init['embedding.weight'] = rng.normal([numVirtualTokens, PrefixDelta.width(encoder)]);
    } else {
      if (!(Number.isInteger(encoderHiddenSize) && encoderHiddenSize >= 1)) throw new Error(`encoderHiddenSize must be a positive integer, got ${encoderHiddenSize}.`);
      init['embedding.weight'] = rng.normal([numVirtualTokens, h]);
      const l0 = rng.linear(h, encoderHiddenSize);
      const l2 = rng.linear(encoderHiddenSize, PrefixDelta.width(encoder));
      Object.assign(init, { 'transform.0.weight': l0.weight, 'transform.0.bias': l0.bias, 'transform.2.weight': l2.weight, 'transform.2.bias': l2.bias });
    }
    return PrefixDelta.fromInit(method, encoder, numVirtualTokens, init);
  }

  /** From torch's parameters (a fixture's; other keys are ignored); takes copies. With `transform.*` present the MLP is used. */
  static fromParameters(method: MethodName, encoder: BertConfig, numVirtualTokens: number, params: Record<string, tf.Tensor>): PrefixDelta {
    checkTokens(numVirtualTokens);
    return PrefixDelta.fromInit(method, encoder, numVirtualTokens, tf.tidy(() => Object.fromEntries(Object.entries(params).filter(([k]) => k === 'embedding.weight' || k.startsWith('transform.')).map(([k, t]) => [k, tf.clone(t)]))));
  }

  /** From peft's saved `prompt_embeddings` [p, layers*2*hidden]: a flat prefix. */
  static load(method: MethodName, encoder: BertConfig, numVirtualTokens: number, saved: Record<string, tf.Tensor>): PrefixDelta {
    checkTokens(numVirtualTokens);
    const flat = savedTensor(saved, PROMPT_EMBEDDINGS, [numVirtualTokens, PrefixDelta.width(encoder)], 'prefix');
    return PrefixDelta.fromInit(method, encoder, numVirtualTokens, { 'embedding.weight': flat });
  }

  /** Takes ownership of `init`'s tensors. */
  private static fromInit(method: MethodName, encoder: BertConfig, p: number, init: Record<string, tf.Tensor>): PrefixDelta {
    try {
      return new PrefixDelta(method, encoder, p, namedVariables(init));
    } finally {
      tf.dispose(Object.values(init));
    }
  }

  /** [p, layers*2*hidden]. */
  private flat(): tf.Tensor2D {
    const p = this.parameters;
    const embedding = p['embedding.weight'] as tf.Tensor2D;
    if (!p['transform.0.weight']) return embedding;
    const lin = (n: string, x: tf.Tensor2D) => torchLinear(x, p[`${n}.weight`] as tf.Tensor2D, p[`${n}.bias`] as tf.Tensor1D);
    return lin('transform.2', tf.tanh(lin('transform.0', embedding)));
  }

  hooks(_mode: DeltaMode): BertHooks {
    const { numHiddenLayers: layers, numAttentionHeads: heads, hiddenSize } = this.encoder;
    const headDim = hiddenSize / heads;
    const pLen = this.numVirtualTokens;
    let perLayer: tf.Tensor4D | undefined; // [2L, heads, p, headDim], made once per forward (hooks() is per forward)
    return {
      positionOffset: pLen, // as transformers numbers text after peft's past key/values
      prefix: (layer, batch): PrefixKeyValues => {
        perLayer ??= tf.transpose(tf.reshape(this.flat(), [pLen, 2 * layers, heads, headDim]), [1, 2, 0, 3]) as tf.Tensor4D;
        const pick = (row: number) => tf.tile(tf.slice(perLayer!, [row, 0, 0, 0], [1, heads, pLen, headDim]), [batch, 1, 1, 1]) as tf.Tensor4D;
        return { key: pick(2 * layer), value: pick(2 * layer + 1) }; // [batch, heads, p, headDim]
      },
    };
  }

  /** { prompt_embeddings: flat [p, layers*2*hidden] }; computed through the MLP when there is one (owned by the delta until the next call). */
  tensors(): Record<string, tf.Tensor> {
    if (!this.parameters['transform.0.weight']) return { [PROMPT_EMBEDDINGS]: this.parameters['embedding.weight'] };
    this.exported?.dispose();
    this.exported = tf.keep(tf.tidy(() => this.flat()));
    return { [PROMPT_EMBEDDINGS]: this.exported };
  }

  dispose(): void {
    this.exported?.dispose();
    this.exported = undefined;
    tf.dispose([...this.variables]);
  }
}

function checkTokens(n: number): void {
  if (!(Number.isInteger(n) && n >= 1)) throw new Error(`numVirtualTokens must be a positive integer, got ${n}.`);
}
