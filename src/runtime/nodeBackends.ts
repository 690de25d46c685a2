/**
 * Node only (tests, scripts): makes the browser backends start outside a browser.
 *
 *  - WASM: the .wasm binaries are read from node_modules/@tensorflow/tfjs-backend-wasm/dist/. Node always gets
 *    the single-threaded SIMD build (tfjs disables threads under Node).
 *  - WebGPU: Dawn's Node binding (the `webgpu` package) provides navigator.gpu. It needs a Vulkan driver:
 *    SwiftShader from Debian's chromium (VK_ICD_FILENAMES, set here when unset) and the Vulkan loader
 *    libvulkan.so.1. Without the libvulkan1 package, Dawn finds no loader and returns a null adapter; we then
 *    preload chromium's own copy (see preloadVulkanLoader). On a machine with a real GPU, set VK_ICD_FILENAMES
 *    to the vendor's ICD (e.g. NVIDIA's nvidia_icd.json): it is kept, and the system's libvulkan.so.1 is
 *    loaded first; /usr/lib/chromium need not exist there.
 *
 * Quirks of tfjs-webgpu under Dawn/Node, found while writing this:
 *  - tfjs's own factory registers only if navigator.gpu exists when the module is imported; backends.ts
 *    registers its own factory instead, so import order does not matter.
 *  - dataSync()/arraySync() throw "OffscreenCanvas is not defined": read tensors with `await data()`.
 *  - The process exits by itself once tests end as long as nothing holds the GPU object; call
 *    uninstallNodeWebGpu() in afterAll to drop navigator.gpu to be sure (see the `webgpu` README, "Lifetime").
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { initBackend, type BackendChoice, type BackendName } from './backends';

/** SwiftShader's Vulkan driver manifest and the Vulkan loader, as Debian's chromium package ships them. */
export const CHROMIUM_SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';
export const CHROMIUM_VULKAN_LOADER = '/usr/lib/chromium/libvulkan.so.1';

// glibc dlopen flags (Node's os.constants.dlopen lacks RTLD_NODELETE).
const RTLD_NOW = 0x2;
const RTLD_GLOBAL = 0x100;
const RTLD_NODELETE = 0x1000;

/** The folder holding tfjs-backend-wasm's .wasm files, with a trailing slash (as setWasmPaths wants). */
export function nodeWasmDir(): string {
  const pkg = createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/package.json');
  return join(dirname(pkg), 'dist') + '/';
}

/** nodeWasmDir(), or undefined where tfjs-backend-wasm is not installed (a bundled benchmark on a GPU machine). */
function findNodeWasmDir(): string | undefined {
  try {
    return nodeWasmDir();
  } catch {
    return undefined;
  }
}

export type NodeWebGpuSetup = { ok: true; vulkanLoader: string } | { ok: false; reason: string };

let installed: NodeWebGpuSetup | undefined;

/**
 * Installs navigator.gpu (and the GPU* globals) from Dawn. Idempotent. Does not request an adapter:
 * probeWebGpu / initBackend do that, and report a null adapter as their reason.
 */
export async function installNodeWebGpu(): Promise<NodeWebGpuSetup> {
  if (installed?.ok) return installed;
  if (!process.env.VK_ICD_FILENAMES && existsSync(CHROMIUM_SWIFTSHADER_ICD)) {
    process.env.VK_ICD_FILENAMES = CHROMIUM_SWIFTSHADER_ICD; // read by the Vulkan loader when Dawn starts it
  }
  const loader = preloadVulkanLoader();
  if (!loader.ok) return (installed = loader);
  try {
    const { create, globals } = await import('webgpu');
    Object.assign(globalThis, globals);
    setNavigatorGpu(create(dawnFlags()));
  } catch (e) {
    return (installed = { ok: false, reason: `the webgpu package (Dawn) failed to load: ${e instanceof Error ? e.message : String(e)}` });
  }
  return (installed = loader);
}

/**
 * Extra flags for Dawn's `create()`, from TABTUNE_DAWN_FLAGS (space-separated), e.g.
 * "disable-dawn-features=timestamp_quantization" so that a benchmark's GPU timestamps keep their full resolution.
 */
function dawnFlags(): string[] {
  return (process.env.TABTUNE_DAWN_FLAGS ?? '').split(/\s+/).filter(Boolean);
}

/** Drops navigator.gpu, so Dawn's device can be collected and nothing keeps the process alive. */
export function uninstallNodeWebGpu(): void {
  const nav = (globalThis as { navigator?: { gpu?: unknown } }).navigator;
  if (nav && 'gpu' in nav) Reflect.deleteProperty(nav, 'gpu');
  installed = undefined;
}

/**
 * initBackend for Node: WASM from node_modules, and WebGPU through Dawn when the preference may use it.
 * `fallbackReason` says exactly why a backend could not start (e.g. "webgpu: navigator.gpu.requestAdapter()
 * returned null ...", or the Dawn setup failure).
 */
export async function initNodeBackend(preference: BackendName | 'auto' = 'auto'): Promise<BackendChoice> {
  let setupReason: string | undefined;
  if (preference === 'webgpu' || preference === 'auto') {
    const setup = await installNodeWebGpu();
    if (!setup.ok) setupReason = `webgpu setup: ${setup.reason}`;
  }
  const choice = await initBackend({ preference, wasmPaths: findNodeWasmDir() });
  if (setupReason && choice.backend !== 'webgpu') {
    choice.fallbackReason = [setupReason, choice.fallbackReason].filter(Boolean).join('; ');
  }
  return choice;
}

/**
 * Makes sure a library named libvulkan.so.1 is loaded before Dawn dlopen()s it: the system's if installed
 * (apt-get install libvulkan1), else chromium's copy. process.dlopen rejects it as "not a Node module"
 * but, with RTLD_NODELETE, leaves it loaded; Dawn's later dlopen("libvulkan.so.1") then finds it by soname.
 */
function preloadVulkanLoader(): NodeWebGpuSetup {
  if (process.platform !== 'linux') return { ok: true, vulkanLoader: 'system' };
  const tried: string[] = [];
  for (const candidate of ['libvulkan.so.1', CHROMIUM_VULKAN_LOADER]) {
    try {
      process.dlopen({ exports: {} }, candidate, RTLD_NOW | RTLD_GLOBAL | RTLD_NODELETE);
      return { ok: true, vulkanLoader: candidate }; // unreachable in practice: it is no Node module
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      if (/did not self-register/.test(message)) return { ok: true, vulkanLoader: candidate };
      tried.push(`${candidate}: ${message}`);
    }
  }
  return { ok: false, reason: `no Vulkan loader could be loaded (${tried.join('; ')}); install libvulkan1 or chromium` };
}

function setNavigatorGpu(gpu: GPU): void {
  const g = globalThis as { navigator?: object };
  if (g.navigator) {
    // Node >= 21 has a read-only global navigator: add gpu to it rather than replacing it.
    Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true, writable: true });
  } else {
    Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  }
}
