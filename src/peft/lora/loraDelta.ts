/**
 * LoRA as peft's lora.Linear computes it, for every targeted linear layer of every BERT layer:
 *
 *   y = base(x) + scaling * (dropout(x) @ A^T @ B^T)      A [r, in], B [out, r] (peft's / torch's layouts)
 *
 * A fresh delta has A ~ U(-1/sqrt(in), 1/sqrt(in)) (torch's kaiming_uniform_ with a = sqrt(5), as peft's
 * init_lora_weights=True) and B = 0, so it is the identity. Merging folds scaling * A^T B^T into the frozen
 * [in, out] weight (an int8 layer is dequantised to f32 for that); unmerging puts the original back, so it is
 * bit-exact (no subtraction drift).
 *
 * On webgpu with our kernels (src/kernels), a layer kept int8 runs LoRA fused into its matmul (loraFused), with
 * the same gradients for x, A and B as the tfjs ops below.
 */
import * as tf from '@tensorflow/tfjs';
import { linearDims } from '../../encoder/bert/linear';
import { matMul } from '../../encoder/bert/matmul';
import { dequantizeInt8Weight, kernelsActive, loraFused } from '../../kernels';
import type { BertHooks, LinearSite } from '../../encoder/bert/hooks';
import { LINEAR_NAMES, type BertWeights, type LinearName, type LinearWeights } from '../../encoder/bert/weights';
import type { BertConfig } from '../../encoder/types';
import type { Delta, DeltaMode, Merging } from '../method';
import { loraScaling, type LoraConfig } from './config';
import { loraTensorNames } from './targets';

/** LoRA's two matrices on one linear layer. */
interface LoraPair {
  layer: number;
  name: LinearName;
  a: tf.Variable<tf.Rank.R2>; // [r, in]
  b: tf.Variable<tf.Rank.R2>; // [out, r]
}

/** Input and output sizes of each linear layer. */
function linearShape(c: BertConfig, name: LinearName): [number, number] {
  if (name === 'intermediate') return [c.hiddenSize, c.intermediateSize];
  if (name === 'output') return [c.intermediateSize, c.hiddenSize];
  return [c.hiddenSize, c.hiddenSize];
}

export class MissingTensorError extends Error {
  override name = 'MissingTensorError';
}

export class LoraDelta implements Delta {
  readonly method = 'lora';
  readonly variables: readonly tf.Variable[];
  readonly merging: Merging;
  private readonly scaling: number;
  private readonly pairs = new Map<string, LoraPair>(); // key `${layer}.${name}`
  private merge: { weights: BertWeights; originals: Map<string, Pick<LinearWeights, 'w' | 'wT'>> } | undefined;

  private constructor(
    readonly encoder: BertConfig,
    readonly config: LoraConfig,
    init: (layer: number, name: LinearName, inDim: number, outDim: number, k: number) => { a: tf.Tensor2D; b: tf.Tensor2D },
  ) {
    if (!(config.r >= 1 && Number.isInteger(config.r))) throw new Error(`LoRA rank r must be a positive integer, got ${config.r}.`);
    this.scaling = loraScaling(config);
    let k = 0;
    try {
      for (let layer = 0; layer < encoder.numHiddenLayers; layer++) {
        for (const name of config.targetModules) {
          const [inDim, outDim] = linearShape(encoder, name);
          const { a, b } = init(layer, name, inDim, outDim, k++);
          this.pairs.set(`${layer}.${name}`, { layer, name, a: tf.variable(a), b: tf.variable(b) });
          tf.dispose([a, b]);
        }
      }
    } catch (e) {
      tf.dispose([...this.pairs.values()].flatMap((p) => [p.a, p.b])); // nothing half-built stays on the backend
      throw e;
    }
    this.variables = [...this.pairs.values()].flatMap((p) => [p.a, p.b]);
    const isMerged = () => this.merge !== undefined;
    this.merging = {
      get merged() {
        return isMerged();
      },
      merge: (w) => this.mergeInto(w),
      unmerge: () => this.unmerge(),
    };
  }

  /** A fresh delta: A kaiming-uniform from a seeded generator, B zero (the identity). */
  static create(encoder: BertConfig, config: LoraConfig, seed: number): LoraDelta {
    return new LoraDelta(encoder, config, (_l, _n, inDim, outDim, k) => {
      const bound = 1 / Math.sqrt(inDim); // kaiming_uniform_(a=sqrt(5)): gain sqrt(1/3) * sqrt(3 / fan_in)
      return { a: tf.randomUniform([config.r, inDim], -bound, bound, 'float32', seed + k), b: tf.zeros([outDim, config.r]) };
    });
  }

