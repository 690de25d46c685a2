/**
 * The forward's PEFT seams (BertHooks) and weight handling, on the tiny f32 BERT. Parity with PyTorch lives
 * in bert.parity.test.ts; here: identity hooks change nothing, every site is visited, gradients reach hook
 * parameters through the frozen encoder on every backend, and weights are freed.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BackendName } from '../../runtime/backends';
import { initNodeBackend, uninstallNodeWebGpu } from '../../runtime/nodeBackends';
import { ModelLoadError } from '../errors';
import { selectRows } from '../sentenceEncoder';
import { bertForward, inputsFromBatch } from './forward';
import type { BertHooks } from './hooks';
import { readCheckpointDir, readEncoderFixture, TINY_BERT_DIR } from './testing/fixtures';
import { BertWeights, keepsTransposedByDefault, LINEAR_NAMES, linearWeightBytes } from './weights';

const ckpt = readCheckpointDir(TINY_BERT_DIR);
const batch = selectRows(readEncoderFixture('tiny').batch, [1, 4, 0]); // 3 rows, 11 tokens
const { numHiddenLayers: layers, numAttentionHeads: heads, hiddenSize: hidden } = ckpt.config;
const headDim = hidden / heads;

async function values(t: tf.Tensor): Promise<Float32Array> {
  const v = (await t.data()) as Float32Array;
  t.dispose();
  return v;
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  return a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i])), 0);
}

const BACKENDS: BackendName[] = ['cpu', 'wasm', 'webgpu'];

describe.each(BACKENDS)('BertHooks on %s', (backend) => {
  let weights: BertWeights;
  let plain: Float32Array;
  const forward = (hooks?: BertHooks) => tf.tidy(() => bertForward(weights, inputsFromBatch(batch), hooks).lastHiddenState);

  beforeAll(async () => {
    const choice = await initNodeBackend(backend);
    expect(choice.backend, `${backend} did not start: ${choice.fallbackReason}`).toBe(backend);
    weights = BertWeights.fromCheckpoint(ckpt);
    plain = await values(forward());
  });

  afterAll(() => {
    weights?.dispose();
    if (backend === 'webgpu') uninstallNodeWebGpu();
  });

  it('pass-through linear and addNorm hooks visit every site and change nothing', async () => {
    const linearSites: string[] = [];
    const addNormSites: string[] = [];
    const out = await values(
      forward({
        linear: (site, x, w, base) => (linearSites.push(`${site.layer}.${site.name}`), base(x, w)),
        addNorm: (site, d, r, n, base) => (addNormSites.push(`${site.layer}.${site.kind}`), base(d, r, n)),
      }),
    );
    expect(maxAbsDiff(out, plain)).toBe(0);
    expect(linearSites.sort()).toEqual(Array.from({ length: layers }, (_, l) => LINEAR_NAMES.map((n) => `${l}.${n}`)).flat().sort());
    expect(addNormSites).toHaveLength(2 * layers);
  });

  it('a soft prompt lengthens the sequence and its mask, and gets gradients through the frozen encoder', async () => {
    const prompt = tf.variable(tf.randomNormal([1, 2, hidden], 0, 0.5, 'float32', 1));
    const hooks: BertHooks = { prompt: (b) => tf.tile(prompt, [b, 1, 1]) as tf.Tensor3D };
    const out = tf.tidy(() => bertForward(weights, inputsFromBatch(batch), hooks));
    expect(out.lastHiddenState.shape).toEqual([3, 2 + batch.seqLen, hidden]);
    expect(Array.from(await values(out.attentionMask)).slice(0, 3)).toEqual([1, 1, 1]);
    out.lastHiddenState.dispose();

    const grad = tf.tidy(() => tf.grad((p: tf.Tensor) => tf.mean(bertForward(weights, inputsFromBatch(batch), { prompt: (b) => tf.tile(p, [b, 1, 1]) as tf.Tensor3D }).lastHiddenState))(prompt));
    const g = await values(grad);
    expect(g.every(Number.isFinite)).toBe(true);
    expect(g.some((x) => x !== 0)).toBe(true);
    prompt.dispose();
  });

  it('prefix keys/values are attended to unmasked, keep the output shape, and get gradients', async () => {
    const key = tf.variable(tf.randomNormal([1, heads, 3, headDim], 0, 1, 'float32', 2));
    const value = tf.variable(tf.randomNormal([1, heads, 3, headDim], 0, 1, 'float32', 3));
    const prefixOf = (k: tf.Tensor, v: tf.Tensor): BertHooks => ({
      prefix: (_layer, b) => ({ key: tf.tile(k, [b, 1, 1, 1]) as tf.Tensor4D, value: tf.tile(v, [b, 1, 1, 1]) as tf.Tensor4D }),
    });
    const out = forward(prefixOf(key, value));
    expect(out.shape).toEqual([3, batch.seqLen, hidden]);
    expect(maxAbsDiff(await values(out), plain)).toBeGreaterThan(1e-3);

    const grads = tf.tidy(() => tf.grads((k: tf.Tensor, v: tf.Tensor) => tf.mean(forward(prefixOf(k, v))))([key, value]));
    for (const g of grads) expect((await values(g)).some((x) => x !== 0)).toBe(true);
    tf.dispose([key, value]);
  });

  it('leaves no tensors behind', () => {
    const before = tf.memory().numTensors;
    forward().dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('BertWeights', () => {
  it('holds 5 embedding tensors and 16 per layer, all freed by dispose', async () => {
    await initNodeBackend('cpu');
    const before = tf.memory().numTensors;
    const weights = BertWeights.fromCheckpoint(ckpt);
    expect(weights.tensors()).toHaveLength(5 + 16 * layers);
    expect(weights.layers[0].intermediate.w!.shape).toEqual([hidden, ckpt.config.intermediateSize]); // [in, out]
    weights.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('on wasm also keeps each linear weight transposed, which the input gradient uses instead of transposing', async () => {
    await initNodeBackend('wasm');
    const before = tf.memory().numTensors;
    const kept = BertWeights.fromCheckpoint(ckpt); // wasm: keepTransposed by default
    const plain = BertWeights.fromCheckpoint(ckpt, { keepTransposed: false });
    expect(kept.tensors()).toHaveLength(5 + 22 * layers);
    expect(plain.tensors()).toHaveLength(5 + 16 * layers);
    const inter = kept.layers[1].intermediate;
    expect(inter.wT!.shape).toEqual([ckpt.config.intermediateSize, hidden]); // [out, in]
    expect(await values(tf.transpose(inter.w!))).toEqual(await inter.wT!.data());

    const prompt = tf.tidy(() => tf.variable(tf.randomNormal([1, 2, hidden], 0, 0.5, 'float32', 4)));
    const gradOf = (w: BertWeights) =>
      tf.tidy(() => tf.grad((p: tf.Tensor) => tf.mean(tf.square(bertForward(w, inputsFromBatch(batch), { prompt: (b) => tf.tile(p, [b, 1, 1]) as tf.Tensor3D }).lastHiddenState)))(prompt));
    const viaKept = await values(gradOf(kept));
    expect(viaKept.some((x) => x !== 0)).toBe(true);
    expect(viaKept).toEqual(await values(gradOf(plain))); // bit for bit: the same products on the same values
    // With the transposes kept, the backward pass transposes no weight (a [hidden, intermediate] or [hidden, hidden] one).
    const transposedShapes = async (w: BertWeights) => {
      const info = await tf.profile(() => gradOf(w));
      tf.dispose(info.result as tf.Tensor);
      return info.kernels.filter((k) => k.name === 'Transpose').map((k) => JSON.stringify(k.inputShapes[0]));
    };
    const weightShapes = [`[${hidden},${ckpt.config.intermediateSize}]`, `[${ckpt.config.intermediateSize},${hidden}]`, `[${hidden},${hidden}]`];
    expect((await transposedShapes(plain)).filter((s) => weightShapes.includes(s))).toHaveLength(6 * layers);
    expect((await transposedShapes(kept)).filter((s) => weightShapes.includes(s))).toEqual([]);
    tf.dispose([kept, plain].flatMap((w) => w.tensors()));
    prompt.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('keeps transposes by default on wasm only, and only for encoders up to MiniLM-L12 size', () => {
    const minilm = { numHiddenLayers: 6, hiddenSize: 384, intermediateSize: 1536 };
    expect(linearWeightBytes(minilm)).toBe(4 * 6 * (4 * 384 * 384 + 2 * 384 * 1536)); // 42.5 MB
    expect(keepsTransposedByDefault(minilm, 'wasm')).toBe(true);
    expect(keepsTransposedByDefault({ ...minilm, numHiddenLayers: 12 }, 'wasm')).toBe(true); // MiniLM-L12: 85 MB
    expect(keepsTransposedByDefault({ numHiddenLayers: 12, hiddenSize: 768, intermediateSize: 3072 }, 'wasm')).toBe(false); // BERT-base: 340 MB
    expect(keepsTransposedByDefault(minilm, 'webgpu')).toBe(false);
    expect(keepsTransposedByDefault(minilm, 'cpu')).toBe(false);
  });

  it('refuses a config that disagrees with the tensors, leaving nothing allocated', async () => {
    await initNodeBackend('cpu');
    const before = tf.memory().numTensors;
    const wrong = { ...ckpt, config: { ...ckpt.config, intermediateSize: 48 } };
    expect(() => BertWeights.fromCheckpoint(wrong)).toThrow(ModelLoadError);
    expect(() => BertWeights.fromCheckpoint(wrong)).toThrow(/intermediate\.dense\.weight" has shape \[64,32\].*\[48,32\]/);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects an int32 attention mask (tfjs-webgpu would mis-cast it)', async () => {
    await initNodeBackend('cpu');
    const weights = BertWeights.fromCheckpoint(ckpt);
    const shape: [number, number] = [batch.batch, batch.seqLen];
    expect(() =>
      tf.tidy(() => bertForward(weights, { inputIds: tf.tensor2d(batch.inputIds, shape, 'int32'), attentionMask: tf.tensor2d(batch.attentionMask, shape, 'int32') })),
    ).toThrow(/must be float32/);
    weights.dispose();
  });
});
