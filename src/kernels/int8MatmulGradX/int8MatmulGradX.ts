/**
 * dx [M, K] = dy [M, N] @ dequant(Wq)^T for an int8 weight [N, K]: the `TabtuneInt8MatmulGradX` webgpu kernel
 * and its op. It is the input gradient of int8Matmul (and of loraFused's frozen part); its own gradient
 * (for double backprop) is int8Matmul without bias.
 */
import * as tf from '@tensorflow/tfjs';
import { dispatchKernel, registerWebGpuKernel, runKernel, type KernelDispatch } from '../bridge';
import { checkStagedShape, int8MatmulVariant, splitForRows, STAGED_DEFAULT, type SplitBands, type SplitShape, type StagedShape } from '../flags';
import { int8Matmul, stagedDispatch } from '../int8Matmul/int8Matmul'; // a cycle used at call time only
import { wordsPerRow, type Int8Weight } from '../int8Matmul/int8Pack';
import code from './int8MatmulGradX.wgsl?raw';

export const INT8_MATMUL_GRAD_X = 'TabtuneInt8MatmulGradX';
const SOURCE = { label: 'int8MatmulGradX', code };
/** A thread of the tiled variant owns REG rows x REG weight words, of the vec4 variant REG rows x 1 word (REG mirrors the shader's const). */
const REG = 4;

/** Workgroup shape and N chunk by shape. */
export function int8MatmulGradXTiles(m: number): { WG_X: number; WG_Y: number; TN: number } {
  // Narrow column tiles give more workgroups for K = 384 (K4 = 96 words): 2x faster than 8 x 8 on SwiftShader.
  return m <= 16 ? { WG_X: 16, WG_Y: 4, TN: 16 } : { WG_X: 4, WG_Y: 8, TN: 16 };
}

/**
 * The vec4 variant's tiles: 64 threads over 16 rows x 16 words (64 columns) for short inputs, else 32 rows x 8 words
 * (32 columns), so that dx [512, 384] makes 192 workgroups; TN = 32 values of n per chunk. A first guess for real
 * GPUs, to be tuned there.
 */
export function int8MatmulGradXVec4Tiles(m: number): { WG_X: number; WG_Y: number; TN: number } {
  return m <= 16 ? { WG_X: 16, WG_Y: 4, TN: 32 } : { WG_X: 8, WG_Y: 8, TN: 32 };
}

let forcedSplit: SplitShape | null = null;

/** The skinny variant's workgroups by rows (split: threads along N, cols: words of dx), chosen as INT8_MATMUL_SPLITS. */
export const INT8_MATMUL_GRAD_X_SPLITS: SplitBands = [
  { upTo: 96, shape: { split: 32, cols: 8, rowGroups: 1, rowsPerThread: 1 } },
  { upTo: Infinity, shape: { split: 16, cols: 8, rowGroups: 1, rowsPerThread: 1 } },
];

/** The skinny variant's workgroup for M rows, or the one forced. */
export function int8MatmulGradXSplit(m: number): SplitShape {
  return forcedSplit ?? splitForRows(INT8_MATMUL_GRAD_X_SPLITS, m);
}

/** Makes every skinny int8MatmulGradX use `shape` (null: back to the table); for the benchmark's sweep. */
export function forceInt8MatmulGradXSplit(shape: SplitShape | null): void {
  forcedSplit = shape;
}

let forcedStaged: StagedShape | null = null;

/** The staged variant's workgroup (cols: words of dx; chunk: quads of n): STAGED_DEFAULT, or the one forced. */
export function int8MatmulGradXStaged(): StagedShape {
  return forcedStaged ?? STAGED_DEFAULT;
}

/** Makes every staged int8MatmulGradX use `shape`, one of STAGED_GRID's (null: back to the default); for the sweep. */
export function forceInt8MatmulGradXStaged(shape: StagedShape | null): void {
  forcedStaged = checkStagedShape(shape, 'int8MatmulGradX');
}

