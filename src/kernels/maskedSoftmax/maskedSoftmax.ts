/**
 * Attention probabilities softmax(scores * scale + mask) over the keys as one dispatch forward
 * (`TabtuneMaskedSoftmax`) and one backward for the scores (`TabtuneMaskedSoftmaxGrad`), where tfjs's ops
 * (mul, add, softmax) dispatch 3 programs forward and 8 forward + backward. The mask is a constant of the
 * batch: it gets a zero gradient. The backward reads the forward's output; it has no gradient of its own.
 */
import * as tf from '@tensorflow/tfjs';
import { f32Bits, registerWebGpuKernel, runKernel } from '../bridge';
import { dispatchRowwise } from '../layerNorm/layerNorm';
import code from './maskedSoftmax.wgsl?raw';

export const MASKED_SOFTMAX = 'TabtuneMaskedSoftmax';
export const MASKED_SOFTMAX_GRAD = 'TabtuneMaskedSoftmaxGrad';
/** One WGSL file; each direction labels its GPU objects (and its dispatch count, bridge.ts) by its own name. */
const SOURCES = { forward: { label: 'maskedSoftmax', code }, backward: { label: 'maskedSoftmaxGrad', code } } as const;

/** Forward (inputs scores, mask) or backward (inputs p, dp); the output has the first input's shape [..., K]. */
function dispatch(pass: 'forward' | 'backward', first: tf.TensorInfo, second: tf.TensorInfo, rowsPerBatch: number, scale: number): tf.TensorInfo {
  return dispatchRowwise(SOURCES[pass], pass, [first, second], [rowsPerBatch, f32Bits(scale)]);
}

interface Attrs {
  scale: number;
  rowsPerBatch: number;
}

export function registerMaskedSoftmax(): void {
  registerWebGpuKernel({
    kernelName: MASKED_SOFTMAX_GRAD,
    kernelFunc: ({ inputs, attrs }) => dispatch('backward', inputs.p!, inputs.dp!, 1, (attrs as unknown as Attrs).scale),
  });
  registerWebGpuKernel({
    kernelName: MASKED_SOFTMAX,
    kernelFunc: ({ inputs, attrs }) => {
      const { rowsPerBatch, scale } = attrs as unknown as Attrs;
      return dispatch('forward', inputs.scores!, inputs.mask!, rowsPerBatch, scale);
    },
    gradient: {
      inputsToSave: ['mask'],
      outputsToSave: [true],
      gradFunc: (dy, saved, attrs) => {
        const [mask, p] = saved;
        const { scale } = attrs as unknown as Attrs;
        return {
          scores: () => runKernel(MASKED_SOFTMAX_GRAD, { p, dp: dy as tf.Tensor }, { scale }),
          mask: () => tf.zerosLike(mask),
        };
      },
    },
  });
}

/**
 * softmax over the last axis of scores [batch, heads, queries, keys] * scale + mask [batch, keys] (additive,
 * broadcast over heads and queries); webgpu only (see kernelsActive()).
 */
export function maskedSoftmax(scores: tf.Tensor4D, mask: tf.Tensor2D, scale: number): tf.Tensor4D {
  const [batch, heads, queries, keys] = scores.shape;
  if (mask.shape[0] !== batch || mask.shape[1] !== keys) throw new Error(`maskedSoftmax: scores [${scores.shape}] with a mask [${mask.shape}]; expected [${batch}, ${keys}].`);
  registerMaskedSoftmax();
  return runKernel<tf.Tensor4D>(MASKED_SOFTMAX, { scores, mask }, { scale, rowsPerBatch: heads * queries });
}
