/**
 * loraFused against the plain-TS reference through Dawn: every variant, ragged shapes, 1s and rank 1; the
 * gradients for x, a and b (and xl when it differs from x); no leaks.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMON_VARIANTS, setKernelVariant, SPLIT_GRID, STAGED_GRID } from '../flags';
import { forceInt8MatmulStaged } from '../int8Matmul/int8Matmul';
import { int8Weight } from '../int8Matmul/int8Pack';
import { forceInt8MatmulGradXStaged } from '../int8MatmulGradX/int8MatmulGradX';
import { compare, randomF32, randomInt8, refInt8Matmul, refInt8MatmulGradX, refMatmul, rng, take, TOL_F32, TOL_GELU } from '../testing/reference';
import { forceLoraFusedSplit, forceLoraFusedStaged, LORA_STAGED_GRID, loraFused, loraFusedPlan, MAX_RANKS_PER_THREAD, MAX_STAGED_RANKS } from './loraFused';
import { SWEEP_TIMEOUT_MS, useNodeWebGpu } from '../testing/nodeWebGpu';

/** [M, K, N, r]. */
const SHAPES: Array<[number, number, number, number]> = [
  [1, 1, 1, 1],
  [1, 384, 384, 8],
  [5, 13, 7, 3],
  [33, 70, 65, 8],
  [40, 9, 130, 16],
  // whole vec4s in K and N (what the skinny variant takes), rows and quads off its workgroups, ranks 3 and 16
  [37, 132, 68, 8],
  [5, 12, 20, 3],
  [18, 64, 36, 16],
];
const S = 2; // peft's default alpha / r = 16 / 8

function inputs(m: number, k: number, n: number, r: number, seed: number) {
  const next = rng(seed);
  return {
    x: randomF32(m * k, next),
    xl: randomF32(m * k, next),
    q: randomInt8(n * k, next),
    scale: randomF32(n, next, 0.02),
    bias: randomF32(n, next, 0.5),
    a: randomF32(r * k, next, 0.3),
    b: randomF32(n * r, next, 0.3),
    dy: randomF32(m * n, next),
  };
}

/** Tensors for one shape and their references: with xl apart from x (`apart`) and with x as xl (`same`). */
function referenceCase(m: number, k: number, n: number, r: number, seed: number) {
  const d = inputs(m, k, n, r, seed);
  const w = int8Weight(d.q, d.scale, n, k);
  const t = { x: tf.tensor2d(d.x, [m, k]), xl: tf.tensor2d(d.xl, [m, k]), bias: tf.tensor1d(d.bias), a: tf.tensor2d(d.a, [r, k]), b: tf.tensor2d(d.b, [n, r]) };
  const base = refInt8Matmul(d.x, d.q, d.scale, d.bias, m, k, n);
  const withLow = (input: Float32Array) => {
    const update = refMatmul(refMatmul(input, d.a, m, k, r, false, true), d.b, m, r, n, false, true);
    return base.map((v, i) => v + S * update[i]);
  };
  return { m, k, n, w, t, apart: withLow(d.xl), same: withLow(d.x), dispose: () => tf.dispose([...Object.values(t), w.q, w.scale]) };
}

useNodeWebGpu();

