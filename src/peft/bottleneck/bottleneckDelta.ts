/**
 * Bottleneck adapters as AdapterHub's Adapter + BottleneckLayer compute them in BERT's BertSelfOutput (site
 * 'attention') and BertOutput (site 'ffn'), through the addNorm hook. With h the dense output [batch, seq, d],
 * r the sublayer input and LN the encoder's LayerNorm there:
 *
 *   x   = originalLnBefore ? LN(h + r) : h                       (AdapterHub pre_forward)
 *   res = residual 'sublayer' ? h : 'postAdd' ? h + r : x
 *   a   = dropout(scaling * (act(x @ Wd^T + bd) @ Wu^T + bu)) + res   (Adapter.forward; Wd [m, d], Wu [d, m])
 *   out = originalLnAfter ? LN(a + r) : a                        (post_forward)
 *
 * Houlsby (DoubleSeqBn): both sites, x = h, out = LN(h + f(h) + r). Pfeiffer (SeqBn): FFN only,
 * out = LN(h + f(LN(h + r)) + r). A fresh 'mam_adapter' delta has Wu = 0, bu = 0, so it is the identity.
 */
import * as tf from '@tensorflow/tfjs';
import { matMul } from '../../encoder/bert/matmul';
import type { BertHooks } from '../../encoder/bert/hooks';
import { geluErf, layerNorm } from '../../encoder/bert/ops';
import type { BertConfig } from '../../encoder/types';
import type { Delta, DeltaMode } from '../method';
import { adapterSites, bottleneckSize, validateBottleneckConfig, type AdapterSite, type BottleneckConfig, type NonLinearity } from './config';
import { adapterTensorNames } from './names';

/** One adapter's parameters (biases absent when config.bias is false). */
interface Adapter {
  layer: number;
  site: AdapterSite;
  downW: tf.Variable<tf.Rank.R2>; // [m, d]
  downB?: tf.Variable<tf.Rank.R1>; // [m]
  upW: tf.Variable<tf.Rank.R2>; // [d, m]
  upB?: tf.Variable<tf.Rank.R1>; // [d]
}

interface AdapterInit {
  downW: tf.Tensor2D;
  downB?: tf.Tensor1D;
  upW: tf.Tensor2D;
  upB?: tf.Tensor1D;
}

/** transformers' activations under AdapterHub's names ("swish" and "silu" are both x * sigmoid(x)). */
const ACTIVATIONS: Record<NonLinearity, (x: tf.Tensor) => tf.Tensor> = {
  relu: (x) => tf.relu(x),
  gelu: geluErf,
  swish: (x) => tf.mul(x, tf.sigmoid(x)),
  silu: (x) => tf.mul(x, tf.sigmoid(x)),
  tanh: (x) => tf.tanh(x),
  linear: (x) => x,
};

export class BottleneckTensorError extends Error {
  override name = 'BottleneckTensorError';
}

export class BottleneckDelta implements Delta {
  readonly method = 'bottleneck';
  readonly variables: readonly tf.Variable[];
  /** Bottleneck size m. */
  readonly size: number;
  private readonly adapters = new Map<string, Adapter>(); // key `${layer}.${site}`

  private constructor(
    readonly encoder: BertConfig,
    readonly config: BottleneckConfig,
    init: (layer: number, site: AdapterSite, d: number, m: number, k: number) => AdapterInit,
  ) {
    validateBottleneckConfig(config);
    const d = encoder.hiddenSize;
    this.size = bottleneckSize(d, config.reductionFactor);
    let k = 0;
    try {
      for (let layer = 0; layer < encoder.numHiddenLayers; layer++) {
        for (const site of adapterSites(config)) {
          const t = init(layer, site, d, this.size, k++);
          this.adapters.set(`${layer}.${site}`, {
            layer,
            site,
            downW: tf.variable(t.downW),
            downB: t.downB && tf.variable(t.downB),
            upW: tf.variable(t.upW),
            upB: t.upB && tf.variable(t.upB),
          });
          tf.dispose([t.downW, t.downB, t.upW, t.upB].filter((x) => x !== undefined));
        }
      }
    } catch (e) {
      tf.dispose(this.allVariables()); // nothing half-built stays on the backend
      throw e;
    }
    this.variables = this.allVariables();
  }

  /** A fresh delta; with initWeights 'mam_adapter' (the presets' choice) it is the identity. */
  static create(encoder: BertConfig, config: BottleneckConfig, seed: number): BottleneckDelta {
    return new BottleneckDelta(encoder, config, (_layer, _site, d, m, k) => {
      const s = seed + 2 * k;
      const bias = config.bias;
      const zeros = { downB: bias ? tf.zeros([m]) as tf.Tensor1D : undefined, upB: bias ? tf.zeros([d]) as tf.Tensor1D : undefined };
      if (config.initWeights === 'bert') {
        return { downW: tf.randomNormal([m, d], 0, 0.02, 'float32', s), upW: tf.randomNormal([d, m], 0, 0.02, 'float32', s + 1), ...zeros };
      }
      if (config.initWeights === 'houlsby') {
        // torch trunc_normal_(std=1e-2, a=-2e-2, b=2e-2): tf's truncatedNormal also cuts at two std.
        return { downW: tf.truncatedNormal([m, d], 0, 0.01, 'float32', s), upW: tf.truncatedNormal([d, m], 0, 0.01, 'float32', s + 1), ...zeros };
      }
      const bound = 1 / Math.sqrt(d); // kaiming_uniform_(a=sqrt(5)) on [m, d]: fan_in d
      return { downW: tf.randomUniform([m, d], -bound, bound, 'float32', s), upW: tf.zeros([d, m]), ...zeros };
    });
  }