/** The shader's entry point for each variant ('vec4' would shadow WGSL's vec4 type). */
const ENTRY_POINTS = { naive: 'naive', tiled: 'tiled', vec4: 'tiled_vec4', skinny: 'split_n', staged: 'staged' } as const;

/** What one dispatch runs for dy [M, N] and a weight [N, K]: entry point, constants and grid. */
export function int8MatmulGradXPlan(m: number, k: number, n: number): Pick<KernelDispatch, 'entryPoint' | 'constants' | 'workgroups'> {
  const variant = int8MatmulVariant(m, k, n, 'int8MatmulGradX');
  const entryPoint = ENTRY_POINTS[variant];
  const k4 = wordsPerRow(k);
  if (variant === 'naive') return { entryPoint, constants: { WG_X: 16, WG_Y: 4 }, workgroups: [Math.ceil(k4 / 16), Math.ceil(m / 4), 1] };
  if (variant === 'skinny') {
    const s = int8MatmulGradXSplit(m);
    const constants = { CT: s.cols, NT: s.split, RT: s.rowGroups, RM: s.rowsPerThread };
    return { entryPoint, constants, workgroups: [Math.ceil(k4 / s.cols), Math.ceil(m / (s.rowGroups * s.rowsPerThread)), 1] };
  }
  if (variant === 'staged') return { entryPoint, ...stagedDispatch(int8MatmulGradXStaged(), m, k4) };
  if (variant === 'vec4') {
    const tiles = int8MatmulGradXVec4Tiles(m);
    return { entryPoint, constants: tiles, workgroups: [Math.ceil(k4 / tiles.WG_X), Math.ceil(m / (tiles.WG_Y * REG)), 1] };
  }
  const tiles = int8MatmulGradXTiles(m);
  return { entryPoint, constants: tiles, workgroups: [Math.ceil(k4 / (tiles.WG_X * REG)), Math.ceil(m / (tiles.WG_Y * REG)), 1] };
}

function dispatch(dy: tf.TensorInfo, q: tf.TensorInfo, scale: tf.TensorInfo, inDim: number): tf.TensorInfo {
  const [m, n] = dy.shape;
  const k4 = q.shape[1];
  return dispatchKernel({ source: SOURCE, ...int8MatmulGradXPlan(m, inDim, n), inputs: [dy, q, scale], outputShape: [m, inDim], uniforms: [m, inDim, n, k4] });
}

export function registerInt8MatmulGradX(): void {
  registerWebGpuKernel({
    kernelName: INT8_MATMUL_GRAD_X,
    kernelFunc: ({ inputs, attrs }) => dispatch(inputs.dy!, inputs.q!, inputs.scale!, (attrs as { inDim: number }).inDim),
    gradient: {
      inputsToSave: ['q', 'scale'],
      gradFunc: (ddx, saved) => {
        const [q, scale] = saved as [tf.Tensor2D, tf.Tensor1D];
        return {
          // d(dy) = ddx @ dequant(Wq): linear in dy, so the forward kernel without bias.
          dy: () => int8Matmul(ddx as tf.Tensor2D, { q, scale, inDim: (ddx as tf.Tensor).shape[1]! }, tf.zeros([q.shape[0]])),
          q: () => tf.zeros(q.shape),
          scale: () => tf.zerosLike(scale),
        };
      },
    },
  });
}

/** dx [M, K] = dy [M, N] @ dequant(w)^T; webgpu only. */
export function int8MatmulGradX(dy: tf.Tensor2D, w: Int8Weight): tf.Tensor2D {
  if (dy.shape[1] !== w.q.shape[0]) throw new Error(`int8MatmulGradX: dy is [${dy.shape}] but the weight has ${w.q.shape[0]} outputs.`);
  registerInt8MatmulGradX();
  return runKernel<tf.Tensor2D>(INT8_MATMUL_GRAD_X, { dy, q: w.q, scale: w.scale }, { inDim: w.inDim });
}
