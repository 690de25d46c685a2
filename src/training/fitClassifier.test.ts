/**
 * The PEFT classifier trained by the train loop end to end, on the tiny BERT with its real WordPiece tokenizer:
 * it learns, the frozen encoder does not move, a seed repeats a run (LoRA dropout included), and the tensor
 * count stays flat from step to step. Run on the cpu and wasm backends.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { readCheckpointDir, TINY_BERT_DIR } from '../encoder/bert/testing/fixtures';
import { BertWeights } from '../encoder/bert/weights';
import { WordPieceTokenizer } from '../encoder/tokenizer';
import { PeftClassifier } from '../peft/classifier';
import { LinearHead } from '../peft/head';
import { createDelta, PEFT_METHODS } from '../peft/registry';
import { initNodeBackend } from '../runtime/nodeBackends';
import type { LabelledExample } from './batching';
import { fitClassifier } from './fitClassifier';
import type { TrainEvent } from './trainLoop';

const POSITIVE = ['a good film', 'the best day', 'very good and fun', 'i love this', 'good music', 'the best of all', 'love it', 'fun and good'];
const NEGATIVE = ['a bad film', 'the worst day', 'very bad and sad', 'i hate this', 'bad music', 'the worst of all', 'hate it', 'sad and bad'];
const EXAMPLES: LabelledExample[] = [...POSITIVE.map((text) => ({ text, label: 1 })), ...NEGATIVE.map((text) => ({ text, label: 0 }))];

const CONFIG = { lr: 2e-2, maxSteps: 12, batchSize: 4, heldOutFraction: 0.25, evalEvery: 4, patience: 0, warmupRatio: 0.1, seed: 7 };

describe.each(['cpu', 'wasm'] as const)('fitClassifier on %s', (backend) => {
  const ckpt = readCheckpointDir(TINY_BERT_DIR);
  const tokenizer = WordPieceTokenizer.fromJSON(ckpt.tokenizerJson);
  let weights: BertWeights;

  const makeClassifier = () => {
    const delta = createDelta(ckpt.config, { ...PEFT_METHODS.lora.defaults, r: 4, loraAlpha: 8, loraDropout: 0.1 }, 3);
    return new PeftClassifier(weights, ckpt.pooling, delta, LinearHead.random(ckpt.config.hiddenSize, 2, 5));
  };
  const run = async (classifier: PeftClassifier) => {
    const events: TrainEvent[] = [];
    const tensorsAfterStep: number[] = [];
    const result = await fitClassifier({
      classifier,
      tokenizer,
      examples: EXAMPLES,
      config: CONFIG,
      onEvent: (e) => {
        events.push(e);
        if (e.kind === 'step') tensorsAfterStep.push(tf.memory().numTensors);
      },
    });
    return { result, events, tensorsAfterStep, losses: events.flatMap((e) => (e.kind === 'step' ? [e.loss] : [])) };
  };

  it('learns, leaves the encoder frozen, repeats under one seed and keeps the tensor count flat', async () => {
    expect((await initNodeBackend(backend)).backend).toBe(backend);
    weights = BertWeights.fromCheckpoint(ckpt);
    const encoderBefore = await Promise.all(weights.tensors().map((t) => t.data()));

    const first = makeClassifier();
    const a = await run(first);
    expect(a.result.reason).toBe('completed');
    expect(a.losses).toHaveLength(CONFIG.maxSteps);
    expect(a.losses.every(Number.isFinite)).toBe(true);
    const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(mean(a.losses.slice(-4))).toBeLessThan(mean(a.losses.slice(0, 4)));
    const evals = a.events.filter((e) => e.kind === 'eval');
    expect(evals.length).toBeGreaterThanOrEqual(3);
    expect(evals.every((e) => e.heldOutAccuracy !== null)).toBe(true);

    // Flat from step to step. Two things are made once and kept: the optimizer's moments (first step) and the
    // snapshot of the best parameters (first evaluation, one copy per trainable variable).
    const evalAt = CONFIG.evalEvery;
    const beforeEval = a.tensorsAfterStep.slice(1, evalAt);
    const afterEval = a.tensorsAfterStep.slice(evalAt);
    expect(new Set(beforeEval).size).toBe(1);
    expect(new Set(afterEval).size).toBe(1);
    expect(afterEval[0] - beforeEval[0]).toBe(first.trainableVariables().length);

    const encoderAfter = await Promise.all(weights.tensors().map((t) => t.data()));
    expect(encoderAfter).toEqual(encoderBefore);

    const second = makeClassifier();
    const b = await run(second);
    expect(b.losses).toEqual(a.losses);
    first.dispose();
    second.dispose();
  });

  afterAll(() => weights?.dispose());
});
