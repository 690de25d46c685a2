import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { AdamW, OptimizerStateError } from './adamw';
import { clipByGlobalNorm } from './clip';
import { linearWarmupDecay } from './schedule';
import {
  flat, maxAbsDiff, readTrainingFixture, RegressionModel, type ParamName, type RegressionFixture, type SkipFixture, type TinyFixture,
} from './testing/fixtures';

const golden = readTrainingFixture<{ regression: RegressionFixture; skip: SkipFixture; tiny: TinyFixture }>('adamw');
const fx = golden.regression;
const NAMES: ParamName[] = ['w', 'g', 'b'];
/** Parity bar of the brief: parameters after each of the 10 steps within 1e-5 of PyTorch. */
const TOL_PARAMS = 1e-5;

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function optimizerFor(vars: tf.Variable[]): AdamW {
  const h = fx.hyper;
  return new AdamW(vars, { beta1: h.betas[0], beta2: h.betas[1], eps: h.eps, weightDecay: h.weight_decay });
}

describe('AdamW against torch.optim.AdamW', () => {
  it('matches 10 steps of the regression problem fed torch-clipped gradients (optimizer alone)', async () => {
    const model = new RegressionModel(fx);
    const opt = optimizerFor(model.variables);
    for (const [t, s] of fx.steps.entries()) {
      const grads = new Map(model.variables.map((v, i) => [v, tf.tensor(flat(s.grads[NAMES[i]]), v.shape)] as const));
      opt.step(grads, s.lr);
      tf.dispose([...grads.values()]);
      for (const [i, v] of model.variables.entries()) {
        expect(maxAbsDiff(await v.data(), flat(s.params[NAMES[i]])), `step ${t} ${NAMES[i]}`).toBeLessThanOrEqual(1e-6);
      }
    }
    opt.dispose();
    model.dispose();
  });

  it('matches torch end to end: tfjs gradients, clipping at 1.0, warm-up + linear decay, weight decay', async () => {
    const model = new RegressionModel(fx);
    const opt = optimizerFor(model.variables);
    const h = fx.hyper;
    let worst = 0;
    for (const [t, s] of fx.steps.entries()) {
      const lr = h.lr * linearWarmupDecay(t, h.warmup_steps, h.total_steps);
      expect(lr).toBeCloseTo(s.lr, 12);
      const { value, grads } = tf.variableGrads(() => model.loss(), model.variables);
      const clipped = clipByGlobalNorm(model.variables.map((v) => grads[v.name]), h.max_norm);
      expect(Math.abs((await value.data())[0] - s.loss)).toBeLessThanOrEqual(1e-4);
      expect(Math.abs((await clipped.totalNorm.data())[0] - s.grad_norm)).toBeLessThanOrEqual(1e-5);
      opt.step(new Map(model.variables.map((v, i) => [v, clipped.grads[i]])), lr);
      tf.dispose([value, ...Object.values(grads), ...clipped.grads, clipped.totalNorm]);
      for (const [i, v] of model.variables.entries()) {
        const d = maxAbsDiff(await v.data(), flat(s.params[NAMES[i]]));
        worst = Math.max(worst, d);
        expect(d, `step ${t} ${NAMES[i]}`).toBeLessThanOrEqual(TOL_PARAMS);
      }
    }
    console.info(`AdamW end-to-end parity: max |param - torch| over 10 steps = ${worst.toExponential(2)}`);
    opt.dispose();
    model.dispose();
  });

  it('skips a variable without a gradient entirely, as torch skips grad None', async () => {
    const sk = golden.skip;
    const w = tf.variable(tf.tensor(flat(sk.params.w), [2, 3]));
    const b = tf.variable(tf.tensor(flat(sk.params.b), [3]));
    const opt = new AdamW([w, b], { weightDecay: sk.weight_decay });
    for (const [t, s] of sk.steps.entries()) {
      const grads: tf.NamedTensorMap = {};
      if (s.grads.w) grads[w.name] = tf.tensor(flat(s.grads.w), [2, 3]);
      if (s.grads.b) grads[b.name] = tf.tensor(flat(s.grads.b), [3]);
      opt.step(grads, sk.lr);
      tf.dispose(Object.values(grads));
      expect(maxAbsDiff(await w.data(), flat(s.params.w)), `step ${t} w`).toBeLessThanOrEqual(1e-6);
      expect(maxAbsDiff(await b.data(), flat(s.params.b)), `step ${t} b`).toBeLessThanOrEqual(1e-6);
    }
    opt.dispose();
    tf.dispose([w, b]);
  });

  it('adds eps after the bias-corrected sqrt(v), as torch (gradients near eps)', async () => {
    const tiny = golden.tiny;
    const p = tf.variable(tf.tensor1d(flat(tiny.params.p)));
    const opt = new AdamW([p], { eps: tiny.eps, weightDecay: 0 });
    for (const [t, s] of tiny.steps.entries()) {
      const g = tf.tensor1d(flat(s.grads.p));
      opt.step(new Map([[p, g]]), tiny.lr);
      g.dispose();
      expect(maxAbsDiff(await p.data(), flat(s.params.p)), `step ${t}`).toBeLessThanOrEqual(1e-6);
    }
    opt.dispose();
    p.dispose();
  });

  it('resumes from exported plain-data state exactly like an uninterrupted run', async () => {
    const straight = new RegressionModel(fx);
    const optA = optimizerFor(straight.variables);
    const resumed = new RegressionModel(fx);
    let optB = optimizerFor(resumed.variables);
    for (const [t, s] of fx.steps.entries()) {
      for (const [model, opt] of [[straight, optA], [resumed, optB]] as const) {
        const grads = new Map(model.variables.map((v, i) => [v, tf.tensor(flat(s.grads[NAMES[i]]), v.shape)] as const));
        opt.step(grads, s.lr);
        tf.dispose([...grads.values()]);
      }
      if (t === 4) {
        const state = structuredClone(await optB.exportState()); // as it would cross postMessage
        expect(state.slots.map((x) => x.step)).toEqual([5, 5, 5]);
        optB.dispose();
        optB = optimizerFor(resumed.variables);
        optB.importState(state);
      }
    }
    for (const [i, v] of straight.variables.entries()) {
      expect(Array.from(await resumed.variables[i].data())).toEqual(Array.from(await v.data()));
    }
    const bad = await optA.exportState();
    bad.slots[0].shape = [9];
    expect(() => optB.importState(bad)).toThrow(OptimizerStateError);
    optA.dispose();
    optB.dispose();
    expect(() => optB.step({}, 0.1)).toThrow(OptimizerStateError);
    straight.dispose();
    resumed.dispose();
  });

  it('leaks no tensors: flat after the first step, back to the start after dispose', () => {
    const model = new RegressionModel(fx);
    const start = tf.memory().numTensors;
    const opt = optimizerFor(model.variables);
    const grads = new Map(model.variables.map((v) => [v, tf.onesLike(v)] as const));
    const counts: number[] = [];
    for (let t = 0; t < 5; t++) {
      opt.step(grads, 0.01);
      counts.push(tf.memory().numTensors);
    }
    expect(counts[0]).toBe(start + grads.size + 2 * model.variables.length); // grads + m, v per variable
    expect(new Set(counts).size).toBe(1);
    tf.dispose([...grads.values()]);
    opt.dispose();
    expect(tf.memory().numTensors).toBe(start);
    model.dispose();
  });
});
