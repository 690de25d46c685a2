/** int8MatmulGradX against the plain-TS reference through Dawn: both variants, ragged shapes and 1s, no leaks. */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { KERNEL_VARIANTS, setKernelVariant } from '../flags';
import { int8Weight } from '../int8Matmul/int8Pack';
import { compare, randomF32, randomInt8, refInt8MatmulGradX, rng, take, TOL_F32 } from '../testing/reference';
import { int8MatmulGradX } from './int8MatmulGradX';
import { useNodeWebGpu } from '../testing/nodeWebGpu';

/** [M, K, N] (dy is [M, N], dx [M, K]). */
const SHAPES: Array<[number, number, number]> = [
  [1, 1, 1],
  [1, 384, 1536],
  [2, 7, 3],
  [16, 128, 33],
  [33, 131, 17],
  [65, 6, 40],
];

useNodeWebGpu();

describe.each(KERNEL_VARIANTS)('int8MatmulGradX (%s)', (variant) => {
  beforeAll(() => setKernelVariant(variant));

  it.each(SHAPES)('dx = dy @ dequant(W) for M=%i K=%i N=%i', async (m, k, n) => {
    const next = rng(31 * m + 7 * k + n);
    const dy = randomF32(m * n, next);
    const q = randomInt8(n * k, next);
    const scale = randomF32(n, next, 0.02);
    const w = int8Weight(q, scale, n, k);
    const dyt = tf.tensor2d(dy, [m, n]);
    const before = tf.memory().numTensors;
    const dx = int8MatmulGradX(dyt, w);
    expect(dx.shape).toEqual([m, k]);
    expect(tf.memory().numTensors).toBe(before + 1);
    const r = compare(await take(dx), refInt8MatmulGradX(dy, q, scale, m, k, n), TOL_F32);
    expect(r.ok, r.worst).toBe(true);
    tf.dispose([dyt, w.q, w.scale]);
  });
});
