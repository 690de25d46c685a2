/**
 * Rows of an int8 table [rows, K] as f32 [T, K] (`TabtuneInt8Gather`): the word-embedding lookup when the
 * table stays int8 on the GPU. No gradient flows: the ids are integers and the table is frozen.
 */
import * as tf from '@tensorflow/tfjs';
import { dispatchKernel, registerWebGpuKernel, runKernel, type KernelDispatch } from '../bridge';
import { commonVariant } from '../flags';
import type { Int8Weight } from '../int8Matmul/int8Pack';
import code from './int8Gather.wgsl?raw';

export const INT8_GATHER = 'TabtuneInt8Gather';
const SOURCE = { label: 'int8Gather', code };
const WG_X = 64;

function dispatch(ids: tf.TensorInfo, q: tf.TensorInfo, scale: tf.TensorInfo, cols: number): tf.TensorInfo {
  const t = ids.shape[0];
  const [rows, k4] = q.shape;
  const variant = commonVariant();
  const across = variant === 'naive' ? cols : k4;
  const workgroups: KernelDispatch['workgroups'] = [Math.ceil(across / WG_X), t, 1];
  return dispatchKernel({ source: SOURCE, entryPoint: variant, constants: { WG_X, WG_Y: 1 }, inputs: [ids, q, scale], outputShape: [t, cols], uniforms: [t, cols, k4, rows], workgroups });
}

export function registerInt8Gather(): void {
  registerWebGpuKernel({
    kernelName: INT8_GATHER,
    kernelFunc: ({ inputs, attrs }) => dispatch(inputs.ids!, inputs.q!, inputs.scale!, (attrs as { cols: number }).cols),
    gradient: {
      inputsToSave: ['q', 'scale'],
      gradFunc: (_dy, saved) => {
        const [q, scale] = saved;
        return { q: () => tf.zeros(q.shape), scale: () => tf.zerosLike(scale) };
      },
    },
  });
}

/** out [T, K] = rows `ids` [T] (int32) of the int8 table; webgpu only. */
export function int8Gather(table: Int8Weight, ids: tf.Tensor1D): tf.Tensor2D {
  if (ids.dtype !== 'int32') throw new Error(`int8Gather: ids must be int32, got ${ids.dtype}.`);
  registerInt8Gather();
  return runKernel<tf.Tensor2D>(INT8_GATHER, { ids, q: table.q, scale: table.scale }, { cols: table.inDim });
}