  /** A delta holding copies of saved tensors named as peft saves them. */
  static load(encoder: BertConfig, config: LoraConfig, saved: Record<string, tf.Tensor>): LoraDelta {
    return new LoraDelta(encoder, config, (layer, name, inDim, outDim) => {
      const names = loraTensorNames(layer, name);
      const get = (key: string, shape: [number, number]) => {
        const t = saved[key];
        if (!t) throw new MissingTensorError(`The saved LoRA has no tensor "${key}"; it was trained with other target modules or another encoder.`);
        if (t.shape.join() !== shape.join()) {
          throw new MissingTensorError(`"${key}" has shape [${t.shape}] but this encoder and r=${config.r} need [${shape}]; load it with its own config.`);
        }
        return tf.clone(t) as tf.Tensor2D;
      };
      return { a: get(names.a, [config.r, inDim]), b: get(names.b, [outDim, config.r]) };
    });
  }

  hooks({ training, seed }: DeltaMode): BertHooks {
    const p = this.config.loraDropout;
    return {
      linear: (site: LinearSite, x, w, base) => {
        const pair = this.merge ? undefined : this.pairs.get(`${site.layer}.${site.name}`);
        if (!pair) return base(x, w);
        // One mask stream per site, so two sites never share a mask; unseeded outside the train loop.
        const siteSeed = seed === undefined ? undefined : seed + site.layer * LINEAR_NAMES.length + LINEAR_NAMES.indexOf(site.name);
        const dropped = training && p > 0 ? tf.dropout(x, p, undefined, siteSeed) : x;
        if (!w.w && w.int8 && kernelsActive()) return this.fused(x, dropped, w, pair);
        return tf.add(base(x, w), this.update(dropped, pair));
      },
    };
  }

  tensors(): Record<string, tf.Tensor> {
    const out: Record<string, tf.Tensor> = {};
    for (const { layer, name, a, b } of this.pairs.values()) {
      const names = loraTensorNames(layer, name);
      out[names.a] = a;
      out[names.b] = b;
    }
    return out;
  }

  dispose(): void {
    if (this.merge) this.unmerge();
    tf.dispose([...this.variables]);
  }

  /** scaling * (x @ A^T @ B^T): x [..., in] -> [..., out]. */
  private update(x: tf.Tensor, { a, b }: LoraPair): tf.Tensor {
    const inDim = a.shape[1];
    const rows = tf.reshape(x, [-1, inDim]) as tf.Tensor2D; // [rows, in]
    const low = matMul(rows, a, false, true); // [rows, r]
    const up = matMul(tf.mul(low, this.scaling) as tf.Tensor2D, b, false, true); // [rows, out]
    return tf.reshape(up, [...x.shape.slice(0, -1), b.shape[0]]);
  }

  /** The frozen int8 layer and the update in one kernel: x [..., in] -> [..., out]. */
  private fused(x: tf.Tensor, dropped: tf.Tensor, w: LinearWeights, { a, b }: LoraPair): tf.Tensor {
    const [inDim, outDim] = linearDims(w);
    const rows = (t: tf.Tensor) => tf.reshape(t, [-1, inDim]) as tf.Tensor2D; // [rows, in]
    const xr = rows(x);
    const y = loraFused(xr, dropped === x ? xr : rows(dropped), w.int8!, w.b, a, b, this.scaling); // [rows, out]
    return tf.reshape(y, [...x.shape.slice(0, -1), outDim]);
  }

  private mergeInto(weights: BertWeights): void {
    if (this.merge) throw new Error('This LoRA is already merged; unmerge it first.');
    const originals = new Map<string, Pick<LinearWeights, 'w' | 'wT'>>();
    for (const [key, pair] of this.pairs) {
      const lw: LinearWeights = weights.layers[pair.layer][pair.name];
      const folded = tf.tidy(() => tf.add(lw.w ?? dequantizeInt8Weight(lw.int8!), tf.mul(matMul(pair.a, pair.b, true, true), this.scaling)) as tf.Tensor2D); // [in, out]
      originals.set(key, { w: lw.w, wT: lw.wT });
      lw.w = folded;
      lw.wT = undefined; // the kept transpose is of the unmerged weight
    }
    this.merge = { weights, originals };
  }

  private unmerge(): void {
    if (!this.merge) throw new Error('This LoRA is not merged.');
    const { weights, originals } = this.merge;
    for (const [key, pair] of this.pairs) {
      const lw = weights.layers[pair.layer][pair.name];
      lw.w!.dispose();
      const { w, wT } = originals.get(key)!;
      lw.w = w; // undefined again for an int8 layer
      lw.wT = wT;
    }
    this.merge = undefined;
  }
}
