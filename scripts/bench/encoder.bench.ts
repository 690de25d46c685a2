/**
 * `npm run bench -- encoder [--json] [--backends cpu,wasm,webgpu] [--seconds 20]`
 *
 * Sentences per second of the frozen encoder's forward pass (bundled int8 all-MiniLM-L6-v2, weights dequantised
 * to f32 tensors, except on webgpu where they stay int8 for our WGSL kernels, src/kernels) on one batch of 32 sentences of exactly 64 tokens, for each backend that starts here, and the
 * time to load the model (read files, parse, validate, build the tokenizer, place the weights on the backend).
 *
 * Each backend gets one warm-up pass (kernel compilation, weight upload) and then as many timed passes as fit in
 * `--seconds` (at least one). Slow backends (plain-JS cpu, SwiftShader webgpu) run one pass of about a minute.
 */
import * as tf from '@tensorflow/tfjs';
import { WordPieceTokenizer } from '../../src/encoder/tokenizer';
import { SentenceEncoder } from '../../src/encoder/sentenceEncoder';
import { BACKEND_NAMES, type BackendName } from '../../src/runtime/backends';
import { initNodeBackend } from '../../src/runtime/nodeBackends';
import { fixedBatch, flag, loadBundled } from './common';

const BATCH = 32;
const TOKENS = 64;

interface BackendResult {
  backend: BackendName;
  ok: boolean;
  sentencesPerSecond?: number;
  msPerBatch?: number;
  passes?: number;
  /** Time to place the weights on this backend and run the first (warm-up) pass. */
  warmupMs?: number;
  error?: string;
}

async function timeBackend(name: BackendName, seconds: number): Promise<BackendResult> {
  const choice = await initNodeBackend(name).catch((e: unknown) => ({ backend: undefined, fallbackReason: String(e) }));
  if (choice.backend !== name) {
    return { backend: name, ok: false, error: `did not start: ${'fallbackReason' in choice ? choice.fallbackReason : 'unknown'}` };
  }
  const ckpt = await loadBundled();
  const tokenizer = WordPieceTokenizer.fromJSON(ckpt.tokenizerJson);
  const batch = fixedBatch(tokenizer, BATCH, TOKENS);
  const t0 = performance.now();
  const encoder = SentenceEncoder.fromCheckpoint(ckpt, tokenizer);
  const pass = async () => {
    const hidden = encoder.forwardHidden(batch);
    await hidden.data(); // waits for the GPU; dataSync is unavailable for webgpu in Node
    hidden.dispose();
  };
  try {
    await pass();
    const warmupMs = performance.now() - t0;
    let passes = 0;
    const start = performance.now();
    while (passes === 0 || performance.now() - start < seconds * 1000) {
      await pass();
      passes++;
    }
    const msPerBatch = (performance.now() - start) / passes;
    return { backend: name, ok: true, sentencesPerSecond: (BATCH * 1000) / msPerBatch, msPerBatch, passes, warmupMs };
  } finally {
    encoder.dispose();
  }
}

export async function run(args: string[]) {
  const wanted = (flag(args, '--backends')?.split(',') ?? [...BACKEND_NAMES]) as BackendName[];
  const seconds = Number(flag(args, '--seconds') ?? 20);

  // Load time on the fastest backend we have (the file parsing and validation do not depend on it).
  await initNodeBackend('wasm');
  const loadStart = performance.now();
  const ckpt = await loadBundled();
  const tokenizer = WordPieceTokenizer.fromJSON(ckpt.tokenizerJson);
  const encoder = SentenceEncoder.fromCheckpoint(ckpt, tokenizer);
  const loadMs = performance.now() - loadStart;
  encoder.dispose();
  console.log(`load: ${loadMs.toFixed(0)} ms (${(ckpt.bytes / 1e6).toFixed(1)} MB read, ${ckpt.quantization} weights)`);

  const backends: BackendResult[] = [];
  for (const name of wanted) {
    const r: BackendResult = await timeBackend(name, seconds).catch((e: unknown) => ({ backend: name, ok: false, error: e instanceof Error ? e.message : String(e) }));
    backends.push(r);
    console.log(
      r.ok
        ? `${name}: ${r.sentencesPerSecond!.toFixed(1)} sentences/s (${r.msPerBatch!.toFixed(0)} ms per batch of ${BATCH}x${TOKENS}, ${r.passes} passes; warm-up ${r.warmupMs!.toFixed(0)} ms)`
        : `${name}: not measured (${r.error})`,
    );
  }
  return {
    bench: 'encoder',
    model: ckpt.id,
    quantization: ckpt.quantization,
    batch: BATCH,
    tokens: TOKENS,
    loadMs: Math.round(loadMs),
    backends,
    tfjs: tf.version.tfjs,
    node: process.version,
  };
}
