/**
 * y = x @ dequant(Wq) + b, optionally with exact GELU fused, for x [M, K] and an int8 weight [N, K] (see
 * int8Pack.ts): the `TabtuneInt8Matmul` webgpu kernel and its op. The gradient goes to x only (the weights are
 * frozen) and never materialises f32 weights: dx = dy' @ dequant(Wq)^T through int8MatmulGradX, where
 * dy' = dy * gelu'(z) when GELU is fused (z, the pre-activation, is recomputed by the kernel without GELU).
 */
import * as tf from '@tensorflow/tfjs';
import { dispatchKernel, registerWebGpuKernel, runKernel, type KernelDispatch } from '../bridge';
import { checkStagedShape, int8MatmulVariant, splitForRows, STAGED_DEFAULT, type SplitBands, type SplitShape, type StagedShape } from '../flags';
import { int8MatmulGradX } from '../int8MatmulGradX/int8MatmulGradX';
import type { Int8Weight } from './int8Pack';
import code from './int8Matmul.wgsl?raw';

export const INT8_MATMUL = 'TabtuneInt8Matmul';
const SOURCE = { label: 'int8Matmul', code };
/** The register block of the tiled and vec4 variants: each thread owns REG x REG outputs (REG is the vec4 width in the shader). */
const REG = 4;

/** Workgroup shape and K chunk by shape: short inputs get short tiles, so few rows are wasted. */
export function int8MatmulTiles(m: number): { WG_X: number; WG_Y: number; TK4: number } {
  return m <= 16 ? { WG_X: 16, WG_Y: 4, TK4: 8 } : { WG_X: 16, WG_Y: 8, TK4: 8 };
}

/**
 * The vec4 variant's tiles: 64 threads, 16 x 64 outputs for short inputs, else 32 x 32 (tfjs's tile size), so that
 * M = 512 against N = 384 still makes 192 workgroups. A first guess for real GPUs, to be tuned there.
 */
export function int8MatmulVec4Tiles(m: number): { WG_X: number; WG_Y: number; TK4: number } {
  return m <= 16 ? { WG_X: 16, WG_Y: 4, TK4: 8 } : { WG_X: 8, WG_Y: 8, TK4: 8 };
}

let forcedSplit: SplitShape | null = null;

/**
 * The skinny variant's workgroups by rows (see SplitShape), from the sweep on an H100 (`npm run bench -- sweep`,
 * BENCHMARKS.md): for M = 16, 64, 128, 256 and 512, the workgroup with the best mean time relative to each shape's
 * best over the encoder's three (K, N), across the sweep's runs; a band reaches halfway to the next M measured.
 * Neighbouring bands' choices were within 2 to 9% of each other.
 */
export const INT8_MATMUL_SPLITS: SplitBands = [
  { upTo: 32, shape: { split: 32, cols: 1, rowGroups: 2, rowsPerThread: 1 } },
  { upTo: 96, shape: { split: 8, cols: 2, rowGroups: 8, rowsPerThread: 1 } },
  { upTo: 384, shape: { split: 16, cols: 1, rowGroups: 8, rowsPerThread: 1 } },
  { upTo: Infinity, shape: { split: 8, cols: 1, rowGroups: 8, rowsPerThread: 1 } },
];

/** The skinny variant's workgroup for M rows (INT8_MATMUL_SPLITS), or the one forced by forceInt8MatmulSplit. */
export function int8MatmulSplit(m: number): SplitShape {
  return forcedSplit ?? splitForRows(INT8_MATMUL_SPLITS, m);
}

/** Makes every skinny int8Matmul use `shape` (null: back to the table); for the benchmark's sweep. */
export function forceInt8MatmulSplit(shape: SplitShape | null): void {
  forcedSplit = shape;
}

let forcedStaged: StagedShape | null = null;

/** The staged variant's workgroup: STAGED_DEFAULT (not yet chosen on a GPU), or the one forced. */
export function int8MatmulStaged(): StagedShape {
  return forcedStaged ?? STAGED_DEFAULT;
}

/** Makes every staged int8Matmul use `shape`, one of STAGED_GRID's (null: back to the default); for the sweep. */
export function forceInt8MatmulStaged(shape: StagedShape | null): void {
  forcedStaged = checkStagedShape(shape, 'int8Matmul');
}

/** The staged shaders' constants and grid for M rows and `cols` column quads (words of dx, for the gradient). */
export function stagedDispatch(s: StagedShape, m: number, cols: number): Pick<KernelDispatch, 'constants' | 'workgroups'> {
  const constants = { SC: s.cols, SG: s.rowGroups, SM: s.rowsPerThread, SS: s.split, SQ: s.chunk };
  return { constants, workgroups: [Math.ceil(cols / s.cols), Math.ceil(m / (s.rowGroups * s.rowsPerThread)), 1] };
}

