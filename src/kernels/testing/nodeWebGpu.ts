/** What every kernel test shares: webgpu through Dawn (SwiftShader) in Node, and the bookkeeping check. */
import * as tf from '@tensorflow/tfjs';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { initNodeBackend, uninstallNodeWebGpu } from '../../runtime/nodeBackends';
import { compiledPipelineCount, takeDeviceErrors } from '../bridge';
import { setKernelVariant } from '../flags';

/**
 * Time for a test that runs every workgroup of a kernel's sweep: each is a pipeline of its own, and SwiftShader
 * compiles the 156-174 of them in about 90 s here, near vitest's default timeout (CI's machine is slower).
 */
export const SWEEP_TIMEOUT_MS = 360_000;

/**
 * Starts webgpu before the file's tests; fails a test during which the device raised an error (a dispatch that
 * wrote nothing); after them, puts the default variant back and drops navigator.gpu.
 */
export function useNodeWebGpu(): void {
  beforeAll(async () => {
    const choice = await initNodeBackend('webgpu');
    expect(choice.backend, `webgpu did not start: ${choice.fallbackReason}`).toBe('webgpu');
  });
  afterEach(() => {
    expect(takeDeviceErrors()).toEqual([]);
  });
  afterAll(() => {
    setKernelVariant('auto');
    uninstallNodeWebGpu();
  });
}

/** After a first run of `step` (a tidy computation), three more leave no tensors behind and compile nothing. */
export async function expectNoLeaksNorRecompiles(step: () => tf.Tensor): Promise<void> {
  const run = async () => {
    const t = step();
    await t.data();
    t.dispose();
  };
  await run();
  const tensors = tf.memory().numTensors;
  const pipelines = compiledPipelineCount();
  for (let i = 0; i < 3; i++) await run();
  expect(tf.memory().numTensors).toBe(tensors);
  expect(compiledPipelineCount()).toBe(pipelines);
}
