import * as tf from '@tensorflow/tfjs';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { initBackend, probeWebGpu } from './backends';
import { initNodeBackend, installNodeWebGpu, nodeWasmDir, uninstallNodeWebGpu } from './nodeBackends';

/** Replaces navigator.gpu for one test (Node 20 has no navigator; Node >= 21 has a read-only one). */
function stubGpu(gpu: unknown): void {
  const g = globalThis as { navigator?: object };
  if (!g.navigator) Object.defineProperty(globalThis, 'navigator', { value: {}, configurable: true, writable: true });
  Object.defineProperty(g.navigator!, 'gpu', { value: gpu, configurable: true, writable: true });
}

describe('probeWebGpu', () => {
  afterEach(() => uninstallNodeWebGpu());

  it('says why when there is no navigator.gpu', async () => {
    stubGpu(undefined);
    expect(await probeWebGpu()).toEqual({ ok: false, reason: expect.stringMatching(/navigator\.gpu is undefined/) });
  });

  it('says why when requestAdapter returns null or throws, without throwing itself', async () => {
    stubGpu({ requestAdapter: async () => null });
    expect(await probeWebGpu()).toEqual({ ok: false, reason: expect.stringMatching(/returned null/) });
    stubGpu({
      requestAdapter: async () => {
        throw new Error('GPU process crashed');
      },
    });
    expect(await probeWebGpu()).toEqual({ ok: false, reason: expect.stringMatching(/threw: GPU process crashed/) });
  });
});

describe('initBackend', () => {
  afterEach(() => uninstallNodeWebGpu());

  it('honours an explicit cpu preference', async () => {
    expect(await initBackend({ preference: 'cpu' })).toEqual({ backend: 'cpu' });
    expect(tf.getBackend()).toBe('cpu');
  });

  it('falls back from webgpu to wasm with the reason when there is no adapter', async () => {
    stubGpu({ requestAdapter: async () => null });
    const choice = await initBackend({ preference: 'webgpu', wasmPaths: nodeWasmDir() });
    expect(choice).toEqual({ backend: 'wasm', threads: 1, fallbackReason: expect.stringMatching(/^webgpu: .*returned null/) });
    expect(tf.getBackend()).toBe('wasm');
  });

  it('auto picks wasm when WebGPU is absent (single-threaded: Node is not cross-origin isolated)', async () => {
    stubGpu(undefined);
    const choice = await initBackend({ preference: 'auto' });
    expect(choice.backend).toBe('wasm');
    expect(choice.threads).toBe(1);
    expect(choice.fallbackReason).toMatch(/^webgpu: navigator\.gpu is undefined/);
  });
});

describe('the wasm backend', () => {
  it("shares a clone's data with its source (tfjs-backend-wasm's own Identity copies it), and the clone outlives the source", async () => {
    expect((await initNodeBackend('wasm')).backend).toBe('wasm');
    const backend = tf.backend() as tf.KernelBackend & { numDataIds(): number };
    const x = tf.tensor1d([1, 2, 3]);
    const [buffers, ids] = [tf.memory().numDataBuffers, backend.numDataIds()];
    const y = tf.clone(x);
    expect(tf.memory().numDataBuffers).toBe(buffers);
    expect(backend.numDataIds()).toBe(ids);
    x.dispose();
    expect(Array.from(await y.data())).toEqual([1, 2, 3]);
    y.dispose();
    expect(tf.memory().numDataBuffers).toBe(buffers - 1);
    expect(backend.numDataIds()).toBe(ids - 1);
  });
});

describe('WebGPU through Dawn in Node', () => {
  afterAll(() => uninstallNodeWebGpu());

  it('installs navigator.gpu from the webgpu package with a Vulkan loader', async () => {
    const setup = await installNodeWebGpu();
    expect(setup, JSON.stringify(setup)).toMatchObject({ ok: true });
  });

  it('auto picks webgpu on the SwiftShader adapter and runs an op', async () => {
    const choice = await initNodeBackend('auto');
    expect(choice.backend, `webgpu did not start: ${choice.fallbackReason}`).toBe('webgpu');
    expect(choice.adapter).toMatchObject({ architecture: 'swiftshader', isFallbackAdapter: true });
    const y = tf.tidy(() => tf.erf(tf.tensor1d([0, 0.5, -1])));
    // dataSync() would throw "OffscreenCanvas is not defined" here: read asynchronously.
    const values = Array.from(await y.data());
    y.dispose();
    expect(values[0]).toBe(0);
    expect(values[1]).toBeCloseTo(0.5204999, 6);
    expect(values[2]).toBeCloseTo(-0.8427008, 6);
  });

  it('reuses the running webgpu backend on a second call', async () => {
    await initBackend({ preference: 'cpu' });
    const again = await initNodeBackend('webgpu');
    expect(again.backend).toBe('webgpu');
    expect(again.fallbackReason).toBeUndefined();
  });
});
