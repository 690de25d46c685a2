/**
 * LoRA's rank-r gradient products as two webgpu kernels, used by loraFused's gradient (see loraGrad.wgsl for the
 * four products of LoRA's backward):
 *   `TabtuneLoraRank`        p [M, r] = s * u [M, D] @ w, w a rank-r matrix [r, D] or [D, r]
 *   `TabtuneLoraWeightGrad`  g = s * p [M, r]^T @ u [M, D], stored [r, D] or [D, r]: a reduction over the M rows,
 *                            split across workgroups (split-K) when M is long.
 * On SwiftShader tfjs's matMul runs these as a barrier tree per output value (the [M, r] products, ~70 ms each at
 * M = 16) or as a thin tile of its 32x32 program. Neither kernel has a gradient (no second derivatives).
 */
import * as tf from '@tensorflow/tfjs';
import { disposeIntermediate, dispatchKernel, f32Bits, onFallbackAdapter, registerWebGpuKernel, runKernel, type KernelDispatch } from '../bridge';
import { kernelVariant } from '../flags';
import code from './loraGrad.wgsl?raw';

export const LORA_RANK = 'TabtuneLoraRank';
export const LORA_WEIGHT_GRAD = 'TabtuneLoraWeightGrad';
/** One WGSL file; each pass labels its GPU objects (and its dispatch count, bridge.ts) by its own name. */
const SOURCES = {
  rank: { label: 'loraRank', code },
  weight: { label: 'loraWeightGrad', code },
  sum: { label: 'loraWeightGradSum', code },
} as const;

/** Where a rank-r matrix keeps its rank: 'rows' = [r, D] (peft's lora_A), 'cols' = [D, r] (lora_B). */
export const RANK_LAYOUTS = ['rows', 'cols'] as const;
export type RankLayout = (typeof RANK_LAYOUTS)[number];

/** Threads per workgroup, every pass. */
const WG = 64;
/** Columns per thread of weight_split, read from the shader's `const COLS` (one number, one place). */
const COLS = Number(/const COLS: u32 = (\d+)u;/.exec(code)?.[1] ?? NaN);
/** Ranks per thread of the tiled passes (a vec4). */
const QUAD = 4;
/**
 * Threads that fill the device, for split-K: a real GPU wants thousands in flight; SwiftShader (a fallback adapter,
 * a CPU emulation) is full with a few workgroups, and unsplit was fastest there on every LoRA shape
 * (BENCHMARKS.md, kernels).
 */
export const FILL_THREADS = { gpu: 4096, fallback: 256 } as const;
/** Split-K gives each range of rows at least this many, so the partial sums stay small next to the products. */
const MIN_ROWS_PER_RANGE = 64;

/**
 * Ranges of rows the split-K weight pass cuts M into, by shape: as many as it takes for the grid to reach
 * `fillThreads` (the device's, by default), never ranges shorter than MIN_ROWS_PER_RANGE; 1 (no split, one
 * dispatch) when one range fills the device or M is short.
 */
export function weightGradRanges(m: number, r: number, d: number, fillThreads: number = onFallbackAdapter() ? FILL_THREADS.fallback : FILL_THREADS.gpu): number {
  const threadsPerRange = Math.ceil(d / (WG * COLS)) * Math.ceil(r / QUAD) * WG; // weight_split's grid, one range
  return Math.max(1, Math.min(Math.ceil(fillThreads / threadsPerRange), Math.floor(m / MIN_ROWS_PER_RANGE)));
}

interface RankAttrs {
  scaling: number;
  /** The rank-r matrix is [D, r]. */
  rankCols: boolean;
}

interface WeightGradAttrs extends RankAttrs {
  /** Ranges of rows for split-K; 0 runs the naive variant. */
  ranges: number;
}

/** The vec4 entry points need whole vectors: D and r multiples of 4 (LoRA's 384 or 1536 and 8, 16, ...). */
const fitsVec4 = (d: number, r: number) => d % 4 === 0 && r % 4 === 0;

function dispatchRank(u: tf.TensorInfo, w: tf.TensorInfo, { scaling, rankCols }: RankAttrs): tf.TensorInfo {
  const [m, d] = u.shape;
  const r = rankCols ? w.shape[1] : w.shape[0];
  const naive = kernelVariant() === 'naive';
  return dispatchKernel({
    source: SOURCES.rank,
    entryPoint: naive ? 'rank_naive' : fitsVec4(d, r) ? 'rank_tiled4' : 'rank_tiled',
    constants: { WG, R: r, RANK_COLS: Number(rankCols) },
    inputs: [u, w],
    outputShape: [m, r],
    uniforms: [m, d, f32Bits(scaling), 0],
    workgroups: [Math.ceil(m / WG), naive ? r : Math.ceil(r / QUAD), 1],
  });
}