  /** A delta holding copies of saved tensors under AdapterHub's names (see names.ts; fromAdapterHubTensors). */
  static load(encoder: BertConfig, config: BottleneckConfig, saved: Record<string, tf.Tensor>): BottleneckDelta {
    return new BottleneckDelta(encoder, config, (layer, site, d, m) => {
      const names = adapterTensorNames(layer, site);
      const copies: tf.Tensor[] = []; // freed if a later tensor is missing, so a failed load leaks nothing
      const get = <T extends tf.Tensor>(key: string, shape: number[]): T => {
        const t = saved[key];
        if (!t) throw new BottleneckTensorError(`The saved adapter has no tensor "${key}"; it was trained with other sites, without biases, or for another encoder.`);
        if (t.shape.join() !== shape.join()) {
          throw new BottleneckTensorError(`"${key}" has shape [${t.shape}] but this encoder and reductionFactor=${config.reductionFactor} need [${shape}]; load it with its own config.`);
        }
        const copy = tf.clone(t) as T;
        copies.push(copy);
        return copy;
      };
      try {
        if (!config.bias && (saved[names.downBias] || saved[names.upBias])) {
          throw new BottleneckTensorError(`The saved adapter has biases ("${names.downBias}") but the config says bias: false; load it with bias: true.`);
        }
        const downW = get<tf.Tensor2D>(names.downWeight, [m, d]);
        const upW = get<tf.Tensor2D>(names.upWeight, [d, m]);
        if (!config.bias) return { downW, upW };
        return { downW, upW, downB: get<tf.Tensor1D>(names.downBias, [m]), upB: get<tf.Tensor1D>(names.upBias, [d]) };
      } catch (e) {
        tf.dispose(copies);
        throw e;
      }
    });
  }

  hooks({ training }: DeltaMode): BertHooks {
    const c = this.config;
    return {
      addNorm: (site, dense, residual, norm, base) => {
        const adapter = this.adapters.get(`${site.layer}.${site.kind}`);
        if (!adapter) return base(dense, residual, norm);
        let x = dense; // [batch, seq, d]
        let res: tf.Tensor3D = dense;
        if (c.originalLnBefore) {
          const added = tf.add(dense, residual) as tf.Tensor3D;
          if (c.residual === 'postAdd') res = added;
          x = layerNorm(added, norm, this.encoder.layerNormEps); // the encoder's own LayerNorm, as AdapterHub reuses it
        }
        if (c.residual === 'adapterInput') res = x;
        let up = this.bottleneck(x, adapter); // [batch, seq, d]
        if (c.scaling !== 1) up = tf.mul(up, c.scaling) as tf.Tensor3D;
        if (training && c.dropout > 0) up = tf.dropout(up, c.dropout) as tf.Tensor3D;
        const out = tf.add(up, res) as tf.Tensor3D;
        return c.originalLnAfter ? base(out, residual, norm) : out;
      },
    };
  }

  tensors(): Record<string, tf.Tensor> {
    const out: Record<string, tf.Tensor> = {};
    for (const a of this.adapters.values()) {
      const n = adapterTensorNames(a.layer, a.site);
      out[n.downWeight] = a.downW;
      if (a.downB) out[n.downBias] = a.downB;
      out[n.upWeight] = a.upW;
      if (a.upB) out[n.upBias] = a.upB;
    }
    return out;
  }

  dispose(): void {
    tf.dispose([...this.variables]);
  }

  /** act(x @ Wd^T + bd) @ Wu^T + bu: x [..., d] -> [..., d]. */
  private bottleneck(x: tf.Tensor3D, a: Adapter): tf.Tensor3D {
    const d = a.downW.shape[1];
    const rows = tf.reshape(x, [-1, d]) as tf.Tensor2D; // [rows, d]
    let down: tf.Tensor2D = matMul(rows, a.downW, false, true); // [rows, m]
    if (a.downB) down = tf.add(down, a.downB);
    const act = ACTIVATIONS[this.config.nonLinearity](down) as tf.Tensor2D;
    let up: tf.Tensor2D = matMul(act, a.upW, false, true); // [rows, d]
    if (a.upB) up = tf.add(up, a.upB);
    return tf.reshape(up, x.shape) as tf.Tensor3D;
  }

  private allVariables(): tf.Variable[] {
    const all: (tf.Variable | undefined)[] = [...this.adapters.values()].flatMap((a) => [a.downW, a.downB, a.upW, a.upB]);
    return all.filter((v): v is tf.Variable => v !== undefined);
  }
}