/** The shader's entry point for each variant ('vec4' would shadow WGSL's vec4 type). */
const ENTRY_POINTS = { naive: 'naive', tiled: 'tiled', vec4: 'tiled_vec4', skinny: 'split_k', staged: 'staged' } as const;

/** What one int8Matmul dispatch runs for x [M, K] and a weight [N, K]: entry point, constants and grid. */
export function int8MatmulPlan(m: number, k: number, n: number, gelu: boolean): Pick<KernelDispatch, 'entryPoint' | 'constants' | 'workgroups'> {
  const variant = int8MatmulVariant(m, k, n);
  const entryPoint = ENTRY_POINTS[variant];
  if (variant === 'naive') return { entryPoint, constants: { WG_X: 16, WG_Y: 4, GELU: Number(gelu) }, workgroups: [Math.ceil(n / 16), Math.ceil(m / 4), 1] };
  if (variant === 'skinny') {
    const s = int8MatmulSplit(m);
    const constants = { KT: s.split, CT: s.cols, RT: s.rowGroups, RM: s.rowsPerThread, GELU: Number(gelu) };
    return { entryPoint, constants, workgroups: [Math.ceil(n / 4 / s.cols), Math.ceil(m / (s.rowGroups * s.rowsPerThread)), 1] };
  }
  if (variant === 'staged') {
    const { constants, workgroups } = stagedDispatch(int8MatmulStaged(), m, n / 4);
    return { entryPoint, constants: { ...constants, GELU: Number(gelu) }, workgroups };
  }
  const tiles = variant === 'vec4' ? int8MatmulVec4Tiles(m) : int8MatmulTiles(m);
  return { entryPoint, constants: { ...tiles, GELU: Number(gelu) }, workgroups: [Math.ceil(n / (tiles.WG_X * REG)), Math.ceil(m / (tiles.WG_Y * REG)), 1] };
}

function dispatch(x: tf.TensorInfo, q: tf.TensorInfo, scale: tf.TensorInfo, bias: tf.TensorInfo, gelu: boolean): tf.TensorInfo {
  const [m, k] = x.shape;
  const [n, k4] = q.shape;
  return dispatchKernel({ source: SOURCE, ...int8MatmulPlan(m, k, n, gelu), inputs: [x, q, scale, bias], outputShape: [m, n], uniforms: [m, k, n, k4] });
}

/** tf ops for GELU's derivative: Phi(z) + z phi(z). */
function geluGrad(z: tf.Tensor): tf.Tensor {
  const cdf = tf.mul(0.5, tf.add(1, tf.erf(tf.mul(z, Math.SQRT1_2))));
  const pdf = tf.mul(1 / Math.sqrt(2 * Math.PI), tf.exp(tf.mul(-0.5, tf.square(z))));
  return tf.add(cdf, tf.mul(z, pdf));
}

export function registerInt8Matmul(): void {
  registerWebGpuKernel({
    kernelName: INT8_MATMUL,
    kernelFunc: ({ inputs, attrs }) => dispatch(inputs.x!, inputs.q!, inputs.scale!, inputs.bias!, Boolean((attrs as { gelu: boolean }).gelu)),
    gradient: {
      inputsToSave: ['x', 'q', 'scale', 'bias'],
      gradFunc: (dy, saved, attrs) => {
        const [x, q, scale, bias] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D, tf.Tensor1D];
        const { gelu } = attrs as unknown as { gelu: boolean };
        const weight: Int8Weight = { q, scale, inDim: x.shape[1] };
        return {
          x: () => {
            const g = gelu ? tf.mul(dy as tf.Tensor, geluGrad(int8Matmul(x, weight, bias, false))) : (dy as tf.Tensor);
            return int8MatmulGradX(g as tf.Tensor2D, weight);
          },
          // The weights are constants of the encoder: never on a gradient path, zeros if asked.
          q: () => tf.zeros(q.shape),
          scale: () => tf.zerosLike(scale),
          bias: () => tf.zerosLike(bias),
        };
      },
    },
  });
}

/**
 * y [M, N] = act(x [M, K] @ W + bias [N]) with W [K, N] = dequant(w)^T (w is [N, K] int8); webgpu only (see
 * kernelsActive()).
 * @param gelu  fuse transformers' exact "gelu" after the bias
 */
export function int8Matmul(x: tf.Tensor2D, w: Int8Weight, bias: tf.Tensor1D, gelu = false): tf.Tensor2D {
  if (x.shape[1] !== w.inDim) throw new Error(`int8Matmul: x is [${x.shape}] but the weight takes ${w.inDim} inputs.`);
  if (bias.shape[0] !== w.q.shape[0]) throw new Error(`int8Matmul: bias [${bias.shape}] for ${w.q.shape[0]} outputs.`);
  registerInt8Matmul();
  return runKernel<tf.Tensor2D>(INT8_MATMUL, { x, q: w.q, scale: w.scale, bias }, { gelu });
}
