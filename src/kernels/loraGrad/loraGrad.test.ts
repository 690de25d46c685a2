/**
 * loraRankProduct and loraWeightGrad against the plain-TS reference, through Dawn (SwiftShader) in Node: both
 * variants, both layouts of the rank-r matrix, ragged shapes (M, D or r of 1, sizes that are not multiples of the
 * workgroup, the quad of ranks or the columns per thread); split-K with one range, several, ragged last ranges
 * and one row per range; no leaked tensors or GPU buffers, one compilation per specialisation.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { kernelDispatchCounts, resetKernelDispatchCounts } from '../bridge';
import { COMMON_VARIANTS, setKernelVariant } from '../flags';
import { compare, randomF32, refMatmul, rng, take, TOL_F32 } from '../testing/reference';
import { expectNoLeaksNorRecompiles, useNodeWebGpu } from '../testing/nodeWebGpu';
import { FILL_THREADS, loraRankProduct, loraWeightGrad, RANK_LAYOUTS, weightGradRanges, type RankLayout } from './loraGrad';

/** [M, D, r]; D and r both multiples of 4 take the vec4 entry points of the tiled variant. */
const SHAPES: Array<[number, number, number]> = [
  [1, 1, 1],
  [1, 384, 8],
  [16, 384, 8],
  [3, 4, 4],
  [5, 13, 3],
  [2, 40, 1],
  [33, 130, 5],
  [70, 9, 8],
  [70, 12, 12],
  [130, 1, 16],
  [300, 70, 8], // split-K by shape on SwiftShader: 2 ranges of 150 rows
  [300, 72, 8], // the same, vec4
  [257, 259, 9],
];
const S = 2; // peft's default alpha / r = 16 / 8

function inputs(m: number, d: number, r: number, seed: number) {
  const next = rng(seed);
  return { u: randomF32(m * d, next), w: randomF32(r * d, next, 0.3), p: randomF32(m * r, next) };
}

/** s * u [M, D] @ w, w [r, D] ('rows') or [D, r] ('cols'). */
function refRank(u: Float32Array, w: Float32Array, m: number, d: number, r: number, layout: RankLayout, s: number): number[] {
  return Array.from(refMatmul(u, w, m, d, r, false, layout === 'rows'), (v) => s * v);
}

/** s * p [M, r]^T @ u [M, D], as [r, D] ('rows') or [D, r] ('cols'). */
function refWeightGrad(p: Float32Array, u: Float32Array, m: number, d: number, r: number, layout: RankLayout, s: number): number[] {
  const g = layout === 'rows' ? refMatmul(p, u, r, m, d, true, false) : refMatmul(u, p, d, m, r, true, false);
  return Array.from(g, (v) => s * v);
}

useNodeWebGpu();

describe.each(COMMON_VARIANTS)('loraGrad (%s)', (variant) => {
  beforeAll(() => setKernelVariant(variant));

  describe.each(RANK_LAYOUTS)('rank-r matrix with its rank in %s', (layout) => {
    it.each(SHAPES)('p = s u @ w for M=%i D=%i r=%i', async (m, d, r) => {
      const x = inputs(m, d, r, m * 7 + d + r);
      const [u, w] = [tf.tensor2d(x.u, [m, d]), tf.tensor2d(x.w, layout === 'rows' ? [r, d] : [d, r])];
      const p = loraRankProduct(u, w, layout, S);
      expect(p.shape).toEqual([m, r]);
      const res = compare(await take(p), refRank(x.u, x.w, m, d, r, layout, S), TOL_F32);
      expect(res.ok, res.worst).toBe(true);
      tf.dispose([u, w]);
    });

    it.each(SHAPES)('g = s p^T @ u for M=%i D=%i r=%i', async (m, d, r) => {
      const x = inputs(m, d, r, m + d * 3 + r);
      const [u, p] = [tf.tensor2d(x.u, [m, d]), tf.tensor2d(x.p, [m, r])];
      const g = loraWeightGrad(p, u, layout, S);
      expect(g.shape).toEqual(layout === 'rows' ? [r, d] : [d, r]);
      const res = compare(await take(g), refWeightGrad(x.p, x.u, m, d, r, layout, S), TOL_F32);
      expect(res.ok, res.worst).toBe(true);
      tf.dispose([u, p]);
    });
  });
});

describe('loraWeightGrad split-K', () => {
  beforeAll(() => setKernelVariant('tiled'));

  // 1: no split; 2, 3, 7: ragged last range; 37: one row per range; 100: more ranges asked than rows.
  it.each([1, 2, 3, 7, 37, 100].flatMap((ranges) => [[ranges, 263, 6] as const, [ranges, 264, 8] as const]))('sums %i ranges of rows into the reference, both layouts (M=37 D=%i r=%i)', async (ranges, d, r) => {
    const m = 37;
    const x = inputs(m, d, r, ranges);
    const [u, p] = [tf.tensor2d(x.u, [m, d]), tf.tensor2d(x.p, [m, r])];
    for (const layout of RANK_LAYOUTS) {
      resetKernelDispatchCounts();
      const res = compare(await take(loraWeightGrad(p, u, layout, 0.5, ranges)), refWeightGrad(x.p, x.u, m, d, r, layout, 0.5), TOL_F32);
      expect(res.ok, `${layout}: ${res.worst}`).toBe(true);
      expect(kernelDispatchCounts().get('loraWeightGradSum') ?? 0).toBe(ranges > 1 ? 1 : 0);
    }
    tf.dispose([u, p]);
  });

  it('splits long M only, until the grid fills the device', () => {
    const gpu = (m: number, r: number, d: number) => weightGradRanges(m, r, d, FILL_THREADS.gpu);
    expect(gpu(16, 8, 384)).toBe(1);
    expect(gpu(127, 8, 384)).toBe(1);
    expect(gpu(512, 8, 384)).toBe(8); // 256 threads per range, 64 rows each
    expect(gpu(2048, 8, 384)).toBe(16);
    expect(gpu(2048, 8, 1536)).toBe(6); // 768 threads per range
    expect(gpu(2048, 64, 4096)).toBe(1);
    // a fallback adapter (SwiftShader, these tests' device) is full with one range at LoRA's widths
    for (const m of [16, 512, 2048]) for (const d of [384, 1536]) expect(weightGradRanges(m, 8, d)).toBe(1);
    expect(weightGradRanges(300, 8, 70)).toBe(2);
  });
});

describe('loraGrad bookkeeping', () => {
  it('leaves no tensors or GPU buffers behind and compiles each specialisation once', async () => {
    setKernelVariant('tiled');
    const x = inputs(300, 50, 8, 3);
    const [u, p, w] = [tf.tensor2d(x.u, [300, 50]), tf.tensor2d(x.p, [300, 8]), tf.tensor2d(x.w, [8, 50])];
    const step = () => tf.tidy(() => tf.add(tf.sum(loraWeightGrad(p, u, 'cols', S)), tf.sum(loraRankProduct(u, w, 'rows'))));
    await expectNoLeaksNorRecompiles(step);
    const gpuBytes = () => (tf.memory() as unknown as { numBytesInGPU: number }).numBytesInGPU; // webgpu's buffer manager
    const before = gpuBytes();
    await take(step());
    expect(gpuBytes()).toBe(before); // the partial sums went back
    tf.dispose([u, p, w]);
  });
});
