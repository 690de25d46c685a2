/**
 * layerNormFused against the plain-TS reference, through Dawn (SwiftShader) in Node: both variants, ragged shapes
 * (widths of 1 and not a power of two, row counts not a multiple of the workgroup's, 3-D inputs), rows far from
 * zero; the gradients for x (the backward kernel), gamma and beta; no leaks, one compilation per specialisation.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { COMMON_VARIANTS, setKernelVariant } from '../flags';
import { compare, randomF32, refLayerNorm, refLayerNormGrads, rng, take, TOL_F32 } from '../testing/reference';
import { layerNormFused } from './layerNorm';
import { expectNoLeaksNorRecompiles, useNodeWebGpu } from '../testing/nodeWebGpu';

/** Shapes of x [..., H], and a constant added to every value (a row far from zero tests the two-pass variance). */
const SHAPES: Array<[number[], number]> = [
  [[1, 1], 0],
  [[5, 1], 3],
  [[1, 384], 0],
  [[3, 5], 0],
  [[17, 33], 50],
  [[2, 3, 130], 0],
  [[261, 64], -20],
  [[70, 9], 0],
  [[1030, 3], 1], // enough rows for one thread each in the tiled variant too
];
/** BERT's eps; small enough that a row of width 1 (variance 0) divides by 1e-6. */
const EPS = 1e-12;

useNodeWebGpu();

function inputs(shape: number[], offset: number) {
  const h = shape[shape.length - 1];
  const rows = shape.reduce((a, b) => a * b, 1) / h;
  const next = rng(rows * 100 + h);
  const x = randomF32(rows * h, next).map((v) => v + offset);
  return { rows, h, x, gamma: randomF32(h, next, 2), beta: randomF32(h, next), dy: randomF32(rows * h, next) };
}

describe.each(COMMON_VARIANTS)('layerNormFused (%s)', (variant) => {
  beforeAll(() => setKernelVariant(variant));

  it.each(SHAPES)('matches the reference for x %j (offset %d)', async (shape, offset) => {
    const { rows, h, x, gamma, beta } = inputs(shape, offset);
    const [xt, gt, bt] = [tf.tensor(x, shape), tf.tensor1d(gamma), tf.tensor1d(beta)];
    const y = layerNormFused(xt, gt, bt, EPS);
    expect(y.shape).toEqual(shape);
    const r = compare(await take(y), refLayerNorm(x, gamma, beta, rows, h, EPS), TOL_F32);
    expect(r.ok, r.worst).toBe(true);
    tf.dispose([xt, gt, bt]);
  });

  it.each(SHAPES)('gives x, gamma and beta their gradients for x %j (offset %d)', async (shape, offset) => {
    const { rows, h, x, gamma, beta, dy } = inputs(shape, offset);
    const [xt, gt, bt, dyt] = [tf.tensor(x, shape), tf.tensor1d(gamma), tf.tensor1d(beta), tf.tensor(dy, shape)];
    const grads = tf.grads((a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => layerNormFused(a, g as tf.Tensor1D, b as tf.Tensor1D, EPS));
    const [dx, dgamma, dbeta] = grads([xt, gt, bt], dyt);
    const ref = refLayerNormGrads(dy, x, gamma, rows, h, EPS);
    for (const [name, got, want] of [['x', dx, ref.dx], ['gamma', dgamma, ref.dgamma], ['beta', dbeta, ref.dbeta]] as const) {
      const r = compare(await take(got), want, TOL_F32);
      expect(r.ok, `${name}: ${r.worst}`).toBe(true);
    }
    tf.dispose([xt, gt, bt, dyt]);
  });
});

describe('layerNormFused bookkeeping', () => {
  it('leaves no tensors behind and compiles each specialisation once', async () => {
    const { x, gamma, beta } = inputs([6, 40], 0);
    const [xt, gt, bt] = [tf.tensor2d(x, [6, 40]), tf.tensor1d(gamma), tf.tensor1d(beta)];
    const step = () => tf.tidy(() => tf.sum(tf.grad((v: tf.Tensor) => tf.sum(tf.square(layerNormFused(v, gt, bt, EPS))))(xt)));
    await expectNoLeaksNorRecompiles(step);
    tf.dispose([xt, gt, bt]);
  });
});
