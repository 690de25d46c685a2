import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { clipByGlobalNorm } from './clip';
import { flat, maxAbsDiff, readTrainingFixture } from './testing/fixtures';

type Nested = number | Nested[];
interface ClipFixture {
  cases: { max_norm: number; grads_before: Nested[]; total_norm: number; grads_after: Nested[] }[];
}

const { cases } = readTrainingFixture<ClipFixture>('clip');
const TOL_F32 = 1e-6;

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('clipByGlobalNorm against torch.nn.utils.clip_grad_norm_', () => {
  it.each(cases.map((c, i) => [i, c] as const))('case %i', async (_, c) => {
    const shapes = [[3, 2], [4], [1]];
    const grads = c.grads_before.map((g, i) => tf.tensor(flat(g), shapes[i]));
    const before = tf.memory().numTensors;
    const { grads: clipped, totalNorm } = clipByGlobalNorm(grads, c.max_norm);
    expect(tf.memory().numTensors).toBe(before + clipped.length + 1); // only what it returns
    expect(Math.abs((await totalNorm.data())[0] - c.total_norm)).toBeLessThanOrEqual(TOL_F32 * Math.max(1, c.total_norm));
    for (let i = 0; i < clipped.length; i++) {
      expect(maxAbsDiff(await clipped[i].data(), flat(c.grads_after[i]))).toBeLessThanOrEqual(TOL_F32);
    }
    tf.dispose([...grads, ...clipped, totalNorm]);
  });

  it('covers a clipped and an unclipped case', () => {
    expect(cases.some((c) => c.total_norm > c.max_norm)).toBe(true);
    expect(cases.some((c) => c.total_norm < c.max_norm)).toBe(true);
  });

  it('only measures when maxNorm is Infinity, and handles no gradients', async () => {
    const g = tf.tensor1d([30, 40]);
    const { grads, totalNorm } = clipByGlobalNorm([g], Infinity);
    expect((await totalNorm.data())[0]).toBeCloseTo(50, 4);
    expect(Array.from(await grads[0].data())).toEqual([30, 40]);
    const none = clipByGlobalNorm([], 1);
    expect((await none.totalNorm.data())[0]).toBe(0);
    tf.dispose([g, ...grads, totalNorm, none.totalNorm]);
  });
});
