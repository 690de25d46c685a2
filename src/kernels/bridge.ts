/**
 * The one seam between our WGSL kernels and tfjs-backend-webgpu 4.22. Nothing else in src/kernels touches
 * the backend's internals (its device, tensorMap, command encoder, buffer manager).
 *
 * A kernel here is a real .wgsl file compiled once per specialisation (its `override` constants), dispatched
 * into tfjs's own command encoder and compute pass, so it is ordered with the tfjs ops around it, batched and
 * submitted by tfjs as if it were one of its own programs. Outputs are ordinary tfjs tensors whose GPU
 * buffers come from tfjs's buffer manager and go back to it on dispose.
 */
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';

/** A WGSL source and the name that labels its GPU objects. */
export interface WgslSource {
  label: string;
  code: string;
}

/** One dispatch of a kernel: its specialisation, bindings and grid. */
export interface KernelDispatch {
  source: WgslSource;
  /** The @compute entry point (a variant), e.g. "naive" or "tiled". */
  entryPoint: string;
  /** Values for the shader's `override` constants; every one is part of the pipeline cache key. */
  constants: Record<string, number>;
  /** Bound at @binding(1..) in this order (read-only storage). */
  inputs: tf.TensorInfo[];
  /** The output is bound at @binding(0) (read-write storage); f32. */
  outputShape: number[];
  /** The uniform struct at the last binding (inputs.length + 1), as 32-bit words (floats via f32Bits). */
  uniforms: number[];
  workgroups: [number, number, number];
}

