/**
 * dx [M, K] = dy [M, N] @ dequant(Wq)^T for an int8 weight [N, K]: the `TabtuneInt8MatmulGradX` webgpu kernel
 * and its op. It is the input gradient of int8Matmul (and of loraFused's frozen part); its own gradient
 * (for double backprop) is int8Matmul without bias.
 */
import * as tf from '@tensorflow/tfjs';
import { dispatchKernel, registerWebGpuKernel, runKernel, type KernelDispatch } from '../bridge';
import { kernelVariant } from '../flags';
import { int8Matmul } from '../int8Matmul/int8Matmul'; // a cycle used at call time only
import type { Int8Weight } from '../int8Matmul/int8Pack';
import code from './int8MatmulGradX.wgsl?raw';

export const INT8_MATMUL_GRAD_X = 'TabtuneInt8MatmulGradX';
const SOURCE = { label: 'int8MatmulGradX', code };
/** Each thread of the tiled variant owns REG rows x REG weight words (REG mirrors the shader's const). */
const REG = 4;

/** Workgroup shape and N chunk by shape. */
export function int8MatmulGradXTiles(m: number): { WG_X: number; WG_Y: number; TN: number } {
  // Narrow column tiles give more workgroups for K = 384 (K4 = 96 words): 2x faster than 8 x 8 on SwiftShader.
  return m <= 16 ? { WG_X: 16, WG_Y: 4, TN: 16 } : { WG_X: 4, WG_Y: 8, TN: 16 };
}

function dispatch(dy: tf.TensorInfo, q: tf.TensorInfo, scale: tf.TensorInfo, inDim: number): tf.TensorInfo {
  const [m, n] = dy.shape;
  const k4 = q.shape[1];
  const variant = kernelVariant();
  const tiles = int8MatmulGradXTiles(m);
  const constants = variant === 'naive' ? { WG_X: 16, WG_Y: 4 } : tiles;
  const workgroups: KernelDispatch['workgroups'] =
    variant === 'naive' ? [Math.ceil(k4 / 16), Math.ceil(m / 4), 1] : [Math.ceil(k4 / (tiles.WG_X * REG)), Math.ceil(m / (tiles.WG_Y * REG)), 1];
  return dispatchKernel({ source: SOURCE, entryPoint: variant, constants, inputs: [dy, q, scale], outputShape: [m, inDim], uniforms: [m, inDim, n, k4], workgroups });
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
