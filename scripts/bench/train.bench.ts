/**
 * `npm run bench -- train [--json] [--backends wasm,cpu,webgpu] [--methods lora,prefix] [--seconds 15]`
 *
 * Training examples per second (forward, backward through the frozen encoder, clipping and one AdamW update) on
 * one batch of 16 x 64 tokens of the bundled int8 all-MiniLM-L6-v2, for every method in the PEFT registry at its
 * default config, with a 2-class linear head; plus each method's trainable parameter count and the size of its
 * saved delta (delta + head, as a safetensors file).
 *
 * Backends default to wasm: one step of the full encoder takes minutes on plain-JS cpu and on SwiftShader's
 * emulated WebGPU, so those run only when named with --backends.
 */
import * as tf from '@tensorflow/tfjs';
import { BertWeights } from '../../src/encoder/bert/weights';
import { WordPieceTokenizer } from '../../src/encoder/tokenizer';
import type { Checkpoint, EncodedBatch } from '../../src/encoder/types';
import { writeSafetensors } from '../../src/encoder/weights/safetensors';
import { PeftClassifier } from '../../src/peft/classifier';
import { LinearHead } from '../../src/peft/head';
import { METHOD_NAMES, type MethodName } from '../../src/peft/method';
import { createDelta, PEFT_METHODS } from '../../src/peft/registry';
import { AdamW } from '../../src/training/adamw';
import { clipByGlobalNorm } from '../../src/training/clip';
import type { BackendName } from '../../src/runtime/backends';
import { initNodeBackend } from '../../src/runtime/nodeBackends';
import { fixedBatch, flag, loadBundled } from './common';

const BATCH = 16;
const TOKENS = 64;
const CLASSES = 2;

interface MethodResult {
  backend: BackendName;
  method: MethodName;
  ok: boolean;
  examplesPerSecond?: number;
  msPerStep?: number;
  steps?: number;
  /** Trainable parameters of the delta alone, and with the head. */
  deltaParameters?: number;
  trainableParameters?: number;
  /** Bytes of the delta + head saved as safetensors. */
  deltaFileBytes?: number;
  error?: string;
}

function count(variables: readonly tf.Variable[]): number {
  return variables.reduce((n, v) => n + v.size, 0);
}

async function savedBytes(classifier: PeftClassifier): Promise<number> {
  const tensors = classifier.tensors();
  const entries = await Promise.all(
    Object.entries(tensors).map(async ([name, t]) => [name, { dtype: 'F32' as const, shape: t.shape, data: (await t.data()) as Float32Array }] as const),
  );
  return writeSafetensors(Object.fromEntries(entries)).byteLength;
}

async function timeMethod(backend: BackendName, method: MethodName, ckpt: Checkpoint, weights: BertWeights, batch: EncodedBatch, seconds: number): Promise<MethodResult> {
  const delta = createDelta(ckpt.config, PEFT_METHODS[method].defaults, 1);
  const classifier = new PeftClassifier(weights, ckpt.pooling, delta, LinearHead.random(ckpt.config.hiddenSize, CLASSES, 2));
  const variables = classifier.trainableVariables();
  const optimizer = new AdamW(variables);
  const labels = Int32Array.from({ length: BATCH }, (_, i) => i % CLASSES);
  const step = async () => {
    const loss = tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => classifier.loss(batch, labels, { training: true, seed: 1 }), variables);
      const clipped = clipByGlobalNorm(variables.map((v) => grads[v.name]), 1.0);
      optimizer.step(new Map(variables.map((v, i) => [v, clipped.grads[i]])), 1e-3);
      return value;
    });
    await loss.data(); // waits for the backend (and the GPU) to finish the step
    loss.dispose();
  };
  try {
    await step(); // warm-up: optimizer state, kernel compilation
    let steps = 0;
    const start = performance.now();
    while (steps < 2 || performance.now() - start < seconds * 1000) {
      await step();
      steps++;
    }
    const msPerStep = (performance.now() - start) / steps;
    return {
      backend,
      method,
      ok: true,
      examplesPerSecond: (BATCH * 1000) / msPerStep,
      msPerStep,
      steps,
      deltaParameters: count(delta.variables),
      trainableParameters: count(variables),
      deltaFileBytes: await savedBytes(classifier),
    };
  } finally {
    optimizer.dispose();
    classifier.dispose();
  }
}

export async function run(args: string[]) {
  const backends = (flag(args, '--backends')?.split(',') ?? ['wasm']) as BackendName[];
  const methods = (flag(args, '--methods')?.split(',') ?? [...METHOD_NAMES]) as MethodName[];
  const seconds = Number(flag(args, '--seconds') ?? 15);
  const ckpt = await loadBundled();
  const tokenizer = WordPieceTokenizer.fromJSON(ckpt.tokenizerJson);
  const batch = fixedBatch(tokenizer, BATCH, TOKENS);

  const results: MethodResult[] = [];
  for (const backend of backends) {
    const choice = await initNodeBackend(backend);
    if (choice.backend !== backend) {
      for (const method of methods) results.push({ backend, method, ok: false, error: `backend did not start: ${choice.fallbackReason}` });
      continue;
    }
    const weights = BertWeights.fromCheckpoint(ckpt);
    for (const method of methods) {
      const r = await timeMethod(backend, method, ckpt, weights, batch, seconds).catch(
        (e: unknown): MethodResult => ({ backend, method, ok: false, error: e instanceof Error ? e.message : String(e) }),
      );
      results.push(r);
      console.log(
        r.ok
          ? `${backend} ${method}: ${r.examplesPerSecond!.toFixed(2)} examples/s (${r.msPerStep!.toFixed(0)} ms/step, ${r.steps} steps), ` +
              `${r.deltaParameters} delta + ${r.trainableParameters! - r.deltaParameters!} head parameters, delta file ${r.deltaFileBytes} bytes`
          : `${backend} ${method}: not measured (${r.error})`,
      );
    }
    weights.dispose();
  }
  return { bench: 'train', model: ckpt.id, quantization: ckpt.quantization, batch: BATCH, tokens: TOKENS, classes: CLASSES, results, tfjs: tf.version.tfjs, node: process.version };
}
