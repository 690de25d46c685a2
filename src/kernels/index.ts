/**
 * Tabtune's WGSL kernels for the webgpu backend: each folder holds one kernel (.wgsl, TS wrapper, test), and
 * bridge.ts is the only seam into tfjs-backend-webgpu. Ops here run our kernels; callers check kernelsActive()
 * and keep tfjs's ops on every other backend.
 */
import * as tf from '@tensorflow/tfjs';
import { registerInt8Gather } from './int8Gather/int8Gather';
import { int8Matmul, registerInt8Matmul } from './int8Matmul/int8Matmul';
import type { Int8Weight } from './int8Matmul/int8Pack';
import { registerInt8MatmulGradX } from './int8MatmulGradX/int8MatmulGradX';
import { registerLayerNorm } from './layerNorm/layerNorm';
import { registerLoraFused } from './loraFused/loraFused';
import { registerLoraGrad } from './loraGrad/loraGrad';
import { registerMaskedSoftmax } from './maskedSoftmax/maskedSoftmax';

export { KERNEL_VARIANTS, type SplitShape, type StagedShape, STAGED_GRID, kernelsActive, kernelVariant, setKernelsEnabled, setKernelVariant, type KernelVariant } from './flags';
export { int8Gather, INT8_GATHER } from './int8Gather/int8Gather';
export { forceInt8MatmulSplit, forceInt8MatmulStaged, int8Matmul, INT8_MATMUL } from './int8Matmul/int8Matmul';
export { int8Weight, int8WeightBytes, packInt8Rows, wordsPerRow, type Int8Weight } from './int8Matmul/int8Pack';
export { forceInt8MatmulGradXSplit, forceInt8MatmulGradXStaged, int8MatmulGradX, INT8_MATMUL_GRAD_X } from './int8MatmulGradX/int8MatmulGradX';
export { forceLoraFusedSplit, loraFused, LORA_FUSED } from './loraFused/loraFused';
export { FILL_THREADS, LORA_RANK, LORA_WEIGHT_GRAD, loraRankProduct, loraWeightGrad, RANK_LAYOUTS, weightGradRanges, type RankLayout } from './loraGrad/loraGrad';
export { layerNormFused, LAYER_NORM, LAYER_NORM_GRAD_X } from './layerNorm/layerNorm';
export { maskedSoftmax, MASKED_SOFTMAX, MASKED_SOFTMAX_GRAD } from './maskedSoftmax/maskedSoftmax';

/** Every kernel with its gradient, as one explicit list (each op also registers its own on first use). */
export const KERNEL_REGISTRATIONS = [registerInt8Matmul, registerInt8MatmulGradX, registerLoraFused, registerLoraGrad, registerInt8Gather, registerLayerNorm, registerMaskedSoftmax] as const;

/** Registers every kernel and gradient with tfjs for the webgpu backend; idempotent. */
export function registerKernels(): void {
  for (const register of KERNEL_REGISTRATIONS) register();
}

/** dequant(w) as an f32 [in, out] matrix (for merging LoRA into an int8 layer): x = I through the int8 kernel. */
export function dequantizeInt8Weight(w: Int8Weight): tf.Tensor2D {
  return tf.tidy(() => int8Matmul(tf.eye(w.inDim) as tf.Tensor2D, w, tf.zeros([w.q.shape[0]])));
}
