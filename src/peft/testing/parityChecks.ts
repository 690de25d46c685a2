/**
 * The checks every parity test runs against a golden fixture (parityFixture.ts), with named tolerances: logits
 * and loss, the gradient of the loss w.r.t. every trainable tensor, and the losses of `adamw.steps` steps of
 * torch.optim.AdamW (TorchAdamW). Each prints what it measured (console.info) before it asserts.
 */
import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';
import type { PeftClassifier } from '../classifier';
import { HEAD_TENSOR_NAMES } from '../head';
import type { ParityFixture } from './parityFixture';
import { TorchAdamW } from './torchAdamW';

/** Max |ours - reference| over the logits, the loss and anything else computed in one forward. */
export const TOL_LOGITS = 1e-4;
/** Max |ours - reference| over every element of every gradient. */
export const TOL_GRAD = 1e-4;
/** Max |ours - reference| over the losses of an AdamW run (steps compound the forward's rounding). */
export const TOL_ADAMW_LOSS = 1e-3;

/** The bounds of one parity check: logits and loss, and every element of every gradient. */
export interface ParityTolerance {
  logits: number;
  grad: number;
}
export const TOL_PARITY: ParityTolerance = { logits: TOL_LOGITS, grad: TOL_GRAD };

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** A classifier's saved name -> the fixture's: the head is `classifier.*` there, as in torch. */
export function headToFixtureKey(key: string): string {
  return key === HEAD_TENSOR_NAMES.weight ? 'classifier.weight' : key === HEAD_TENSOR_NAMES.bias ? 'classifier.bias' : key;
}

/** The fixture's name -> the classifier's saved name (the inverse of headToFixtureKey). */
export function headFromFixtureKey(key: string): string {
  return key === 'classifier.weight' ? HEAD_TENSOR_NAMES.weight : key === 'classifier.bias' ? HEAD_TENSOR_NAMES.bias : key;
}

/** Each trainable variable of `clf` under its fixture name: its saved name (clf.tensors()) through `toFixtureKey`. */
export function namedTrainables(clf: PeftClassifier, toFixtureKey: (key: string) => string = headToFixtureKey): [string, tf.Variable][] {
  const byVariable = new Map<tf.Tensor, string>(Object.entries(clf.tensors()).map(([k, v]) => [v, k]));
  return clf.trainableVariables().map((v) => [toFixtureKey(byVariable.get(v)!), v]);
}

/** Max |diff| of clf's logits on the fixture's batch against the sidecar tensor `key`. */
export async function logitsDiff(clf: PeftClassifier, fx: ParityFixture, key: string): Promise<number> {
  const logits = clf.logits(fx.batch);
  const diff = maxAbsDiff(await logits.data(), fx.tensors.get(key)!.data);
  logits.dispose();
  return diff;
}

/** Logits (sidecar `logits`) and loss (json `loss`) within tol.logits; returns both max |diff|. */
export async function expectLogitsAndLoss(label: string, clf: PeftClassifier, fx: ParityFixture, tol = TOL_PARITY): Promise<{ logits: number; loss: number }> {
  const diff = await logitsDiff(clf, fx, 'logits');
  const loss = clf.loss(fx.batch, fx.json.labels);
  const lossValue = (await loss.data())[0];
  loss.dispose();
  console.info(`${label} parity: logits max |diff| ${diff.toExponential(2)}, loss ${lossValue} vs ${fx.json.loss}`);
  expect(diff).toBeLessThanOrEqual(tol.logits);
  expect(Math.abs(lossValue - fx.json.loss)).toBeLessThanOrEqual(tol.logits);
  return { logits: diff, loss: Math.abs(lossValue - fx.json.loss) };
}

/**
 * The gradient of clf's loss w.r.t. each of `named` (fixture name, variable) against the sidecar's `grad.<name>`,
 * within tol.grad; `named` must be exactly the fixture's trainable tensors. Returns the largest |diff|.
 */
export async function expectGradients(label: string, clf: PeftClassifier, named: readonly [string, tf.Variable][], fx: ParityFixture, tol = TOL_PARITY): Promise<number> {
  expect(named.map(([k]) => k).sort()).toEqual([...fx.json.trainable].sort());
  const { value, grads } = tf.variableGrads(() => clf.loss(fx.batch, fx.json.labels), named.map(([, v]) => v));
  let worst = 0;
  for (const [key, v] of named) {
    const ref = fx.tensors.get(`grad.${key}`);
    expect(ref, key).toBeDefined();
    const d = maxAbsDiff(await grads[v.name].data(), ref!.data);
    expect(d, key).toBeLessThanOrEqual(tol.grad);
    worst = Math.max(worst, d);
  }
  tf.dispose([value, ...Object.values(grads)]);
  console.info(`${label} parity: ${named.length} gradients, max |diff| ${worst.toExponential(2)}`);
  return worst;
}

/** `adamw.steps` steps of TorchAdamW on clf's trainable variables: the losses within TOL_ADAMW_LOSS of torch's. */
export async function expectAdamWLosses(label: string, clf: PeftClassifier, fx: ParityFixture): Promise<void> {
  const vars = clf.trainableVariables();
  const a = fx.json.adamw;
  const opt = new TorchAdamW(vars, { lr: a.lr, betas: a.betas, eps: a.eps, weightDecay: a.weight_decay });
  const losses: number[] = [];
  for (let step = 0; step <= a.steps; step++) {
    const { value, grads } = tf.variableGrads(() => clf.loss(fx.batch, fx.json.labels), vars);
    losses.push((await value.data())[0]);
    if (step < a.steps) opt.step(vars.map((v) => grads[v.name]));
    tf.dispose([value, ...Object.values(grads)]);
  }
  opt.dispose();
  const diff = maxAbsDiff(losses, fx.json.adamw_losses);
  console.info(`${label} parity: AdamW losses ${losses.map((l) => l.toFixed(4)).join(' ')}; max |diff| ${diff.toExponential(2)}`);
  expect(diff).toBeLessThanOrEqual(TOL_ADAMW_LOSS);
}
