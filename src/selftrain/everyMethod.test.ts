/**
 * One LiST round with meta-reweighting for every method in the PEFT registry (tiny BERT, cpu), and for LoRA on
 * webgpu through Dawn: each ends with a student whose tensors moved off the teacher's, meta weights that sum to 1
 * (or are all 0), and no tensor left behind. Head-only runs with the frozen-embedding cache end in the very state
 * of a run without it. (selfTrain.test.ts covers events, cancellation and resume in depth for three methods.)
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCheckpointDir, TINY_BERT_DIR } from '../encoder/bert/testing/fixtures';
import { BertWeights } from '../encoder/bert/weights';
import { WordPieceTokenizer } from '../encoder/tokenizer';
import { FrozenEmbeddingCache } from '../peft/featureCache';
import { METHOD_NAMES, type MethodName } from '../peft/method';
import { PeftClassifier } from '../peft/classifier';
import { LinearHead } from '../peft/head';
import { createDelta, PEFT_METHODS } from '../peft/registry';
import { deriveSeed } from '../training/rng';
import { resolveSelfTrainConfig } from './config';
import { classifierArrays } from './state';
import { SELF_TRAIN_STREAM } from './student';
import { initNodeBackend, uninstallNodeWebGpu } from '../runtime/nodeBackends';
import type { LabelledExample } from '../training/batching';
import type { SelfTrainConfig } from './config';
import type { SelfTrainEvent } from './events';
import { selfTrain, type SelfTrainOptions } from './selfTrain';
import type { SelfTrainState } from './state';

const LABELLED: LabelledExample[] = [
  ...['a good film', 'the best day', 'very good and fun', 'i love this'].map((text) => ({ text, label: 1 })),
  ...['a bad film', 'the worst day', 'very bad and sad', 'i hate this'].map((text) => ({ text, label: 0 })),
];
const UNLABELLED = ['good fun', 'the worst music', 'i love the film', 'sad day', 'the best music', 'bad and sad'];
const CONFIG: Partial<SelfTrainConfig> = {
  rounds: 1, studentSteps: 2, warmupFraction: 0.5, innerLr: 0.5, unlabeledPerRound: 6, unlabeledBatchSize: 3,
  labelledBatchSize: 4, labelBatchSize: 8, studentLr: 1e-2, evalFraction: 0.25, seed: 5,
  fineTune: { lr: 2e-2, maxSteps: 2, batchSize: 4, heldOutFraction: 0, patience: 0 },
};

const ckpt = readCheckpointDir(TINY_BERT_DIR);
const tokenizer = WordPieceTokenizer.fromJSON(ckpt.tokenizerJson);

async function oneRound(weights: BertWeights, method: MethodName, extra: Partial<SelfTrainOptions> = {}) {
  const events: SelfTrainEvent[] = [];
  const states: SelfTrainState[] = [];
  const parts = { weights, tokenize: (text: string) => tokenizer.encode(text).ids };
  const result = await selfTrain({
    weights, pooling: ckpt.pooling, encoder: ckpt.config, tokenizer, method: PEFT_METHODS[method].defaults, classes: 2,
    labelled: LABELLED, unlabelled: UNLABELLED, config: CONFIG, onEvent: (e) => events.push(e), onState: (s) => void states.push(s),
    parts, ...extra,
  });
  result.classifier.dispose();
  // What round 1's student was before its first step: the round's fresh delta under the first teacher's start head.
  const cfg = resolveSelfTrainConfig(CONFIG);
  const start = LinearHead.random(ckpt.config.hiddenSize, 2, deriveSeed(cfg.seed, SELF_TRAIN_STREAM.head, 0));
  const freshClassifier = new PeftClassifier(weights, ckpt.pooling,
    createDelta(ckpt.config, extra.method ?? PEFT_METHODS[method].defaults, deriveSeed(cfg.seed, SELF_TRAIN_STREAM.delta, 1), parts), start);
  const freshStudent = await classifierArrays(freshClassifier);
  freshClassifier.dispose();
  return { result, events, states, freshStudent };
}

function expectARound(run: Awaited<ReturnType<typeof oneRound>>) {
  expect(run.result.reason).toBe('completed');
  expect(run.states.map((s) => s.roundsFinished)).toEqual([0, 1]);
  const meta = run.events.filter((e) => e.kind === 'studentStep' && e.phase === 'meta');
  expect(meta).toHaveLength(1);
  for (const e of meta) {
    if (e.kind !== 'studentStep') continue;
    const sum = e.weights.reduce((a, b) => a + b, 0);
    expect(sum === 0 || Math.abs(sum - 1) < 1e-6).toBe(true);
    expect(Number.isFinite(e.metaLoss)).toBe(true);
  }
  // The round-1 teacher (the student after distillation and fine-tuning) is not the fresh student it started as.
  const fresh = run.freshStudent;
  const after = run.states[1].teacher;
  expect(after.map((a) => a.name)).toEqual(fresh.map((a) => a.name));
  expect(after.some((a, i) => a.data.some((x, j) => x !== fresh[i].data[j]))).toBe(true);
}

describe('selfTrain with every PEFT method (cpu)', () => {
  let weights: BertWeights;
  beforeAll(async () => {
    expect((await initNodeBackend('cpu')).backend).toBe('cpu');
    weights = BertWeights.fromCheckpoint(ckpt);
  });
  afterAll(() => weights?.dispose());

  it.each(METHOD_NAMES)('%s: a meta-reweighted round, no tensor left', async (method) => {
    const before = tf.memory().numTensors;
    expectARound(await oneRound(weights, method));
    expect(tf.memory().numTensors).toBe(before);
  }, 120_000);

  it('a fresh student starts from the first teacher\'s starting head; a head-only student given the teacher\'s head would be the teacher (KL 0)', async () => {
    const firstKl = async (studentHead: 'initial' | 'teacher') => {
      const run = await oneRound(weights, 'head', { config: { ...CONFIG, studentHead } });
      const first = run.events.find((e) => e.kind === 'studentStep');
      return first?.kind === 'studentStep' ? first.loss : NaN;
    };
    expect(await firstKl('teacher')).toBeLessThan(1e-7); // nothing to distil: no gradient, the round only fine-tunes
    expect(await firstKl('initial')).toBeGreaterThan(1e-3);
  }, 120_000);

  it('head-only with the frozen-embedding cache ends in the state of a run without it', async () => {
    const features = new FrozenEmbeddingCache(weights, ckpt.pooling);
    const [plain, cached] = [await oneRound(weights, 'head'), await oneRound(weights, 'head', { features })];
    expect(features.stats().rows).toBe(LABELLED.length + UNLABELLED.length);
    expect(features.stats().misses).toBe(LABELLED.length + UNLABELLED.length); // each text through the encoder once
    const [a, b] = [plain.result.state.teacher, cached.result.state.teacher];
    a.forEach((t, i) => t.data.forEach((x, j) => expect(Math.abs(x - b[i].data[j])).toBeLessThan(1e-5)));
    features.dispose();
  }, 120_000);
});

describe('selfTrain on webgpu (Dawn)', () => {
  afterAll(() => uninstallNodeWebGpu());

  it('lora: a meta-reweighted round, no tensor left', async () => {
    const choice = await initNodeBackend('webgpu');
    expect(choice.backend, `webgpu did not start: ${choice.fallbackReason}`).toBe('webgpu');
    const weights = BertWeights.fromCheckpoint(ckpt);
    const before = tf.memory().numTensors;
    expectARound(await oneRound(weights, 'lora'));
    expect(tf.memory().numTensors).toBe(before);
    weights.dispose();
  }, 300_000);
});