/** Internals of WebGPUBackend that are private in its typings, named once here. */
interface BackendInternals {
  device: GPUDevice;
  queue: GPUQueue;
  tensorMap: { get(dataId: object): { resource?: unknown } };
  bufferManager: { acquireBuffer(size: number, usage: number): GPUBuffer };
  commandEncoder: GPUCommandEncoder | null;
  computePassEncoder: GPUComputePassEncoder | null;
  commandQueueOwnedIds: WeakSet<object>;
  uniformPendingDisposal: GPUBuffer[];
  dispatchCountInPass: number;
  supportTimestampQuery: boolean;
  /** Non-null while tf.profile runs: each program pushes a timer (its name and GPU milliseconds) here. */
  activeTimers: Array<{ name: string; query: Promise<number> }> | null | undefined;
  querySet: GPUQuerySet | null;
  querySetCount: number;
  /** Resolves the timestamps of the pass just ended into milliseconds (0 without timestamp-query). */
  getQueryTime(): Promise<number>;
  makeTensorInfo(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  uploadToGPU(dataId: object): void;
  ensureCommandEncoderReady(): void;
  endComputePassEncoder(): void;
  submitQueue(): void;
}

/** True when tfjs's current backend is webgpu. */
export function onWebGpu(): boolean {
  return tf.getBackend() === 'webgpu';
}

/** The running webgpu backend; throws when another backend is current. */
export function webgpuBackend(): WebGPUBackend {
  if (!onWebGpu()) throw new Error(`A WGSL kernel ran on the "${tf.getBackend()}" backend; kernels run on webgpu only.`);
  return tf.backend() as unknown as WebGPUBackend;
}

/**
 * True when the webgpu device is a fallback adapter: a CPU emulation of a GPU (SwiftShader), which a few workgroups
 * fill, where a real GPU wants thousands of threads in flight.
 */
export function onFallbackAdapter(): boolean {
  const device = (webgpuBackend() as unknown as BackendInternals).device as GPUDevice & { adapterInfo?: { isFallbackAdapter?: boolean } };
  return device.adapterInfo?.isFallbackAdapter ?? false;
}

const dispatches = new Map<string, number>();

/**
 * Dispatches recorded per kernel (its source label, e.g. "int8Matmul") since the last reset, so a test can tell
 * that our kernels ran rather than tfjs's ops.
 */
export function kernelDispatchCounts(): ReadonlyMap<string, number> {
  return dispatches;
}

export function resetKernelDispatchCounts(): void {
  dispatches.clear();
}

const deviceErrors: string[] = [];

/**
 * Errors the device raised outside any error scope since the last call (a shader that fails validation, a bad
 * binding), drained: such a dispatch writes nothing, and a recycled output buffer can still hold a right answer,
 * so kernel tests ask here too.
 */
export function takeDeviceErrors(): string[] {
  return deviceErrors.splice(0);
}

const pipelines = new WeakMap<GPUDevice, Map<string, GPUComputePipeline>>();
const modules = new WeakMap<GPUDevice, Map<string, GPUShaderModule>>();

/** The pipeline for one specialisation, compiled on first use; the key is the source, entry point and every constant. */
function pipelineFor(device: GPUDevice, source: WgslSource, entryPoint: string, constants: Record<string, number>): GPUComputePipeline {
  const key = `${source.label}.${entryPoint}|${Object.keys(constants).sort().map((k) => `${k}=${constants[k]}`).join(',')}`;
  let cache = pipelines.get(device);
  if (!cache) {
    pipelines.set(device, (cache = new Map()));
    device.addEventListener('uncapturederror', (e) => deviceErrors.push((e as GPUUncapturedErrorEvent).error.message));
  }
  let pipeline = cache.get(key);
  if (!pipeline) {
    let mods = modules.get(device);
    if (!mods) modules.set(device, (mods = new Map()));
    let module = mods.get(source.label);
    if (!module) {
      module = device.createShaderModule({ label: source.label, code: source.code });
      mods.set(source.label, module);
      reportCompileErrors(module, source.label);
    }
    pipeline = device.createComputePipeline({ label: key, layout: 'auto', compute: { module, entryPoint, constants } });
    cache.set(key, pipeline);
  }
  return pipeline;
}

/** WebGPU reports a bad shader only asynchronously (and the dispatch then writes nothing): say so loudly. */
function reportCompileErrors(module: GPUShaderModule, label: string): void {
  void module.getCompilationInfo?.().then((info) => {
    const errors = info.messages.filter((m) => m.type === 'error');
    if (errors.length) console.error(`WGSL kernel "${label}" failed to compile:\n${errors.map((m) => `  ${m.lineNum}:${m.linePos} ${m.message}`).join('\n')}`);
  });
}

/** Number of pipelines compiled so far on the current device (tests check the cache holds). */
export function compiledPipelineCount(): number {
  return pipelines.get((webgpuBackend() as unknown as BackendInternals).device)?.size ?? 0;
}

/** The bits of an f32, for a uniform word. */
export function f32Bits(x: number): number {
  const f = new Float32Array([x]);
  return new Uint32Array(f.buffer)[0];
}

/**
 * Records one dispatch into tfjs's command stream and returns the f32 output as a TensorInfo (for a kernelFunc
 * to return). Inputs are uploaded if they still live on the CPU.
 */
export function dispatchKernel(d: KernelDispatch): tf.TensorInfo {
  const be = webgpuBackend() as unknown as BackendInternals;
  const output = be.makeTensorInfo(d.outputShape, 'float32');
  if (d.outputShape.reduce((a, b) => a * b, 1) === 0) return output;
  be.uploadToGPU(output.dataId);
  for (const t of d.inputs) be.uploadToGPU(t.dataId);
  const buffer = (t: tf.TensorInfo) => be.tensorMap.get(t.dataId).resource as GPUBuffer;

  const pipeline = pipelineFor(be.device, d.source, d.entryPoint, d.constants);
  const words = d.uniforms.length ? d.uniforms : [0];
  const uniformBytes = Math.ceil((words.length * 4) / 16) * 16;
  const uniform = be.bufferManager.acquireBuffer(uniformBytes, GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST);
  const data = new Uint32Array(uniformBytes / 4);
  data.set(words.map((w) => w >>> 0));
  be.queue.writeBuffer(uniform, 0, data);
  be.uniformPendingDisposal.push(uniform); // tfjs releases it after the submit that uses it

  const bindGroup = be.device.createBindGroup({
    label: `${d.source.label}.bindings`,
    layout: pipeline.getBindGroupLayout(0),
    entries: [
      { binding: 0, resource: { buffer: buffer(output) } },
      ...d.inputs.map((t, i) => ({ binding: i + 1, resource: { buffer: buffer(t) } })),
      { binding: d.inputs.length + 1, resource: { buffer: uniform } },
    ],
  });
  // tfjs defers releasing buffers that commands in flight use; ours are used the same way.
  for (const t of [...d.inputs, output]) be.commandQueueOwnedIds.add(t.dataId);

  // While tf.profile runs, tfjs gives each of its programs a compute pass of its own with timestamps; ours too.
  const timed = be.activeTimers != null && be.supportTimestampQuery;
  be.ensureCommandEncoderReady();
  if (timed) {
    be.endComputePassEncoder();
    be.querySet ??= be.device.createQuerySet({ label: 'tfjs+tabtune.timestamps', type: 'timestamp', count: be.querySetCount });
    const timestampWrites = { querySet: be.querySet, beginningOfPassWriteIndex: 0, endOfPassWriteIndex: 1 };
    be.computePassEncoder = be.commandEncoder!.beginComputePass({ label: `${d.source.label}.timed`, timestampWrites });
  } else if (!be.computePassEncoder) {
    be.computePassEncoder = be.commandEncoder!.beginComputePass({ label: 'tfjs+tabtune' });
  }
  be.computePassEncoder.setPipeline(pipeline);
  be.computePassEncoder.setBindGroup(0, bindGroup);
  be.computePassEncoder.dispatchWorkgroups(...d.workgroups);
  be.dispatchCountInPass++;
  dispatches.set(d.source.label, (dispatches.get(d.source.label) ?? 0) + 1);
  if (timed) {
    be.endComputePassEncoder();
    be.activeTimers!.push({ name: d.source.label, query: be.getQueryTime() });
  } else if (be.dispatchCountInPass >= (tf.env().get('WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE') as number)) {
    be.endComputePassEncoder();
    be.submitQueue();
  }
  return output;
}

/**
 * Releases a kernel's intermediate output (split-K's partial sums) once the dispatches that read it are recorded:
 * tfjs frees its buffer after the submit that uses it, as it does for its own intermediates.
 */
export function disposeIntermediate(t: tf.TensorInfo): void {
  webgpuBackend().disposeData(t.dataId);
}

/** A GPU-side tensor's values, waiting for the GPU (dataSync does not work for webgpu in Node). */
export async function readF32(t: tf.Tensor): Promise<Float32Array> {
  return (await t.data()) as Float32Array;
}

/** Waits until the GPU has finished everything submitted so far (benchmarks). */
export async function gpuIdle(): Promise<void> {
  const be = webgpuBackend() as unknown as BackendInternals;
  be.ensureCommandEncoderReady(); // submitQueue needs an encoder, even an empty one
  be.endComputePassEncoder();
  be.submitQueue();
  await be.device.queue.onSubmittedWorkDone();
}

/** Registers a webgpu kernel and its gradient with tfjs, once per kernel name. */
export function registerWebGpuKernel(config: { kernelName: string; kernelFunc: tf.KernelFunc; gradient?: Omit<tf.GradConfig, 'kernelName'> }): void {
  if (tf.getKernel(config.kernelName, 'webgpu')) return;
  tf.registerKernel({ kernelName: config.kernelName, backendName: 'webgpu', kernelFunc: config.kernelFunc });
  if (config.gradient && !tf.getGradient(config.kernelName)) tf.registerGradient({ kernelName: config.kernelName, ...config.gradient });
}

/** Runs a registered kernel through tfjs's engine (so the tape records it for autodiff). */
export function runKernel<T extends tf.Tensor>(kernelName: string, inputs: Record<string, tf.Tensor>, attrs: Record<string, number | boolean | string> = {}): T {
  return tf.engine().runKernel(kernelName, inputs as unknown as tf.NamedTensorMap, attrs as unknown as tf.NamedAttrMap) as T;
}
