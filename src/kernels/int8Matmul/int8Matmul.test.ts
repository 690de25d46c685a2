/**
 * int8Matmul against the plain-TS reference, through Dawn (SwiftShader) in Node: every variant, random shapes
 * with dimensions that are not tile multiples and dimensions of 1, with and without GELU; its gradient; where the vec4
 * and skinny variants fall back to tiled; every skinny workgroup the sweep tries, and how 'auto' and the bands choose;
 * no leaks.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { autoVariant, KERNEL_VARIANTS, setKernelVariant, SKINNY_MAX_ROWS, SPLIT_GRID, splitForRows, STAGED_GRID, VEC4_MIN_ROWS } from '../flags';
import { compare, randomF32, randomInt8, refGelu, refGeluGrad, refInt8Matmul, refInt8MatmulGradX, rng, take, TOL_F32, TOL_GELU } from '../testing/reference';
import { int8MatmulGradXPlan } from '../int8MatmulGradX/int8MatmulGradX';
import { forceInt8MatmulSplit, forceInt8MatmulStaged, INT8_MATMUL_SPLITS, int8Matmul, int8MatmulPlan } from './int8Matmul';
import { int8Weight, packInt8Rows } from './int8Pack';
import { expectNoLeaksNorRecompiles, SWEEP_TIMEOUT_MS, useNodeWebGpu } from '../testing/nodeWebGpu';

/**
 * [M, K, N]: tile multiples, odd sizes, 1s, K not a multiple of 4, more rows than one tile; the last four are whole
 * vec4s in K and N (what the vec4 variant takes) with M, K / 4 and N / 4 off its tiles. Under 'vec4' the others
 * fall back to 'tiled'.
 */
const SHAPES: Array<[number, number, number]> = [
  [1, 1, 1],
  [1, 384, 384],
  [3, 5, 7],
  [16, 64, 64],
  [17, 33, 65],
  [37, 130, 1],
  [70, 9, 131],
  [4, 4, 4],
  [5, 12, 20],
  [37, 132, 68],
  [66, 40, 100],
];

useNodeWebGpu();

describe('packInt8Rows', () => {
  it('puts column 4w + j in byte j of word w and zero-pads rows', () => {
    const words = packInt8Rows(Int8Array.from([1, -2, 3, 4, 5, /* row 2 */ -1, 0, 0, 0, 127]), 2, 5);
    expect(Array.from(new Uint8Array(words.buffer))).toEqual([1, 254, 3, 4, 5, 0, 0, 0, 255, 0, 0, 0, 127, 0, 0, 0]);
  });
});

describe.each(KERNEL_VARIANTS)('int8Matmul (%s)', (variant) => {
  beforeAll(() => setKernelVariant(variant));

  it.each(SHAPES)('matches the reference for M=%i K=%i N=%i, with and without GELU', async (m, k, n) => {
    const next = rng(m * 1000 + k * 10 + n);
    const x = randomF32(m * k, next);
    const q = randomInt8(n * k, next);
    const scale = randomF32(n, next, 0.02);
    const bias = randomF32(n, next, 0.5);
    const w = int8Weight(q, scale, n, k);
    const xt = tf.tensor2d(x, [m, k]);
    const bt = tf.tensor1d(bias);
    const ref = refInt8Matmul(x, q, scale, bias, m, k, n);
    const plain = compare(await take(int8Matmul(xt, w, bt)), ref, TOL_F32);
    expect(plain.ok, plain.worst).toBe(true);
    const gelu = compare(await take(int8Matmul(xt, w, bt, true)), ref.map(refGelu), TOL_GELU);
    expect(gelu.ok, gelu.worst).toBe(true);
    tf.dispose([xt, bt, w.q, w.scale]);
  });

  it.each([[5, 9, 6, false], [33, 70, 17, true], [9, 24, 20, true]] as const)('gives x the gradient dy @ W^T (M=%i K=%i N=%i, gelu %s)', async (m, k, n, gelu) => {
    const next = rng(7 + m);
    const x = randomF32(m * k, next);
    const q = randomInt8(n * k, next);
    const scale = randomF32(n, next, 0.02);
    const bias = randomF32(n, next, 0.5);
    const dy = randomF32(m * n, next);
    const w = int8Weight(q, scale, n, k);
    const [xt, bt, dyt] = [tf.tensor2d(x, [m, k]), tf.tensor1d(bias), tf.tensor2d(dy, [m, n])];
    const grad = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(int8Matmul(v as tf.Tensor2D, w, bt, gelu), dyt)))(xt);
    let g = Float32Array.from(dy);
    if (gelu) {
      const z = refInt8Matmul(x, q, scale, bias, m, k, n);
      g = g.map((v, i) => v * refGeluGrad(z[i]));
    }
    const r = compare(await take(grad), refInt8MatmulGradX(g, q, scale, m, k, n), gelu ? TOL_GELU : TOL_F32);
    expect(r.ok, r.worst).toBe(true);
    tf.dispose([xt, bt, dyt, w.q, w.scale]);
  });
});

