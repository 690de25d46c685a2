/** Bottleneck details the contract suite does not cover: inits, LiST's linear adapter, dropout, load errors. */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bertForward, inputsFromBatch } from '../../encoder/bert/forward';
import { readCheckpointDir, readEncoderFixture, TINY_BERT_DIR } from '../../encoder/bert/testing/fixtures';
import { BertWeights } from '../../encoder/bert/weights';
import { selectRows } from '../../encoder/sentenceEncoder';
import { initNodeBackend } from '../../runtime/nodeBackends';
import { BottleneckDelta, BottleneckTensorError } from './bottleneckDelta';
import { bottleneckParameterCount, HOULSBY, LIST_LINEAR, PFEIFFER, type BottleneckConfig } from './config';
import { adapterTensorNames } from './names';

const ckpt = readCheckpointDir(TINY_BERT_DIR);
const batch = selectRows(readEncoderFixture('tiny').batch, [1, 4]);
const d = ckpt.config.hiddenSize; // 32
const config: BottleneckConfig = { ...HOULSBY, reductionFactor: 8 }; // m = 4

async function valuesOf(tensors: Record<string, tf.Tensor>): Promise<Record<string, Float32Array>> {
  const out: Record<string, Float32Array> = {};
  for (const [k, t] of Object.entries(tensors)) out[k] = (await t.data()) as Float32Array;
  return out;
}

function std(v: Float32Array): number {
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  return Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
}

describe('BottleneckDelta', () => {
  let weights: BertWeights;
  beforeAll(async () => {
    await initNodeBackend('cpu');
    weights = BertWeights.fromCheckpoint(ckpt);
  });
  afterAll(() => weights?.dispose());

  const hidden = (delta: BottleneckDelta, training = false) =>
    tf.tidy(() => bertForward(weights, inputsFromBatch(batch), delta.hooks({ training })).lastHiddenState);

  it('has as many parameters as bottleneckParameterCount says, with and without biases', () => {
    for (const c of [config, { ...PFEIFFER, reductionFactor: 8 }, { ...LIST_LINEAR, reductionFactor: 8 }]) {
      const delta = BottleneckDelta.create(ckpt.config, c, 1);
      const count = delta.variables.reduce((n, v) => n + v.size, 0);
      expect(count).toBe(bottleneckParameterCount(ckpt.config, c).total);
      expect(Object.keys(delta.tensors())).toHaveLength(delta.variables.length);
      delta.dispose();
    }
    expect(bottleneckParameterCount(ckpt.config, config)).toMatchObject({ bottleneck: 4, perAdapter: 2 * 4 * 32 + 32 + 4, adapters: 4 });
  });

  it("inits as AdapterHub: mam_adapter = kaiming-uniform down, zero up and biases; the same for the same seed", async () => {
    const t1 = await valuesOf(BottleneckDelta.create(ckpt.config, config, 3).tensors());
    const t2 = await valuesOf(BottleneckDelta.create(ckpt.config, config, 3).tensors());
    tf.disposeVariables();
    for (const [k, v] of Object.entries(t1)) {
      expect(Array.from(v), k).toEqual(Array.from(t2[k]));
      if (k.endsWith('adapter_down.0.weight')) {
        expect(Math.max(...v.map(Math.abs))).toBeLessThanOrEqual(1 / Math.sqrt(d));
        expect(Math.max(...v.map(Math.abs))).toBeGreaterThan(0);
      } else expect(v.every((x) => x === 0), k).toBe(true);
    }
  });

  it("inits 'bert' as N(0, 0.02) and 'houlsby' as N(0, 0.01) cut at +-0.02, biases zero (not the identity)", async () => {
    const bert = await valuesOf(BottleneckDelta.create(ckpt.config, { ...config, initWeights: 'bert', reductionFactor: 1 }, 5).tensors());
    const houlsby = await valuesOf(BottleneckDelta.create(ckpt.config, { ...config, initWeights: 'houlsby', reductionFactor: 1 }, 5).tensors());
    tf.disposeVariables();
    const up = adapterTensorNames(0, 'attention').upWeight;
    expect(std(bert[up])).toBeGreaterThan(0.015);
    expect(std(bert[up])).toBeLessThan(0.025);
    expect(Math.max(...houlsby[up].map(Math.abs))).toBeLessThanOrEqual(0.02);
    expect(std(houlsby[up])).toBeGreaterThan(0.006);
    expect(houlsby[adapterTensorNames(0, 'attention').upBias].every((x) => x === 0)).toBe(true);
  });

  it("makes LiST's linear adapter a bias-free low-rank map: each site adds x Wd^T Wu^T", async () => {
    const list = BottleneckDelta.create(ckpt.config, { ...LIST_LINEAR, reductionFactor: 8, mhAdapter: false }, 2);
    expect(Object.keys(list.tensors()).some((k) => k.endsWith('bias'))).toBe(false);
    tf.tidy(() => list.variables.forEach((v) => v.assign(tf.mul(tf.randomNormal(v.shape, 0, 1, 'float32', 9), 0.1))));
    // The same adapter as a rank-4 "linear" bottleneck with zero biases gives the same output.
    const saved = list.tensors();
    const withBias: Record<string, tf.Tensor> = { ...saved };
    for (let l = 0; l < ckpt.config.numHiddenLayers; l++) {
      const n = adapterTensorNames(l, 'ffn');
      withBias[n.downBias] = tf.zeros([4]);
      withBias[n.upBias] = tf.zeros([d]);
    }
    const biased = BottleneckDelta.load(ckpt.config, { ...LIST_LINEAR, reductionFactor: 8, mhAdapter: false, bias: true }, withBias);
    const [a, b] = [hidden(list), hidden(biased)];
    expect(Array.from(await a.data())).toEqual(Array.from(await b.data()));
    tf.dispose([a, b, ...Object.values(withBias).filter((t) => !Object.values(saved).includes(t))]);
    expect(() => BottleneckDelta.load(ckpt.config, { ...LIST_LINEAR, reductionFactor: 8, mhAdapter: false }, withBias)).toThrow(/biases/);
    list.dispose();
    biased.dispose();
  });

  it('applies dropout in training only', async () => {
    const delta = BottleneckDelta.create(ckpt.config, { ...config, dropout: 0.5 }, 3);
    tf.tidy(() => delta.variables.forEach((v) => v.assign(tf.onesLike(v))));
    const [e1, e2, t1] = await Promise.all([hidden(delta), hidden(delta), hidden(delta, true)].map(async (t) => { const v = await t.data(); t.dispose(); return v; }));
    expect(e1).toEqual(e2);
    expect(t1).not.toEqual(e1);
    delta.dispose();
  });

  it('says which tensor is missing or misshapen on load, and leaks nothing when it fails', () => {
    const delta = BottleneckDelta.create(ckpt.config, config, 3);
    const saved = delta.tensors();
    const before = tf.memory().numTensors;
    expect(() => BottleneckDelta.load(ckpt.config, { ...config, reductionFactor: 4 }, saved)).toThrow(/shape/);
    const noBias = { ...saved };
    delete noBias[adapterTensorNames(1, 'ffn').upBias];
    expect(() => BottleneckDelta.load(ckpt.config, config, noBias)).toThrow(BottleneckTensorError);
    expect(() => BottleneckDelta.load(ckpt.config, config, {})).toThrow(/no tensor/);
    expect(tf.memory().numTensors).toBe(before);
    delta.dispose();
  });
});
