/**
 * tfjs-backend-wasm's Identity kernel copies its input into a new buffer, where the cpu, webgl and webgpu backends
 * share the input's data and count a reference (as wasm's own Reshape does). tfjs tensors are immutable, so the copy
 * buys nothing, and it is not rare: while a gradient tape records, the engine clones every tensor an op saves for
 * its backward pass (`saveTensorsForBackwardMode`), so a LoRA training step of the bundled encoder ran 723
 * Identity kernels, about 7 % of the step on WASM (tf.profile of one step at 8 x 32 tokens; BENCHMARKS.md, train).
 *
 * shareIdentityOnWasm() registers, for the wasm backend only, an Identity that shares the data as the other
 * backends do. Idempotent; backends.ts calls it whenever it starts WASM.
 */
import * as tf from '@tensorflow/tfjs';

let shared = false;

/** Identity on wasm: the output is the input's data with one more reference; nothing is copied. */
export function shareIdentityOnWasm(): void {
  if (shared) return;
  shared = true;
  tf.unregisterKernel('Identity', 'wasm');
  tf.registerKernel({
    kernelName: 'Identity',
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend }) => {
      const x = inputs.x as tf.TensorInfo;
      (backend as tf.KernelBackend & { incRef(dataId: tf.TensorInfo['dataId']): void }).incRef(x.dataId);
      return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
    },
  });
}
