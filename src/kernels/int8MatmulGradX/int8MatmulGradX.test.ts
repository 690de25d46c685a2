/**
 * int8MatmulGradX against the plain-TS reference through Dawn: every variant, ragged shapes and 1s, every skinny and
 * staged workgroup of the sweep, no leaks.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KERNEL_VARIANTS, setKernelVariant, SPLIT_GRID, STAGED_GRID } from '../flags';
import { int8Weight } from '../int8Matmul/int8Pack';
import { compare, randomF32, randomInt8, refInt8MatmulGradX, rng, take, TOL_F32 } from '../testing/reference';
import { forceInt8MatmulGradXSplit, forceInt8MatmulGradXStaged, int8MatmulGradX, int8MatmulGradXPlan } from './int8MatmulGradX';
import { SWEEP_TIMEOUT_MS, useNodeWebGpu } from '../testing/nodeWebGpu';

/**
 * [M, K, N] (dy is [M, N], dx [M, K]); the last four are whole vec4s in K and N (what the vec4 variant takes) with
 * M, K / 4 and N off its tiles. Under 'vec4' the others fall back to 'tiled'.
 */
const SHAPES: Array<[number, number, number]> = [
  [1, 1, 1],
  [1, 384, 1536],
  [2, 7, 3],
  [16, 128, 33],
  [33, 131, 17],
  [65, 6, 40],
  [4, 4, 4],
  [6, 20, 12],
  [37, 132, 68],
  [66, 100, 40],
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

describe("the skinny variant's workgroups", () => {
  afterAll(() => {
    forceInt8MatmulGradXSplit(null);
    setKernelVariant('auto');
  });

  it.each([[5, 12, 20], [37, 132, 68]] as const)('every workgroup of the sweep gives the reference (M=%i K=%i N=%i)', async (m, k, n) => {
    setKernelVariant('skinny');
    const next = rng(m * 3 + k + n);
    const [dy, q, scale] = [randomF32(m * n, next), randomInt8(n * k, next), randomF32(n, next, 0.02)];
    const w = int8Weight(q, scale, n, k);
    const dyt = tf.tensor2d(dy, [m, n]);
    const ref = refInt8MatmulGradX(dy, q, scale, m, k, n);
    const failed: string[] = [];
    for (const shape of SPLIT_GRID) {
      forceInt8MatmulGradXSplit(shape);
      expect(int8MatmulGradXPlan(m, k, n).entryPoint).toBe('split_n');
      const r = compare(await take(int8MatmulGradX(dyt, w)), ref, TOL_F32);
      if (!r.ok) failed.push(`${JSON.stringify(shape)}: ${r.worst}`);
    }
    expect(failed).toEqual([]);
    tf.dispose([dyt, w.q, w.scale]);
  }, SWEEP_TIMEOUT_MS);
});

describe("the staged variant's workgroups", () => {
  afterAll(() => {
    forceInt8MatmulGradXStaged(null);
    setKernelVariant('auto');
  });

  // dx [130, 264]: 66 words against tiles of 4, 8 and 16 (two or more, the last ragged), 130 rows against 16 to 128,
  // 18 quads of n against chunks of 4 and 8. One shape: compiling the grid's 67 pipelines takes a minute here.
  it.each([[130, 264, 72]] as const)('every workgroup of the sweep gives the reference (M=%i K=%i N=%i)', async (m, k, n) => {
    setKernelVariant('staged');
    const next = rng(m * 5 + k + n);
    const [dy, q, scale] = [randomF32(m * n, next), randomInt8(n * k, next), randomF32(n, next, 0.02)];
    const w = int8Weight(q, scale, n, k);
    const dyt = tf.tensor2d(dy, [m, n]);
    const ref = refInt8MatmulGradX(dy, q, scale, m, k, n);
    const failed: string[] = [];
    for (const shape of STAGED_GRID) {
      forceInt8MatmulGradXStaged(shape);
      expect(int8MatmulGradXPlan(m, k, n).entryPoint).toBe('staged');
      const r = compare(await take(int8MatmulGradX(dyt, w)), ref, TOL_F32);
      if (!r.ok) failed.push(`${JSON.stringify(shape)}: ${r.worst}`);
    }
    expect(failed).toEqual([]);
    tf.dispose([dyt, w.q, w.scale]);
  }, SWEEP_TIMEOUT_MS);
});
