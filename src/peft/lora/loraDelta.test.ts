/** LoRA details the contract suite does not cover: init bounds, dropout in training only, merge misuse, load errors. */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bertForward, inputsFromBatch } from '../../encoder/bert/forward';
import { readCheckpointDir, readEncoderFixture, TINY_BERT_DIR } from '../../encoder/bert/testing/fixtures';
import { BertWeights } from '../../encoder/bert/weights';
import { selectRows } from '../../encoder/sentenceEncoder';
import { initNodeBackend } from '../../runtime/nodeBackends';
import { LORA_DEFAULTS, loraScaling, type LoraConfig } from './config';
import { LoraDelta, MissingTensorError } from './loraDelta';

const ckpt = readCheckpointDir(TINY_BERT_DIR);
const batch = selectRows(readEncoderFixture('tiny').batch, [1, 4]);
const config: LoraConfig = { ...LORA_DEFAULTS, r: 4, loraDropout: 0.5, targetModules: ['query', 'intermediate'] };

describe('LoraDelta', () => {
  let weights: BertWeights;
  beforeAll(async () => {
    await initNodeBackend('cpu');
    weights = BertWeights.fromCheckpoint(ckpt);
  });
  afterAll(() => weights?.dispose());

  it('scales by alpha / r, or alpha / sqrt(r) with rsLoRA', () => {
    expect(loraScaling({ r: 4, loraAlpha: 8, useRslora: false })).toBe(2);
    expect(loraScaling({ r: 4, loraAlpha: 8, useRslora: true })).toBe(4);
  });

  it('inits A within kaiming-uniform(a=sqrt(5)) bounds, B zero, the same for the same seed', async () => {
    const d1 = LoraDelta.create(ckpt.config, config, 3);
    const d2 = LoraDelta.create(ckpt.config, config, 3);
    const t1 = d1.tensors();
    const t2 = d2.tensors();
    for (const [k, t] of Object.entries(t1)) {
      const v = (await t.data()) as Float32Array;
      expect(Array.from(v)).toEqual(Array.from((await t2[k].data()) as Float32Array));
      if (k.includes('lora_B')) expect(v.every((x) => x === 0)).toBe(true);
      else expect(Math.max(...v.map(Math.abs))).toBeLessThanOrEqual(1 / Math.sqrt(t.shape[1]!));
    }
    expect(Object.keys(t1)).toHaveLength(2 * 2 * ckpt.config.numHiddenLayers);
    d1.dispose();
    d2.dispose();
  });

  it('applies dropout in training only', async () => {
    const d = LoraDelta.create(ckpt.config, config, 3);
    tf.tidy(() => d.variables.forEach((v) => v.assign(tf.onesLike(v))));
    const run = (training: boolean) => tf.tidy(() => bertForward(weights, inputsFromBatch(batch), d.hooks({ training })).lastHiddenState);
    const [e1, e2, t1] = await Promise.all([run(false), run(false), run(true)].map(async (t) => { const v = await t.data(); t.dispose(); return v; }));
    expect(e1).toEqual(e2);
    expect(t1).not.toEqual(e1);
    d.dispose();
  });

  it('refuses a double merge and an unmerge when not merged; dispose while merged restores the weights', () => {
    const d = LoraDelta.create(ckpt.config, config, 3);
    const original = weights.layers[0].query.w;
    expect(() => d.merging.unmerge()).toThrow(/not merged/);
    d.merging.merge(weights);
    expect(weights.layers[0].query.w).not.toBe(original);
    expect(() => d.merging.merge(weights)).toThrow(/already merged/);
    d.dispose();
    expect(weights.layers[0].query.w).toBe(original);
    expect(original!.isDisposed).toBe(false);
  });

  it('while merged, drops the kept transposes of the layers it folds into (the gradient must use the folded weight), and restores them', async () => {
    const kept = BertWeights.fromCheckpoint(ckpt, { keepTransposed: true });
    const plain = BertWeights.fromCheckpoint(ckpt, { keepTransposed: false });
    const d = LoraDelta.create(ckpt.config, config, 3);
    tf.tidy(() => d.variables.forEach((v) => v.assign(tf.randomNormal(v.shape, 0, 0.5, 'float32', 7)))); // B nonzero, so merging changes w
    const query = kept.layers[0].query.wT;
    const key = kept.layers[0].key.wT;
    const prompt = tf.tidy(() => tf.variable(tf.randomNormal([1, 2, ckpt.config.hiddenSize], 0, 0.5, 'float32', 8)));
    const gradOf = (w: BertWeights) =>
      tf.tidy(() => tf.grad((p: tf.Tensor) => tf.mean(tf.square(bertForward(w, inputsFromBatch(batch), { prompt: (b) => tf.tile(p, [b, 1, 1]) as tf.Tensor3D }).lastHiddenState)))(prompt));
    const merged = async (w: BertWeights) => {
      d.merging.merge(w);
      const g = Array.from(await gradOf(w).data());
      if (w === kept) {
        expect(kept.layers[0].query.wT).toBeUndefined(); // folded: its transpose would be stale
        expect(kept.layers[0].key.wT).toBe(key); // not a LoRA target: kept
      }
      d.merging.unmerge();
      return g;
    };
    expect(await merged(kept)).toEqual(await merged(plain));
    expect(kept.layers[0].query.wT).toBe(query);
    d.dispose();
    kept.dispose();
    plain.dispose();
    prompt.dispose();
  });

  it('says which tensor is missing or misshapen on load', () => {
    const d = LoraDelta.create(ckpt.config, config, 3);
    const saved = d.tensors();
    const before = tf.memory().numTensors;
    expect(() => LoraDelta.load(ckpt.config, { ...config, targetModules: ['key'] }, saved)).toThrow(MissingTensorError);
    expect(() => LoraDelta.load(ckpt.config, { ...config, r: 2 }, saved)).toThrow(/shape/);
    expect(tf.memory().numTensors).toBe(before);
    d.dispose();
  });
});
