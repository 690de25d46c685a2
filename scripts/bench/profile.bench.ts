/**
 * `npm run bench -- profile [--json] [--batch B] [--tokens T] [--kernels on|off] [--top N]`
 *
 * Where one LoRA training step of the bundled encoder goes on webgpu: tf.profile over one step (LoRA at its
 * registry defaults, forward + backward + AdamW; a warm-up step first compiles every pipeline), with our kernels
 * on by default. tf.profile lists every tfjs kernel the engine ran; with the timestamp-query feature (SwiftShader
 * has it) each GPU program in it is timed, ours included (src/kernels/bridge.ts). Per kernel name: calls, GPU
 * programs dispatched (what a real GPU pays per op when tfjs is dispatch-bound) and GPU milliseconds. Profiling
 * submits every program on its own, so the total is slower than an unprofiled step; the shares are what to read.
 *
 * Then LayerNorm (13 per forward in MiniLM: embeddings + 2 per layer) and the attention softmax with its scale and
 * mask (one per layer), counted apart since tfjs's ops for them share names with the rest: each profiled alone on
 * the step's shapes, forward and forward + backward, as tfjs's ops (layerNormWithOps, attentionProbsWithOps) and
 * as our fused kernels (src/kernels/layerNorm, src/kernels/maskedSoftmax; the step uses these when the kernels
 * are on).
 * Default step: 1 x 16 tokens on a fallback adapter (SwiftShader), 16 x 64 on a real GPU.
 */
import * as tf from '@tensorflow/tfjs';
import { attentionProbsWithOps, F32_MIN, layerNormWithOps } from '../../src/encoder/bert/ops';
import { BertWeights } from '../../src/encoder/bert/weights';
import { WordPieceTokenizer } from '../../src/encoder/tokenizer';
import { layerNormFused, maskedSoftmax, setKernelsEnabled } from '../../src/kernels';
import { PeftClassifier } from '../../src/peft/classifier';
import { LinearHead } from '../../src/peft/head';
import { createDelta, PEFT_METHODS } from '../../src/peft/registry';
import { initNodeBackend } from '../../src/runtime/nodeBackends';
import { AdamW } from '../../src/training/adamw';
import { fixedBatch, flag, loadBundled } from './common';

/** One kernel name's share of a profile. */
interface KernelRow {
  name: string;
  calls: number;
  programs: number;
  ms: number;
}

interface Profile {
  kernels: KernelRow[];
  /** The same rows per kernel name and input shapes, e.g. "BatchMatMul [1,16,8] [1,8,384]". */
  byShape: KernelRow[];
  calls: number;
  programs: number;
  ms: number;
}

/** tf.profile of `f`, grouped by kernel name (largest GPU time first). */
async function profileOf(f: () => tf.TensorContainer): Promise<Profile> {
  const info = await tf.profile(f);
  tf.dispose(info.result as tf.TensorContainer);
  const rows = new Map<string, KernelRow>();
  const shapes = new Map<string, KernelRow>();
  for (const k of info.kernels) {
    // extraInfo lists each timed program of the call as "<program>: <ms>", comma-separated (none: a free reshape).
    const extra = String(k.extraInfo ?? '');
    const programs = extra ? extra.split(', ').length : 0;
    const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    const withShapes = `${k.name} ${k.inputShapes.map((s) => JSON.stringify(s)).join(' ')}`;
    for (const [map, name] of [[rows, k.name], [shapes, withShapes]] as const) {
      const row = map.get(name) ?? { name, calls: 0, programs: 0, ms: 0 };
      row.calls++;
      row.programs += programs;
      row.ms += ms;
      map.set(name, row);
    }
  }
  const order = (a: KernelRow, b: KernelRow) => b.ms - a.ms || b.programs - a.programs;
  const kernels = [...rows.values()].sort(order);
  const sum = (key: 'calls' | 'programs' | 'ms') => kernels.reduce((s, r) => s + r[key], 0);
  return { kernels, byShape: [...shapes.values()].sort(order), calls: sum('calls'), programs: sum('programs'), ms: sum('ms') };
}

/** Forward alone, and forward + backward w.r.t. x (given a random dy), of `op` on x. */
async function opProfiles(x: tf.Tensor, op: (x: tf.Tensor) => tf.Tensor): Promise<{ forward: Profile; forwardBackward: Profile }> {
  const dy = tf.randomNormal(x.shape);
  await profileOf(() => tf.grad(op)(x, dy)); // warm-up: compile
  const forward = await profileOf(() => op(x));
  const forwardBackward = await profileOf(() => tf.grad(op)(x, dy));
  dy.dispose();
  return { forward, forwardBackward };
}

function describe(label: string, p: Profile): string {
  return `${label}: ${p.calls} kernel calls, ${p.programs} GPU programs, ${p.ms.toFixed(1)} ms GPU`;
}

