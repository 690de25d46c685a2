/**
 * Choosing and starting the tfjs backend: WebGPU when an adapter exists, else WASM (threaded when the page is
 * cross-origin isolated), else plain-JS cpu. Works in a browser Worker and in Node (see nodeBackends.ts).
 *
 * We ask for the WebGPU adapter ourselves and register tfjs's WebGPUBackend over it, instead of letting
 * tfjs's own factory do it: that factory dereferences a null adapter (an uncatchable-looking console error
 * and a failed init), and it registers only if `navigator.gpu` existed when the module was imported, which
 * is not the case in Node where the Dawn binding is installed later.
 */
import * as tf from '@tensorflow/tfjs';
import { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { shareIdentityOnWasm } from './wasmIdentity';

export const BACKEND_NAMES = ['webgpu', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

/** What the WebGPU adapter says about itself (GPUAdapterInfo as plain data). */
export interface GpuAdapterSummary {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** True for software adapters such as SwiftShader: correct but slow. */
  isFallbackAdapter: boolean;
}

export type WebGpuProbe = { ok: true; adapterInfo: GpuAdapterSummary } | { ok: false; reason: string };

export interface BackendInitOptions {
  /** 'auto' (default): webgpu, then wasm, then cpu. A named backend is tried first, then the same order. */
  preference?: BackendName | 'auto';
  /**
   * Where the tfjs WASM binaries are: a folder URL ending in '/', or a map from each file name
   * ('tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm') to its
   * URL (Vite `?url` imports). Ignored once the wasm backend has been started.
   */
  wasmPaths?: string | Record<string, string>;
}

export interface BackendChoice {
  backend: BackendName;
  /** The WebGPU adapter, when backend is 'webgpu'. */
  adapter?: GpuAdapterSummary;
  /** XNNPACK threads, when backend is 'wasm' (1 unless crossOriginIsolated). */
  threads?: number;
  /** Why earlier candidates were passed over ("webgpu: ...; wasm: ..."), when the first choice failed. */
  fallbackReason?: string;
}

/** The adapter kept from the last successful probe, handed to the WebGPU backend factory. */
let probedAdapter: GPUAdapter | undefined;
/** What the running webgpu backend's adapter said about itself, reported again when it is reused. */
let lastAdapterInfo: GpuAdapterSummary | undefined;

/** Asks navigator.gpu for an adapter. Never throws: a missing API, a null adapter or an exception is a reason. */
export async function probeWebGpu(): Promise<WebGpuProbe> {
  const gpu = (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
  if (!gpu) {
    return { ok: false, reason: 'navigator.gpu is undefined: this browser has no WebGPU, or the page is not a secure context (use https or localhost)' };
  }
  try {
    const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
    if (!adapter) return { ok: false, reason: 'navigator.gpu.requestAdapter() returned null: no usable GPU adapter (blocklisted GPU or missing driver)' };
    probedAdapter = adapter;
    return { ok: true, adapterInfo: summarizeAdapter(adapter) };
  } catch (e) {
    return { ok: false, reason: `navigator.gpu.requestAdapter() threw: ${errorText(e)}` };
  }
}

/** Starts the preferred backend, falling back (with a reason) when it cannot start. */
export async function initBackend(opts: BackendInitOptions = {}): Promise<BackendChoice> {
  const preference = opts.preference ?? 'auto';
  const order: BackendName[] = preference === 'auto' ? [...BACKEND_NAMES] : [preference, ...BACKEND_NAMES.filter((b) => b !== preference)];
  const reasons: string[] = [];
  for (const name of order) {
    const started = await STARTERS[name](opts);
    if (started.ok) {
      const { ok: _ok, ...choice } = started;
      return reasons.length ? { ...choice, fallbackReason: reasons.join('; ') } : choice;
    }
    reasons.push(`${name}: ${started.reason}`);
  }
  throw new Error(`No tfjs backend could start (${reasons.join('; ')}).`);
}

type Started = ({ ok: true } & Omit<BackendChoice, 'fallbackReason'>) | { ok: false; reason: string };

const STARTERS: Record<BackendName, (opts: BackendInitOptions) => Promise<Started>> = {
  async webgpu() {
    if (tf.findBackend('webgpu') && (await setBackend('webgpu'))) {
      return { ok: true, backend: 'webgpu', adapter: lastAdapterInfo }; // already running: reuse its device
    }
    const probe = await probeWebGpu();
    if (!probe.ok) return probe;
    registerWebGpu(probedAdapter!, probe.adapterInfo);
    if (!(await setBackend('webgpu'))) return { ok: false, reason: 'tfjs could not start WebGPU on the adapter (requestDevice failed; see the console)' };
    lastAdapterInfo = probe.adapterInfo;
    return { ok: true, backend: 'webgpu', adapter: probe.adapterInfo };
  },

  async wasm(opts) {
    if (!tf.findBackend('wasm')) {
      try {
        if (opts.wasmPaths) setWasmPaths(opts.wasmPaths);
      } catch (e) {
        return { ok: false, reason: errorText(e) };
      }
      // tfjs picks the threaded binary itself when SharedArrayBuffer works, i.e. when cross-origin isolated.
      const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
      const cores = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency;
      if (isolated && cores) setThreadsCount(cores);
    }
    if (!(await setBackend('wasm'))) {
      return { ok: false, reason: `tfjs could not start WASM (are the .wasm files served at ${JSON.stringify(opts.wasmPaths ?? 'the default path')}? see the console)` };
    }
    shareIdentityOnWasm();
    return { ok: true, backend: 'wasm', threads: getThreadsCount() };
  },

  async cpu() {
    return (await setBackend('cpu')) ? { ok: true, backend: 'cpu' } : { ok: false, reason: 'tf.setBackend("cpu") failed' };
  },
};

/** Replaces tfjs's own webgpu factory by one over our adapter, with the adapter's full limits. */
function registerWebGpu(adapter: GPUAdapter, info: GpuAdapterSummary): void {
  if (tf.findBackendFactory('webgpu')) tf.removeBackend('webgpu');
  tf.registerBackend(
    'webgpu',
    async () => {
      const l = adapter.limits;
      // The same limits tfjs asks for: large weight matrices need the adapter's maximum buffer sizes.
      const device = await adapter.requestDevice({
        label: 'tabtune-tfjs',
        // As tfjs's own factory: tf.profile then times every program (ours too, src/kernels/bridge.ts).
        requiredFeatures: adapter.features.has('timestamp-query') ? ['timestamp-query'] : [],
        requiredLimits: {
          maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
          maxComputeWorkgroupsPerDimension: l.maxComputeWorkgroupsPerDimension,
          maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
          maxBufferSize: l.maxBufferSize,
          maxComputeWorkgroupSizeX: l.maxComputeWorkgroupSizeX,
          maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
          // src/kernels/loraFused binds 7 storage buffers (the WebGPU default allows 8; ask for what exists).
          maxStorageBuffersPerShaderStage: l.maxStorageBuffersPerShaderStage,
        },
      });
      return new WebGPUBackend(device, { vendor: info.vendor, architecture: info.architecture } as GPUAdapterInfo);
    },
    3, // tfjs's own priority for webgpu
  );
}

async function setBackend(name: BackendName): Promise<boolean> {
  try {
    return await tf.setBackend(name);
  } catch {
    return false;
  }
}

function summarizeAdapter(adapter: GPUAdapter): GpuAdapterSummary {
  // Chrome < 121 had only requestAdapterInfo(); every current browser and Dawn have `info`.
  const info = (adapter as Partial<GPUAdapter>).info as Partial<GPUAdapterInfo> | undefined;
  const legacyFallback = (adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter;
  return {
    vendor: info?.vendor ?? '',
    architecture: info?.architecture ?? '',
    device: info?.device ?? '',
    description: info?.description ?? '',
    isFallbackAdapter: info?.isFallbackAdapter ?? legacyFallback ?? false,
  };
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
