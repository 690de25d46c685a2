/**
 * LoRA on a frozen int8 linear layer in one kernel (`TabtuneLoraFused`):
 *
 *   y [M, N] = x @ dequant(Wq)^T + bias + s * (xl @ a^T) @ b^T      a [r, K], b [N, r] (peft's layouts)
 *
 * xl is the LoRA branch's input (x, or x after dropout). The gradient, written with ops:
 *   dx  = dy @ dequant(Wq)                 (int8MatmulGradX: the f32 weight is never built)
 *   t   = s * dy @ b                        [M, r], computed once for:
 *   dxl = t @ a                             (tfjs's matMul)
 *   da  = t^T @ xl                          [r, K]
 *   db  = s * dy^T @ (xl @ a^T)             [N, r]
 * t, xl @ a^T, da and db run on our loraGrad kernels: thin products that tfjs's matMul runs slowly.
 */
import * as tf from '@tensorflow/tfjs';
import { dispatchKernel, f32Bits, registerWebGpuKernel, runKernel, type KernelDispatch } from '../bridge';
import { checkStagedShape, commonVariant, int8MatmulVariant, loraStagedFits, splitForRows, STAGED_DEFAULT, STAGED_GRID, type SplitBands, type SplitShape, type StagedShape } from '../flags';
import { int8MatmulTiles, stagedDispatch } from '../int8Matmul/int8Matmul';
import type { Int8Weight } from '../int8Matmul/int8Pack';
import { int8MatmulGradX } from '../int8MatmulGradX/int8MatmulGradX';
import { loraRankProduct, loraWeightGrad } from '../loraGrad/loraGrad';
import code from './loraFused.wgsl?raw';

export const LORA_FUSED = 'TabtuneLoraFused';
const SOURCE = { label: 'loraFused', code };
/** Each thread of the tiled variant owns REG x REG outputs (REG mirrors the shader's const). */
const REG = 4;

/** The most ranks one thread of the skinny variant sums (RJ in the shader): the rank r needs cols >= r / 4. */
export const MAX_RANKS_PER_THREAD = 4;

/** The most ranks one thread of the staged variant sums (MAX_RJ in the shader): the rank r needs cols >= r / 4. */
export const MAX_STAGED_RANKS = 4;

/** The rank the staged workgroups are chosen for (the sweep's, and LoRA's default r). */
const STAGED_RANK = 8;

let forcedSplit: SplitShape | null = null;
let forcedStaged: StagedShape | null = null;

/** The skinny variant's workgroups by rows (r = 8 in the sweep), chosen as INT8_MATMUL_SPLITS. */
export const LORA_FUSED_SPLITS: SplitBands = [
  { upTo: 32, shape: { split: 32, cols: 8, rowGroups: 1, rowsPerThread: 1 } },
  { upTo: Infinity, shape: { split: 16, cols: 8, rowGroups: 1, rowsPerThread: 1 } },
];

/** The skinny variant's workgroup for M rows, or the one forced. */
export function loraFusedSplit(m: number): SplitShape {
  return forcedSplit ?? splitForRows(LORA_FUSED_SPLITS, m);
}

/** Makes every skinny loraFused use `shape` (null: back to the table); for the benchmark's sweep. */
export function forceLoraFusedSplit(shape: SplitShape | null): void {
  forcedSplit = shape;
}

/** The staged variant's workgroup: STAGED_DEFAULT (not yet chosen on a GPU), or the one forced. */
export function loraFusedStaged(): StagedShape {
  return forcedStaged ?? STAGED_DEFAULT;
}

/** Makes every staged loraFused use `shape`, one of STAGED_GRID's (null: back to the default); for the sweep. */
export function forceLoraFusedStaged(shape: StagedShape | null): void {
  forcedStaged = checkStagedShape(shape, 'loraFused');
}

/** Whether a staged workgroup takes rank r: its threads sum at most MAX_STAGED_RANKS ranks and it fits memory. */
export function stagedTakesRank(s: StagedShape, r: number, sameInput: boolean): boolean {
  return Math.ceil(r / s.cols) <= MAX_STAGED_RANKS && loraStagedFits(s, r, sameInput);
}

/** The staged workgroups for loraFused: STAGED_GRID's that take rank STAGED_RANK with xl apart from x (the most memory). */
export const LORA_STAGED_GRID: readonly StagedShape[] = STAGED_GRID.filter((s) => stagedTakesRank(s, STAGED_RANK, false));

/**
 * What one loraFused dispatch runs: skinny or staged where selected and the shapes and rank allow it (else tiled),
 * or a common variant.
 */