export async function run(args: string[]) {
  const choice = await initNodeBackend('webgpu');
  if (choice.backend !== 'webgpu') throw new Error(`webgpu did not start: ${choice.fallbackReason}`);
  const kernels = (flag(args, '--kernels') ?? 'on') === 'on';
  setKernelsEnabled(kernels);
  const software = choice.adapter?.isFallbackAdapter ?? true;
  const batchSize = Number(flag(args, '--batch') ?? (software ? 1 : 16));
  const tokens = Number(flag(args, '--tokens') ?? (software ? 16 : 64));
  const top = Number(flag(args, '--top') ?? 25);
  console.log(`device: ${choice.adapter?.description} (fallback adapter: ${software}); kernels ${kernels ? 'on' : 'off'}; step ${batchSize} x ${tokens} tokens`);

  const ckpt = await loadBundled();
  const weights = BertWeights.fromCheckpoint(ckpt); // int8-kept exactly when the kernels are on
  const delta = createDelta(ckpt.config, PEFT_METHODS.lora.defaults, 1);
  const classifier = new PeftClassifier(weights, ckpt.pooling, delta, LinearHead.random(ckpt.config.hiddenSize, 2, 2));
  const variables = classifier.trainableVariables();
  const optimizer = new AdamW(variables);
  const batch = fixedBatch(WordPieceTokenizer.fromJSON(ckpt.tokenizerJson), batchSize, tokens);
  const labels = Int32Array.from({ length: batch.batch }, (_, i) => i % 2);
  const step = () =>
    tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => classifier.loss(batch, labels, { training: true, seed: 1 }), variables);
      optimizer.step(new Map(variables.map((v) => [v, grads[v.name]])), 1e-3);
      return value;
    });
  const warm = step();
  await warm.data();
  warm.dispose();
  const t0 = performance.now();
  const stepProfile = await profileOf(step);
  const profiledMs = performance.now() - t0;
  optimizer.dispose();
  classifier.dispose();
  weights.dispose();

  console.log(`${describe('LoRA step', stepProfile)} (${profiledMs.toFixed(0)} ms wall, profiled)`);
  const table = (title: string, list: KernelRow[]) => {
    console.log(`${title.padEnd(50)}  calls  programs   GPU ms  share`);
    for (const r of list.slice(0, top)) {
      console.log(`${r.name.padEnd(50)} ${String(r.calls).padStart(6)} ${String(r.programs).padStart(9)} ${r.ms.toFixed(1).padStart(8)} ${((100 * r.ms) / stepProfile.ms).toFixed(1).padStart(5)}%`);
    }
  };
  table('kernel', stepProfile.kernels);
  table('kernel and input shapes', stepProfile.byShape);

  // LayerNorm and softmax alone on the step's shapes: hidden states [rows, hidden], scores [batch, heads, seq, seq].
  const c = ckpt.config;
  const rows = batchSize * tokens;
  const norm = { gamma: tf.randomNormal([c.hiddenSize]) as tf.Tensor1D, beta: tf.randomNormal([c.hiddenSize]) as tf.Tensor1D };
  const hidden = tf.randomNormal([rows, c.hiddenSize]);
  const scores = tf.randomNormal([batchSize, c.numAttentionHeads, tokens, tokens]);
  const additive = tf.mul(tf.sub(1, tf.ones([batchSize, tokens])), F32_MIN) as tf.Tensor2D;
  const scale = 1 / Math.sqrt(c.hiddenSize / c.numAttentionHeads);
  const parts = {
    layerNorm: {
      perStep: 1 + 2 * c.numHiddenLayers,
      tfjs: await opProfiles(hidden, (x) => layerNormWithOps(x, norm, c.layerNormEps)),
      ours: await opProfiles(hidden, (x) => layerNormFused(x, norm.gamma, norm.beta, c.layerNormEps)),
    },
    softmax: {
      perStep: c.numHiddenLayers,
      tfjs: await opProfiles(scores, (s) => attentionProbsWithOps(s as tf.Tensor4D, additive, scale)),
      ours: await opProfiles(scores, (s) => maskedSoftmax(s as tf.Tensor4D, additive, scale)),
    },
  };
  tf.dispose([norm.gamma, norm.beta, hidden, scores, additive]);
  for (const [name, part] of Object.entries(parts)) {
    for (const impl of ['tfjs', 'ours'] as const) {
      const p = part[impl];
      console.log(`${name} (${impl}) x ${part.perStep} per step: ${describe('forward', p.forward)}; ${describe('forward + backward', p.forwardBackward)}`);
    }
  }

  return {
    bench: 'profile',
    device: choice.adapter,
    kernels,
    step: { batch: batchSize, tokens, calls: stepProfile.calls, programs: stepProfile.programs, gpuMs: stepProfile.ms, wallMsProfiled: profiledMs },
    byKernel: stepProfile.kernels,
    byKernelAndShapes: stepProfile.byShape.slice(0, top),
    parts,
    tfjs: tf.version.tfjs,
  };
}