describe.each([...COMMON_VARIANTS, 'skinny', 'staged'] as const)('loraFused (%s)', (variant) => {
  beforeAll(() => setKernelVariant(variant));

  it.each(SHAPES)('y = x W + b + s (xl a^T) b^T, and with xl = x, for M=%i K=%i N=%i r=%i', async (m, k, n, r) => {
    const d = inputs(m, k, n, r, m + k + n + r);
    const w = int8Weight(d.q, d.scale, n, k);
    const t = { x: tf.tensor2d(d.x, [m, k]), xl: tf.tensor2d(d.xl, [m, k]), bias: tf.tensor1d(d.bias), a: tf.tensor2d(d.a, [r, k]), b: tf.tensor2d(d.b, [n, r]) };
    const base = refInt8Matmul(d.x, d.q, d.scale, d.bias, m, k, n);
    const update = refMatmul(refMatmul(d.xl, d.a, m, k, r, false, true), d.b, m, r, n, false, true);
    const res = compare(await take(loraFused(t.x, t.xl, w, t.bias, t.a, t.b, S)), base.map((v, i) => v + S * update[i]), TOL_F32);
    expect(res.ok, res.worst).toBe(true);
    // x as xl (no dropout): the input is staged once
    const same = refMatmul(refMatmul(d.x, d.a, m, k, r, false, true), d.b, m, r, n, false, true);
    const resSame = compare(await take(loraFused(t.x, t.x, w, t.bias, t.a, t.b, S)), base.map((v, i) => v + S * same[i]), TOL_F32);
    expect(resSame.ok, resSame.worst).toBe(true);
    tf.dispose([...Object.values(t), w.q, w.scale]);
  });

  it.each([[6, 11, 9, 4], [33, 40, 70, 8], [9, 24, 20, 8]] as const)('gradients for x, xl, a and b (M=%i K=%i N=%i r=%i)', async (m, k, n, r) => {
    const d = inputs(m, k, n, r, 99 + m);
    const w = int8Weight(d.q, d.scale, n, k);
    const t = { x: tf.tensor2d(d.x, [m, k]), xl: tf.tensor2d(d.xl, [m, k]), bias: tf.tensor1d(d.bias), a: tf.tensor2d(d.a, [r, k]), b: tf.tensor2d(d.b, [n, r]), dy: tf.tensor2d(d.dy, [m, n]) };
    const f = (x: tf.Tensor, xl: tf.Tensor, a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(loraFused(x as tf.Tensor2D, xl as tf.Tensor2D, w, t.bias, a as tf.Tensor2D, b as tf.Tensor2D, S), t.dy));
    const [gx, gxl, ga, gb] = tf.grads(f)([t.x, t.xl, t.a, t.b]);
    const dyB = refMatmul(d.dy, d.b, m, n, r); // [M, r]
    const low = refMatmul(d.xl, d.a, m, k, r, false, true); // [M, r]
    const expected = [
      refInt8MatmulGradX(d.dy, d.q, d.scale, m, k, n),
      refMatmul(dyB, d.a, m, r, k).map((v) => S * v),
      refMatmul(dyB, d.xl, r, m, k, true, false).map((v) => S * v),
      refMatmul(d.dy, low, n, m, r, true, false).map((v) => S * v),
    ];
    for (const [i, g] of [gx, gxl, ga, gb].entries()) {
      const res = compare(await take(g), expected[i], TOL_GELU);
      expect(res.ok, `${['x', 'xl', 'a', 'b'][i]}: ${res.worst}`).toBe(true);
    }
    tf.dispose([...Object.values(t), w.q, w.scale]);
  });
});

/**
 * A pipeline is compiled per workgroup shape and rank (shapes are uniforms): on SwiftShader that is most of
 * this test's time, so one rank serves both shapes. r = 7 takes exactly the workgroups the benchmark's
 * rank-8 sweep takes (cols of 2 or more) and leaves a partial last rank in every one of them.
 */
const SWEEP_RANK = 7;

describe("the skinny variant's workgroups", () => {
  afterAll(() => {
    forceLoraFusedSplit(null);
    setKernelVariant('auto');
  });

  it(`every workgroup of the sweep that takes rank r gives the reference (r=${SWEEP_RANK}; M=5 K=12 N=20 and M=37 K=132 N=68)`, async () => {
    setKernelVariant('skinny');
    const r = SWEEP_RANK;
    const cases = ([[5, 12, 20], [37, 132, 68]] as const).map(([m, k, n]) => referenceCase(m, k, n, r, 7 * m + r));
    const failed: string[] = [];
    const taken = SPLIT_GRID.filter((g) => Math.ceil(r / g.cols) <= MAX_RANKS_PER_THREAD);
    expect(taken.length).toBeGreaterThan(50);
    for (const shape of taken) {
      forceLoraFusedSplit(shape);
      for (const { m, k, n, w, t, apart } of cases) {
        expect(loraFusedPlan(m, k, n, r, false).entryPoint).toBe('split_k');
        const res = compare(await take(loraFused(t.x, t.xl, w, t.bias, t.a, t.b, S)), apart, TOL_F32);
        if (!res.ok) failed.push(`M=${m} ${JSON.stringify(shape)}: ${res.worst}`);
      }
    }
    expect(failed).toEqual([]);
    for (const c of cases) c.dispose();
  }, SWEEP_TIMEOUT_MS);

  it('runs tiled where one thread would sum more than MAX_RANKS_PER_THREAD ranks, or K or N is not in vec4s', () => {
    setKernelVariant('skinny');
    forceLoraFusedSplit({ split: 32, cols: 2, rowGroups: 1, rowsPerThread: 1 });
    expect(loraFusedPlan(16, 64, 64, 2 * MAX_RANKS_PER_THREAD, true).entryPoint).toBe('split_k');
    expect(loraFusedPlan(16, 64, 64, 2 * MAX_RANKS_PER_THREAD + 1, true).entryPoint).toBe('tiled');
    forceLoraFusedSplit(null);
    expect(loraFusedPlan(16, 66, 64, 8, true).entryPoint).toBe('tiled');
    expect(loraFusedPlan(16, 64, 66, 8, true).entryPoint).toBe('tiled');
  });
});