describe("the vec4 variant's fallback", () => {
  afterAll(() => setKernelVariant('auto'));

  it.each([
    ['K not a multiple of 4', 16, 33, 64, 'tiled'],
    ['N not a multiple of 4', 16, 64, 65, 'tiled'],
    ['fewer rows than one register block', VEC4_MIN_ROWS - 1, 64, 64, 'tiled'],
    ['a single row', 1, 384, 384, 'tiled'],
    ['whole vec4s', VEC4_MIN_ROWS, 4, 4, 'tiled_vec4'],
    ['ragged rows', 37, 132, 68, 'tiled_vec4'],
  ] as const)('%s (M=%i K=%i N=%i): both int8 matmuls run %s', (_why, m, k, n, entryPoint) => {
    setKernelVariant('vec4');
    expect(int8MatmulPlan(m, k, n, true).entryPoint).toBe(entryPoint);
    expect(int8MatmulGradXPlan(m, k, n).entryPoint).toBe(entryPoint);
  });

  it.each([
    ['K not a multiple of 4', 16, 33, 64, ['tiled', 'tiled']],
    ['N not a multiple of 4', 16, 64, 65, ['tiled', 'tiled']],
    ['a single row', 1, 384, 384, ['split_k', 'split_n']],
  ] as const)('skinny, %s (M=%i K=%i N=%i): runs %s', (_why, m, k, n, [forward, gradX]) => {
    setKernelVariant('skinny');
    expect(int8MatmulPlan(m, k, n, false).entryPoint).toBe(forward);
    expect(int8MatmulGradXPlan(m, k, n).entryPoint).toBe(gradX);
  });

  it.each([
    ['K not a multiple of 4', 16, 33, 64, ['tiled', 'tiled']],
    ['N not a multiple of 4', 16, 64, 65, ['tiled', 'tiled']],
    ['a single row', 1, 384, 384, ['staged', 'staged']],
    ['ragged rows', 37, 132, 68, ['staged', 'staged']],
  ] as const)('staged, %s (M=%i K=%i N=%i): runs %s', (_why, m, k, n, [forward, gradX]) => {
    setKernelVariant('staged');
    expect(int8MatmulPlan(m, k, n, false).entryPoint).toBe(forward);
    expect(int8MatmulGradXPlan(m, k, n).entryPoint).toBe(gradX);
  });

  it('leaves the other variants alone', () => {
    setKernelVariant('naive');
    expect(int8MatmulPlan(16, 64, 64, false).entryPoint).toBe('naive');
    setKernelVariant('tiled');
    expect(int8MatmulGradXPlan(16, 64, 64).entryPoint).toBe('tiled');
  });
});