export function loraFusedPlan(m: number, k: number, n: number, r: number, sameInput: boolean): Pick<KernelDispatch, 'entryPoint' | 'constants' | 'workgroups'> {
  const selected = int8MatmulVariant(m, k, n, 'loraFused');
  if (selected === 'staged') {
    const s = loraFusedStaged();
    if (stagedTakesRank(s, r, sameInput)) {
      const { constants, workgroups } = stagedDispatch(s, m, n / 4);
      return { entryPoint: 'staged', constants: { ...constants, R: r, SJ: Math.ceil(r / s.cols), SAME_INPUT: Number(sameInput) }, workgroups };
    }
  }
  if (selected === 'skinny') {
    const s = loraFusedSplit(m);
    const rj = Math.ceil(r / s.cols);
    if (rj <= MAX_RANKS_PER_THREAD) {
      const constants = { KT: s.split, CT: s.cols, RT: s.rowGroups, RM: s.rowsPerThread, RJ: rj, R: r, SAME_INPUT: Number(sameInput) };
      return { entryPoint: 'split_k', constants, workgroups: [Math.ceil(n / 4 / s.cols), Math.ceil(m / (s.rowGroups * s.rowsPerThread)), 1] };
    }
  }
  const variant = commonVariant();
  const tiles = int8MatmulTiles(m); // same tiling as the plain int8 matmul
  const constants = variant === 'naive' ? { WG_X: 16, WG_Y: 4, R: r } : { ...tiles, R: r, SAME_INPUT: Number(sameInput) };
  const workgroups: KernelDispatch['workgroups'] =
    variant === 'naive' ? [Math.ceil(n / 16), Math.ceil(m / 4), 1] : [Math.ceil(n / (tiles.WG_X * REG)), Math.ceil(m / (tiles.WG_Y * REG)), 1];
  return { entryPoint: variant, constants, workgroups };
}

function dispatch(inputs: Record<string, tf.TensorInfo | undefined>, scaling: number): tf.TensorInfo {
  const { x, xl, q, scale, bias, a, b } = inputs as Record<string, tf.TensorInfo>;
  const [m, k] = x.shape;
  const [n, k4] = q.shape;
  const r = a.shape[0];
  const same = xl.dataId === x.dataId; // no dropout: one read of the input rows
  return dispatchKernel({
    source: SOURCE,
    ...loraFusedPlan(m, k, n, r, same),
    inputs: [x, xl, q, scale, bias, a, b],
    outputShape: [m, n],
    uniforms: [m, k, n, k4, f32Bits(scaling)],
  });
}

export function registerLoraFused(): void {
  registerWebGpuKernel({
    kernelName: LORA_FUSED,
    kernelFunc: ({ inputs, attrs }) => dispatch(inputs, (attrs as { scaling: number }).scaling),
    gradient: {
      inputsToSave: ['xl', 'q', 'scale', 'bias', 'a', 'b'],
      gradFunc: (dy, saved, attrs) => {
        const [xl, q, scale, bias, a, b] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D, tf.Tensor1D, tf.Tensor2D, tf.Tensor2D];
        const s = (attrs as unknown as { scaling: number }).scaling;
        const g = dy as tf.Tensor2D; // [M, N]
        // s * dy @ b [M, r], shared by xl's and a's gradients: made here, it lives until the backward pass ends.
        const t = loraRankProduct(g, b, 'cols', s);
        return {
          x: () => int8MatmulGradX(g, { q, scale, inDim: xl.shape[1] }),
          xl: () => tf.matMul(t, a),
          a: () => loraWeightGrad(t, xl, 'rows'),
          b: () => loraWeightGrad(loraRankProduct(xl, a, 'rows'), g, 'cols', s),
          q: () => tf.zeros(q.shape),
          scale: () => tf.zerosLike(scale),
          bias: () => tf.zerosLike(bias),
        };
      },
    },
  });
}

/**
 * y [M, N] = x [M, K] @ dequant(w)^T + bias + scaling * (xl [M, K] @ a^T) @ b^T, for a [r, K] and b [N, r];
 * webgpu only. Pass x as xl when the LoRA branch has no dropout.
 */
export function loraFused(x: tf.Tensor2D, xl: tf.Tensor2D, w: Int8Weight, bias: tf.Tensor1D, a: tf.Tensor2D, b: tf.Tensor2D, scaling: number): tf.Tensor2D {
  const [m, k] = x.shape;
  const n = w.q.shape[0];
  const r = a.shape[0];
  if (k !== w.inDim || xl.shape[0] !== m || xl.shape[1] !== k || a.shape[1] !== k || b.shape[0] !== n || b.shape[1] !== r) {
    throw new Error(`loraFused: shapes x [${x.shape}], xl [${xl.shape}], a [${a.shape}], b [${b.shape}] do not fit a weight of ${n} x ${w.inDim}.`);
  }
  registerLoraFused();
  return runKernel<tf.Tensor2D>(LORA_FUSED, { x, xl, q: w.q, scale: w.scale, bias, a, b }, { scaling });
}
