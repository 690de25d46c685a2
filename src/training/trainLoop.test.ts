import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ExampleBatcher, type LabelledExample } from './batching';
import {
  BagOfWords, constantSource, flat, maxAbsDiff, readTrainingFixture, RegressionModel, ToyTokenizer, type ParamName, type RegressionFixture,
} from './testing/fixtures';
import { train, type Trainable, type TrainEvent } from './trainLoop';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const fx = readTrainingFixture<{ regression: RegressionFixture }>('adamw').regression;

/** Two separable classes of short "sentences" for the bag-of-words toy. */
const EXAMPLES: LabelledExample[] = Array.from({ length: 24 }, (_, i) => ({
  text: i % 2 === 0 ? `good great fine ${'nice '.repeat(i % 4)}` : `bad awful poor ${'meh '.repeat(i % 3)}`,
  label: i % 2,
}));
const toyData = (seed: number, heldOutFraction = 0) =>
  new ExampleBatcher(EXAMPLES, new ToyTokenizer(), { batchSize: 4, maxLength: 8, classBalanced: false, heldOutFraction, bucketBatches: 2, seed });

describe('train', () => {
  it('reproduces torch: AdamW + clip + warm-up/linear schedule, 10 steps of the golden regression', async () => {
    const model = new RegressionModel(fx);
    const h = fx.hyper;
    const NAMES: ParamName[] = ['w', 'g', 'b'];
    let worst = 0;
    const steps: TrainEvent[] = [];
    const result = await train({
      model,
      data: constantSource({ labels: fx.y.map(() => 0) }, 5),
      config: {
        lr: h.lr, epochs: 2, warmupRatio: h.warmup_steps / h.total_steps, weightDecay: h.weight_decay, beta1: h.betas[0],
        beta2: h.betas[1], eps: h.eps, maxGradNorm: h.max_norm, schedule: 'linear',
      },
      onEvent: (e) => {
        if (e.kind !== 'step') return;
        steps.push(e);
        const want = fx.steps[e.step - 1];
        expect(e.lr).toBeCloseTo(want.lr, 12);
        expect(Math.abs(e.gradNorm - want.grad_norm)).toBeLessThanOrEqual(1e-5);
        model.variables.forEach((v, i) => {
          const d = maxAbsDiff(v.dataSync(), flat(want.params[NAMES[i]]));
          worst = Math.max(worst, d);
          expect(d, `step ${e.step} ${NAMES[i]}`).toBeLessThanOrEqual(1e-5);
        });
      },
    });
    expect(steps).toHaveLength(10);
    expect(result).toMatchObject({ reason: 'completed', steps: 10, bestStep: 10, best: null });
    console.info(`train() parity with torch over 10 steps: max |param - torch| = ${worst.toExponential(2)}`);
    model.dispose();
  });

  it('is deterministic for a seed (order and dropout); another seed gives another order', async () => {
    const run = async (seed: number) => {
      const model = new BagOfWords(32, 2, 0.3);
      const losses: number[] = [];
      await train({
        model, data: toyData(seed), config: { lr: 0.05, epochs: 3, seed },
        onEvent: (e) => e.kind === 'step' && losses.push(e.loss),
      });
      const table = Array.from(model.table.dataSync());
      model.dispose();
      return { losses, table };
    };
    const a = await run(1);
    const b = await run(1);
    const c = await run(2);
    expect(a.losses).toHaveLength(18); // 24 examples / 4 per batch, 3 epochs
    expect(b).toEqual(a);
    expect(c.losses).not.toEqual(a.losses);
    expect(a.losses[a.losses.length - 1]).toBeLessThan(a.losses[0]); // it learns
  });

  it('stops early when the held-out loss rises and restores the best values', async () => {
    // One weight pulled towards 5 by training; the held-out loss (w - 1)^2 is best near w = 1.
    type B = { labels: number[]; heldOut: boolean };
    const w = tf.variable(tf.scalar(0));
    const model: Trainable<B> = {
      variables: [w],
      loss: (batch) => tf.tidy(() => tf.square(tf.sub(w, batch.heldOut ? 1 : 5)) as tf.Scalar),
    };
    const trajectory: number[] = [];
    const evals: TrainEvent[] = [];
    const result = await train({
      model,
      data: constantSource<B>({ labels: [0], heldOut: false }, 10, [{ labels: [0], heldOut: true }]),
      config: { lr: 0.3, epochs: 5, warmupRatio: 0, schedule: 'constant', weightDecay: 0, maxGradNorm: 0, patience: 2, evalEvery: 1 },
      onEvent: (e) => {
        if (e.kind === 'step') trajectory.push(w.dataSync()[0]);
        if (e.kind === 'eval') evals.push(e);
      },
    });
    const bestAt = trajectory.reduce((best, v, i) => (Math.abs(v - 1) < Math.abs(trajectory[best] - 1) ? i : best), 0) + 1;
    expect(result.reason).toBe('early-stopped');
    expect(result.bestStep).toBe(bestAt);
    expect(result.steps).toBe(bestAt + 2); // patience 2
    expect(evals).toHaveLength(result.steps);
    expect(w.dataSync()[0]).toBeCloseTo(trajectory[bestAt - 1], 6);
    expect(result.best?.heldOutLoss).toBeCloseTo((trajectory[bestAt - 1] - 1) ** 2, 5);
    expect(result.best?.heldOutAccuracy).toBeNull();
    w.dispose();
  });

  it('is cancelled by an abort between steps, from inside a step or from a macrotask', async () => {
    const model = new BagOfWords(32, 2, 0);
    const inside = new AbortController();
    const events: TrainEvent[] = [];
    const r1 = await train({
      model, data: toyData(3), config: { epochs: 50 }, signal: inside.signal,
      onEvent: (e) => {
        events.push(e);
        if (e.kind === 'step' && e.step === 3) inside.abort();
      },
    });
    expect(r1).toMatchObject({ reason: 'cancelled', steps: 3 });
    expect(events[events.length - 1]).toEqual({ kind: 'done', reason: 'cancelled', bestStep: 3, steps: 3 });

    const later = new AbortController(); // as a worker's cancel message would: only if the loop yields
    setTimeout(() => later.abort(), 50);
    const r2 = await train({ model, data: toyData(3), config: { maxSteps: 1_000_000 }, signal: later.signal });
    expect(r2.reason).toBe('cancelled');
    expect(r2.steps).toBeGreaterThan(0);
    expect(r2.steps).toBeLessThan(1_000_000);
    model.dispose();
  });

  it('leaks no tensors: flat across steps and evaluations, back to the start at the end', async () => {
    const model = new BagOfWords(32, 2, 0.1);
    const before = tf.memory().numTensors;
    const counts: number[] = [];
    const evals: TrainEvent[] = [];
    const result = await train({
      model, data: toyData(4, 0.25), config: { epochs: 3, evalEvery: 2, patience: 0 },
      onEvent: (e) => {
        if (e.kind === 'step') counts.push(tf.memory().numTensors);
        if (e.kind === 'eval') evals.push(e);
      },
    });
    expect(result.reason).toBe('completed');
    expect(evals.length).toBeGreaterThan(2);
    expect(evals.every((e) => e.kind === 'eval' && e.heldOutAccuracy !== null)).toBe(true);
    expect(new Set(counts.slice(2)).size).toBe(1); // after the first step (moments) and first eval (best copy)
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });
});