describe("the skinny variant's workgroups", () => {
  afterAll(() => {
    forceInt8MatmulSplit(null);
    setKernelVariant('auto');
  });

  it.each([[5, 12, 20], [37, 132, 68]] as const)('every workgroup of the sweep gives the reference (M=%i K=%i N=%i, GELU)', async (m, k, n) => {
    setKernelVariant('skinny');
    const next = rng(m + k + n);
    const [x, q, scale, bias] = [randomF32(m * k, next), randomInt8(n * k, next), randomF32(n, next, 0.02), randomF32(n, next, 0.5)];
    const w = int8Weight(q, scale, n, k);
    const [xt, bt] = [tf.tensor2d(x, [m, k]), tf.tensor1d(bias)];
    const ref = refInt8Matmul(x, q, scale, bias, m, k, n).map(refGelu);
    const failed: string[] = [];
    for (const shape of SPLIT_GRID) {
      forceInt8MatmulSplit(shape);
      expect(int8MatmulPlan(m, k, n, true).entryPoint).toBe('split_k');
      const r = compare(await take(int8Matmul(xt, w, bt, true)), ref, TOL_GELU);
      if (!r.ok) failed.push(`${JSON.stringify(shape)}: ${r.worst}`);
    }
    expect(failed).toEqual([]);
    tf.dispose([xt, bt, w.q, w.scale]);
  }, SWEEP_TIMEOUT_MS);

  it('takes its workgroup from the band of rows, the last band beyond', () => {
    forceInt8MatmulSplit(null);
    const bands = INT8_MATMUL_SPLITS;
    expect(splitForRows(bands, 1)).toBe(bands[0].shape);
    expect(splitForRows(bands, bands[0].upTo)).toBe(bands[0].shape);
    expect(splitForRows(bands, bands[0].upTo + 1)).toBe(bands[1].shape);
    expect(splitForRows([{ upTo: 8, shape: bands[0].shape }], 9)).toBe(bands[0].shape);
    for (const b of bands) expect(Math.log2(b.shape.split) % 1).toBe(0); // the tree needs a power of two
  });

  it("'auto' runs tiled on a fallback adapter and, on a real GPU, skinny up to SKINNY_MAX_ROWS rows", () => {
    for (const kernel of ['int8Matmul', 'int8MatmulGradX', 'loraFused'] as const) {
      expect(autoVariant(kernel, 16, false)).toBe('tiled');
      expect(autoVariant(kernel, 4096, false)).toBe('tiled');
      expect(autoVariant(kernel, 1, true)).toBe('skinny');
      expect(autoVariant(kernel, SKINNY_MAX_ROWS, true)).toBe('skinny');
    }
    expect(autoVariant('int8MatmulGradX', SKINNY_MAX_ROWS + 1, true)).toBe('vec4');
    expect(autoVariant('int8Matmul', SKINNY_MAX_ROWS + 1, true)).toBe('tiled');
    // here (SwiftShader, a fallback adapter) 'auto' plans tiled
    setKernelVariant('auto');
    expect(int8MatmulPlan(16, 384, 384, false).entryPoint).toBe('tiled');
  });
});

describe("the staged variant's workgroups", () => {
  afterAll(() => {
    forceInt8MatmulStaged(null);
    setKernelVariant('auto');
  });

  // 18 column quads against tiles of 4, 8 and 16 (two or more, the last ragged), 130 rows against 16 to 128, 66
  // words of K against chunks of 4 and 8. One shape: compiling the grid's 67 pipelines takes a minute here.
  it.each([[130, 264, 72]] as const)('every workgroup of the sweep gives the reference (M=%i K=%i N=%i, GELU)', async (m, k, n) => {
    setKernelVariant('staged');
    const next = rng(m + 2 * k + n);
    const [x, q, scale, bias] = [randomF32(m * k, next), randomInt8(n * k, next), randomF32(n, next, 0.02), randomF32(n, next, 0.5)];
    const w = int8Weight(q, scale, n, k);
    const [xt, bt] = [tf.tensor2d(x, [m, k]), tf.tensor1d(bias)];
    const ref = refInt8Matmul(x, q, scale, bias, m, k, n).map(refGelu);
    const failed: string[] = [];
    for (const shape of STAGED_GRID) {
      forceInt8MatmulStaged(shape);
      expect(int8MatmulPlan(m, k, n, true).entryPoint).toBe('staged');
      const r = compare(await take(int8Matmul(xt, w, bt, true)), ref, TOL_GELU);
      if (!r.ok) failed.push(`${JSON.stringify(shape)}: ${r.worst}`);
    }
    expect(failed).toEqual([]);
    tf.dispose([xt, bt, w.q, w.scale]);
  }, SWEEP_TIMEOUT_MS);

  it("keeps every split, rows per thread and chunk in the grid after WebGPU's default limits", () => {
    // (The limits themselves hold where it counts: the test above creates every workgroup's pipeline.)
    expect(new Set(STAGED_GRID.map((s) => s.split))).toEqual(new Set([1, 2, 4]));
    expect(new Set(STAGED_GRID.map((s) => s.rowsPerThread))).toEqual(new Set([4, 8]));
    expect(new Set(STAGED_GRID.map((s) => s.chunk))).toEqual(new Set([4, 8]));
    expect(STAGED_GRID.some((s) => s.cols * s.rowGroups * s.split === 256 && s.rowsPerThread === 8)).toBe(true);
  });
});

describe('int8Matmul bookkeeping', () => {
  it('leaves no tensors behind and compiles each specialisation once', async () => {
    const w = int8Weight(randomInt8(8 * 12, rng(1)), randomF32(8, rng(2)), 8, 12);
    const [x, b] = [tf.tensor2d(randomF32(3 * 12, rng(3)), [3, 12]), tf.tensor1d(new Float32Array(8))];
    const step = () => tf.tidy(() => tf.sum(tf.grad((v: tf.Tensor) => tf.sum(int8Matmul(v as tf.Tensor2D, w, b, true)))(x)));
    await expectNoLeaksNorRecompiles(step);
    tf.dispose([x, b, w.q, w.scale]);
  });
});