describe("the staged variant's workgroups", () => {
  afterAll(() => {
    forceLoraFusedStaged(null);
    setKernelVariant('auto');
  });

  it(`every workgroup of the sweep gives the reference, with xl apart from x and as x (r=${SWEEP_RANK}; M=5 K=12 N=20 and M=37 K=132 N=68)`, async () => {
    setKernelVariant('staged');
    const r = SWEEP_RANK;
    const cases = ([[5, 12, 20], [37, 132, 68]] as const).map(([m, k, n]) => referenceCase(m, k, n, r, 11 * m + r));
    // The grid is STAGED_GRID less the workgroups too big for a's and xl's chunks beside x's.
    expect(LORA_STAGED_GRID.length).toBeGreaterThan(30);
    expect(LORA_STAGED_GRID.length).toBeLessThan(STAGED_GRID.length);
    const failed: string[] = [];
    for (const [i, shape] of LORA_STAGED_GRID.entries()) {
      forceLoraFusedStaged(shape);
      // One pipeline per workgroup (SwiftShader compiles slowly): every other one stages xl apart from x.
      const sameInput = i % 2 === 1;
      for (const { m, k, n, w, t, apart, same } of cases) {
        expect(loraFusedPlan(m, k, n, r, sameInput).entryPoint).toBe('staged');
        const res = compare(await take(loraFused(t.x, sameInput ? t.x : t.xl, w, t.bias, t.a, t.b, S)), sameInput ? same : apart, TOL_F32);
        if (!res.ok) failed.push(`M=${m} ${JSON.stringify(shape)}${sameInput ? ' xl = x' : ''}: ${res.worst}`);
      }
    }
    expect(failed).toEqual([]);
    for (const c of cases) c.dispose();
  }, SWEEP_TIMEOUT_MS);

  it('gives the reference where a thread sums the most ranks it can (4), and where some threads sum none (r < cols)', async () => {
    setKernelVariant('staged');
    const [m, k, n] = [37, 132, 68];
    for (const [r, shape] of [
      [16, { cols: 4, rowGroups: 8, rowsPerThread: 4, split: 2, chunk: 4 }],
      [3, { cols: 8, rowGroups: 8, rowsPerThread: 4, split: 1, chunk: 8 }],
    ] as const) {
      forceLoraFusedStaged(shape);
      const c = referenceCase(m, k, n, r, 13 * r);
      expect(loraFusedPlan(m, k, n, r, false)).toMatchObject({ entryPoint: 'staged', constants: { SJ: Math.ceil(r / shape.cols) } });
      const res = compare(await take(loraFused(c.t.x, c.t.xl, c.w, c.t.bias, c.t.a, c.t.b, S)), c.apart, TOL_F32);
      expect(res.ok, `r=${r}: ${res.worst}`).toBe(true);
      c.dispose();
    }
  });

  it('takes only the workgroups the tests cover (as the int8 matmuls do)', () => {
    for (const force of [forceLoraFusedStaged, forceInt8MatmulStaged, forceInt8MatmulGradXStaged]) {
      expect(() => force({ cols: 8, rowGroups: 8, rowsPerThread: 16, split: 1, chunk: 8 })).toThrow(/STAGED_GRID/);
      expect(() => force({ ...STAGED_GRID[0] })).not.toThrow();
      force(null);
    }
  });

  it('runs tiled where a thread would sum more than MAX_STAGED_RANKS ranks, the workgroup memory would not hold the rank, or K or N is not in vec4s', () => {
    setKernelVariant('staged');
    const shape = { cols: 4, rowGroups: 16, rowsPerThread: 4, split: 1, chunk: 4 };
    forceLoraFusedStaged(shape);
    expect(loraFusedPlan(16, 64, 64, MAX_STAGED_RANKS * shape.cols, true).entryPoint).toBe('staged');
    expect(loraFusedPlan(16, 64, 64, MAX_STAGED_RANKS * shape.cols + 1, true).entryPoint).toBe('tiled');
    // 64 rows x 8 words: x's chunk and the unpacked weights fit 16 KiB with rank 8's sums; xl's chunk beside them does not
    forceLoraFusedStaged({ cols: 4, rowGroups: 16, rowsPerThread: 4, split: 1, chunk: 8 });
    expect(loraFusedPlan(16, 64, 64, 8, true).entryPoint).toBe('staged');
    expect(loraFusedPlan(16, 64, 64, 8, false).entryPoint).toBe('tiled');
    forceLoraFusedStaged(null);
    expect(loraFusedPlan(16, 66, 64, 8, true).entryPoint).toBe('tiled');
    expect(loraFusedPlan(16, 64, 66, 8, true).entryPoint).toBe('tiled');
  });
});

describe('loraFused bookkeeping', () => {
  it('a training-style step with x as xl leaves no tensors behind', async () => {
    const d = inputs(9, 12, 10, 2, 5);
    const w = int8Weight(d.q, d.scale, 10, 12);
    const x = tf.tensor2d(d.x, [9, 12]);
    const bias = tf.tensor1d(d.bias);
    const a = tf.variable(tf.tensor2d(d.a, [2, 12]));
    const b = tf.variable(tf.tensor2d(d.b, [10, 2]));
    const step = () => tf.tidy(() => tf.variableGrads(() => tf.sum(tf.square(loraFused(x, x, w, bias, a, b, S))), [a, b]).value);
    await take(step());
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) await take(step());
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, bias, a, b, w.q, w.scale]);
  });
});