function dispatchWeightGrad(u: tf.TensorInfo, p: tf.TensorInfo, { scaling, rankCols, ranges }: WeightGradAttrs): tf.TensorInfo {
  const [m, d] = u.shape;
  const r = p.shape[1];
  const outputShape = rankCols ? [d, r] : [r, d];
  const constants = { WG, R: r, RANK_COLS: Number(rankCols) };
  if (ranges === 0) {
    return dispatchKernel({ source: SOURCES.weight, entryPoint: 'weight_naive', constants, inputs: [u, p], outputShape, uniforms: [m, d, f32Bits(scaling), 0], workgroups: [Math.ceil(d / WG), r, 1] });
  }
  const rows = Math.max(1, Math.ceil(m / ranges));
  const used = Math.max(1, Math.ceil(m / rows)); // no empty range
  const vec4 = fitsVec4(d, r);
  const workgroups: KernelDispatch['workgroups'] = [Math.ceil(d / (WG * COLS)), Math.ceil(r / QUAD), used];
  const entryPoint = vec4 ? 'weight_split4' : 'weight_split';
  const split = { source: SOURCES.weight, entryPoint, constants, inputs: [u, p], uniforms: [m, d, f32Bits(scaling), rows], workgroups };
  if (used === 1) return dispatchKernel({ ...split, outputShape });
  const parts = dispatchKernel({ ...split, outputShape: [used, r * d] });
  const g = dispatchKernel({ source: SOURCES.sum, entryPoint: 'split_sum', constants: { WG }, inputs: [parts], outputShape, uniforms: [r * d, used], workgroups: [Math.ceil((r * d) / WG), 1, 1] });
  disposeIntermediate(parts);
  return g;
}

export function registerLoraGrad(): void {
  registerWebGpuKernel({ kernelName: LORA_RANK, kernelFunc: ({ inputs, attrs }) => dispatchRank(inputs.u!, inputs.w!, attrs as unknown as RankAttrs) });
  registerWebGpuKernel({ kernelName: LORA_WEIGHT_GRAD, kernelFunc: ({ inputs, attrs }) => dispatchWeightGrad(inputs.u!, inputs.p!, attrs as unknown as WeightGradAttrs) });
}

/** p [M, r] = scaling * u [M, D] @ w, for w [r, D] (layout 'rows', used as w^T) or [D, r] ('cols'); webgpu only. */
export function loraRankProduct(u: tf.Tensor2D, w: tf.Tensor2D, layout: RankLayout, scaling = 1): tf.Tensor2D {
  const d = layout === 'cols' ? w.shape[0] : w.shape[1];
  if (u.shape[1] !== d) throw new Error(`loraRankProduct: u [${u.shape}] with a rank-r matrix [${w.shape}] in layout '${layout}'; expected ${u.shape[1]} for its D.`);
  registerLoraGrad();
  return runKernel<tf.Tensor2D>(LORA_RANK, { u, w }, { scaling, rankCols: layout === 'cols' });
}

/**
 * g = scaling * p [M, r]^T @ u [M, D], as [r, D] (layout 'rows') or [D, r] ('cols'); webgpu only. The variant flag
 * picks naive or split-K; `ranges` (split-K's ranges of rows) defaults to weightGradRanges' choice by shape.
 */
export function loraWeightGrad(p: tf.Tensor2D, u: tf.Tensor2D, layout: RankLayout, scaling = 1, ranges?: number): tf.Tensor2D {
  if (p.shape[0] !== u.shape[0]) throw new Error(`loraWeightGrad: p [${p.shape}] and u [${u.shape}] must have the same rows.`);
  const [m, d] = u.shape;
  const r = p.shape[1];
  const chosen = kernelVariant() === 'naive' ? 0 : Math.max(1, Math.min(m, ranges ?? weightGradRanges(m, r, d)));
  registerLoraGrad();
  return runKernel<tf.Tensor2D>(LORA_WEIGHT_GRAD, { u, p }, { scaling, rankCols: layout === 'cols', ranges: chosen });
}
