/**
 * maskedSoftmax against the plain-TS reference, through Dawn (SwiftShader) in Node: both variants, ragged shapes
 * (one key, key counts not a power of two, row counts not a multiple of the workgroup's), padded keys, a batch
 * row whose keys are all padding; the gradient for the scores; no leaks, one compilation per specialisation.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { F32_MIN } from '../../encoder/bert/ops';
import { COMMON_VARIANTS, setKernelVariant } from '../flags';
import { compare, randomF32, refMaskedSoftmax, refMaskedSoftmaxGrad, rng, take, TOL_F32 } from '../testing/reference';
import { maskedSoftmax } from './maskedSoftmax';
import { expectNoLeaksNorRecompiles, useNodeWebGpu } from '../testing/nodeWebGpu';

/** [batch, heads, queries, keys]. */
const SHAPES: Array<[number, number, number, number]> = [
  [1, 1, 1, 1],
  [2, 3, 5, 7],
  [1, 12, 16, 16],
  [3, 2, 4, 70],
  [2, 1, 33, 9],
  [4, 12, 30, 3],
];
/** 1 / sqrt(head size 32). */
const SCALE = 1 / Math.sqrt(32);

useNodeWebGpu();

/** Scores of size ~3, and an additive mask with random padding; batch row 1 (if any) is all padding. */
function inputs([batch, heads, queries, keys]: [number, number, number, number]) {
  const next = rng(batch * 1000 + heads * 100 + queries * 10 + keys);
  const rows = batch * heads * queries;
  const scores = randomF32(rows * keys, next, 3);
  const mask = Float32Array.from({ length: batch * keys }, (_, i) => (Math.floor(i / keys) === 1 || next() < 0.3 ? F32_MIN : 0));
  return { rows, scores, mask, dp: randomF32(rows * keys, next) };
}

describe.each(COMMON_VARIANTS)('maskedSoftmax (%s)', (variant) => {
  beforeAll(() => setKernelVariant(variant));

  it.each(SHAPES)('matches the reference for scores [%i, %i, %i, %i]', async (...shape) => {
    const { rows, scores, mask } = inputs(shape);
    const [st, mt] = [tf.tensor4d(scores, shape), tf.tensor2d(mask, [shape[0], shape[3]])];
    const r = compare(await take(maskedSoftmax(st, mt, SCALE)), refMaskedSoftmax(scores, mask, rows, shape[3], shape[1] * shape[2], SCALE), TOL_F32);
    expect(r.ok, r.worst).toBe(true);
    tf.dispose([st, mt]);
  });

  it.each(SHAPES)('gives the scores their gradient for [%i, %i, %i, %i]', async (...shape) => {
    const { rows, scores, mask, dp } = inputs(shape);
    const [st, mt, dpt] = [tf.tensor4d(scores, shape), tf.tensor2d(mask, [shape[0], shape[3]]), tf.tensor4d(dp, shape)];
    const ds = tf.grad((s: tf.Tensor) => maskedSoftmax(s as tf.Tensor4D, mt, SCALE))(st, dpt);
    const p = refMaskedSoftmax(scores, mask, rows, shape[3], shape[1] * shape[2], SCALE);
    const r = compare(await take(ds), refMaskedSoftmaxGrad(p, dp, rows, shape[3], SCALE), TOL_F32);
    expect(r.ok, r.worst).toBe(true);
    tf.dispose([st, mt, dpt]);
  });
});

describe('maskedSoftmax bookkeeping', () => {
  it('leaves no tensors behind and compiles each specialisation once', async () => {
    const shape: [number, number, number, number] = [2, 3, 5, 7];
    const { scores, mask } = inputs(shape);
    const [st, mt] = [tf.tensor4d(scores, shape), tf.tensor2d(mask, [2, 7])];
    const step = () => tf.tidy(() => tf.sum(tf.grad((s: tf.Tensor) => tf.sum(tf.square(maskedSoftmax(s as tf.Tensor4D, mt, SCALE))))(st)));
    await expectNoLeaksNorRecompiles(step);
    tf.dispose([st, mt]);
  });
});
