/**
 * LayerNorm over the last axis as one dispatch forward (`TabtuneLayerNorm`) and one backward for x
 * (`TabtuneLayerNormGradX`), where tfjs's op sequence (tf.moments, sub, rsqrt, mul, add) dispatches 10 programs
 * forward and 31 forward + backward. The gradient:
 *   x      the backward kernel (it recomputes the row statistics from x)
 *   gamma  sum over rows of dy * xhat, and beta: sum over rows of dy, with tf ops: the encoder's LayerNorms are
 *          frozen in every method, so tfjs never asks for these; they exist so that autodiff stays complete.
 * The backward kernel has no gradient of its own (no second derivatives through LayerNorm).
 */
import * as tf from '@tensorflow/tfjs';
import { dispatchKernel, f32Bits, registerWebGpuKernel, runKernel, type KernelDispatch, type WgslSource } from '../bridge';
import { kernelVariant } from '../flags';
import code from './layerNorm.wgsl?raw';

export const LAYER_NORM = 'TabtuneLayerNorm';
export const LAYER_NORM_GRAD_X = 'TabtuneLayerNormGradX';
/** One WGSL file; each direction labels its GPU objects (and its dispatch count, bridge.ts) by its own name. */
const SOURCES = { forward: { label: 'layerNorm', code }, backward: { label: 'layerNormGradX', code } } as const;
/** Threads per workgroup, both variants. */
const WORKGROUP = 64;
/** The tiled variant shares a row among threads until about this many run (a real GPU wants thousands). */
const TARGET_THREADS = 1024;
const MAX_THREADS_PER_ROW = 16;

const pow2AtLeast = (n: number) => 2 ** Math.ceil(Math.log2(Math.max(1, n)));

/**
 * Threads per row (WG_X) and rows per workgroup (WG_Y) of the tiled variant of a row-wise kernel (this one,
 * maskedSoftmax), by shape: rows x WG_X about TARGET_THREADS, WG_X at most 16 and at most the row's width rounded
 * up to a power of two. Every thread combines its row's WG_X partials itself, so wide sharing costs O(WG_X) per
 * thread; with many rows WG_X is 1, the serial loop of the naive variant (fastest on SwiftShader, where barriers
 * are dear: scripts/bench/kernels.bench.ts).
 */
export function rowwiseTiles(rows: number, width: number): { WG_X: number; WG_Y: number } {
  const wgX = Math.min(MAX_THREADS_PER_ROW, pow2AtLeast(width), pow2AtLeast(Math.ceil(TARGET_THREADS / Math.max(1, rows))));
  return { WG_X: wgX, WG_Y: WORKGROUP / wgX };
}

/**
 * One dispatch of a row-wise kernel (this one, maskedSoftmax) over the rows of its first input [..., width]:
 * entry point `<pass>_naive` or `<pass>_tiled` (one thread per row needs no workgroup memory: the naive one),
 * tiles by shape, an output of the first input's shape, uniforms (rows, width, ...rest).
 */
export function dispatchRowwise(source: WgslSource, pass: 'forward' | 'backward', inputs: tf.TensorInfo[], rest: number[]): tf.TensorInfo {
  const shape = inputs[0].shape;
  const width = shape[shape.length - 1];
  const rows = width === 0 ? 0 : shape.reduce((a, b) => a * b, 1) / width;
  const tiles = kernelVariant() === 'naive' ? { WG_X: 1, WG_Y: WORKGROUP } : rowwiseTiles(rows, width);
  const entry = tiles.WG_X === 1 ? 'naive' : 'tiled';
  const groups = Math.ceil(rows / tiles.WG_Y);
  const workgroups: KernelDispatch['workgroups'] = entry === 'naive' ? [1, groups, 1] : [groups, 1, 1];
  return dispatchKernel({ source, entryPoint: `${pass}_${entry}`, constants: tiles, inputs, outputShape: [...shape], uniforms: [rows, width, ...rest], workgroups });
}

/** y = LN(x) * gamma + beta (`third` = beta), or dx (`third` = dy). */
function dispatch(pass: 'forward' | 'backward', x: tf.TensorInfo, gamma: tf.TensorInfo, third: tf.TensorInfo, eps: number): tf.TensorInfo {
  return dispatchRowwise(SOURCES[pass], pass, [x, gamma, third], [f32Bits(eps)]);
}

/** xhat = (x - mean) * rstd over the last axis, with tf ops (for gamma's gradient). */
function normalized(x: tf.Tensor, eps: number): tf.Tensor {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, eps)));
}

export function registerLayerNorm(): void {
  registerWebGpuKernel({
    kernelName: LAYER_NORM_GRAD_X,
    kernelFunc: ({ inputs, attrs }) => dispatch('backward', inputs.x!, inputs.gamma!, inputs.dy!, (attrs as { eps: number }).eps),
  });
  registerWebGpuKernel({
    kernelName: LAYER_NORM,
    kernelFunc: ({ inputs, attrs }) => dispatch('forward', inputs.x!, inputs.gamma!, inputs.beta!, (attrs as { eps: number }).eps),
    gradient: {
      inputsToSave: ['x', 'gamma'],
      gradFunc: (dy, saved, attrs) => {
        const [x, gamma] = saved;
        const { eps } = attrs as unknown as { eps: number };
        const g = dy as tf.Tensor;
        const rows = x.shape.slice(0, -1).map((_, i) => i); // every leading axis
        return {
          x: () => runKernel(LAYER_NORM_GRAD_X, { x, gamma, dy: g }, { eps }),
          gamma: () => tf.sum(tf.mul(g, normalized(x, eps)), rows),
          beta: () => tf.sum(g, rows),
        };
      },
    },
  });
}

/**
 * LayerNorm(x) * gamma + beta over the last axis of x [..., H] (biased variance, as torch.nn.LayerNorm), for
 * gamma and beta [H]; webgpu only (see kernelsActive()).
 */
export function layerNormFused<T extends tf.Tensor>(x: T, gamma: tf.Tensor1D, beta: tf.Tensor1D, eps: number): T {
  const h = x.shape[x.rank - 1];
  if (gamma.shape[0] !== h || beta.shape[0] !== h) throw new Error(`layerNormFused: x [${x.shape}] with gamma [${gamma.shape}] and beta [${beta.shape}].`);
  registerLayerNorm();
  return runKernel<T>(LAYER_NORM, { x, gamma, beta }, { eps });
}
