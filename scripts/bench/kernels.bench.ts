/**
 * `npm run bench -- kernels [--json] [--variant tiled|naive|vec4|skinny|staged] [--no-gpu-time] [--rows 16,512,2048] [--train-batch B] [--train-tokens T]
 *   [--no-matmul] [--no-lora-grad] [--no-rowwise] [--no-train]`
 *
 * Our WGSL kernels (src/kernels) against tfjs-webgpu's own matMul, measured in the same run on the same device:
 *
 *  - for every encoder shape, M rows in {16, 512, 2048} x (K, N) in {(384, 384), (384, 1536), (1536, 384)}:
 *    GFLOP/s (2 M K N / time) of int8Matmul (y = x W + b, int8 weights), int8MatmulGradX (dx = dy W^T),
 *    loraFused (r = 8), and of tf.matMul on the same shapes with the weights dequantised to f32 (x @ W,
 *    dy @ W^T), plus tfjs's unfused LoRA (x @ W + s (x @ A^T) @ B^T); each ratio ours / tfjs;
 *  - LoRA's rank-r gradient products (src/kernels/loraGrad), M rows in {16, 512, 2048} (or --rows) x D (a layer's in or out
 *    width) in {384, 1536}, r = 8: GFLOP/s (2 M D r / time) of our loraRankProduct (s dy @ b, xl @ a^T: [M, r])
 *    and loraWeightGrad (t^T @ xl into [r, D], dy^T @ low into [D, r]; ranges of rows chosen for this device, and
 *    naive; dy^T @ low also split as on a real GPU) against tf.matMul on the same operands (without the scaling
 *    our kernels include); each ratio ours / tfjs;
 *  - our fused LayerNorm (src/kernels/layerNorm) against tfjs's op sequence (layerNormWithOps: tf.moments, sub,
 *    rsqrt, mul, add), M rows in {16, 512, 2048} x hidden 384, and our fused attention softmax
 *    (src/kernels/maskedSoftmax) against tfjs's (attentionProbsWithOps: mul, add, softmax) on the scores of
 *    M = batch x seq tokens in {1 x 16, 8 x 64, 16 x 128} with 12 heads (a quarter of the keys padded): milliseconds
 *    per call, forward and forward + backward for the input (tf.grad with a given dy), and the speedup tfjs / ours
 *    (every shape, SwiftShader too);
 *  - the bytes of the bundled encoder's weights resident on the GPU, int8-kept vs dequantised to f32;
 *  - the time of one LoRA training step (default config, forward + backward + AdamW) of the bundled encoder,
 *    kernels on vs off (off: f32 weights and tfjs's ops, as on every other backend).
 *
 * Two clocks. Wall-clock (timeCalls, below) includes the CPU's cost of recording each call, which on a real GPU
 * is most of a small matmul's time; GPU time (gpuMicros, where the device has timestamp-query: the smaller of two
 * means over 20 calls of what the timestamps around each program say, in 3 interleaved rounds) is the kernels' own. For full-resolution
 * timestamps run with TABTUNE_DAWN_FLAGS=disable-dawn-features=timestamp_quantization (Dawn rounds to 4.1 us).
 *
 * Timing (timeCalls): one warm-up call each (pipeline compilation), then trials of `reps` back-to-back calls
 * ended by a wait for the GPU queue (onSubmittedWorkDone), reps chosen so a trial takes ~0.3 s (at least 1);
 * the six calls of a shape are measured interleaved, trial by trial, and each result is the median of 3 trials
 * (2 when a call takes over 1 s). On SwiftShader (a CPU emulation of a GPU, 0.05 to
 * 1 GFLOP/s depending on the machine's load) the M = 2048 calls take tens of seconds to minutes: on a fallback
 * adapter the default rows are {16, 512} (`--rows 16,512,2048` adds 2048, timed once per call without
 * warm-up) and the training step is 1 x 16 tokens (warm-up + 1 timed step). On a real GPU every row runs and
 * the step is 16 x 64 tokens (median of 5).
 */
import * as tf from '@tensorflow/tfjs';
import { attentionProbsWithOps, F32_MIN, layerNormWithOps } from '../../src/encoder/bert/ops';
import { BertWeights } from '../../src/encoder/bert/weights';
import { WordPieceTokenizer } from '../../src/encoder/tokenizer';
import type { Checkpoint, EncodedBatch } from '../../src/encoder/types';
import { gpuIdle } from '../../src/kernels/bridge';
import {
  int8Matmul,
  int8MatmulGradX,
  int8Weight,
  kernelVariant,
  layerNormFused,
  loraFused,
  loraRankProduct,
  loraWeightGrad,
  maskedSoftmax,
  setKernelsEnabled,
  FILL_THREADS,
  setKernelVariant,
  weightGradRanges,
} from '../../src/kernels';
import type { KernelSelection } from '../../src/kernels/flags';
import { PeftClassifier } from '../../src/peft/classifier';
import { LinearHead } from '../../src/peft/head';
import { createDelta, PEFT_METHODS } from '../../src/peft/registry';
import { AdamW } from '../../src/training/adamw';
import { initNodeBackend } from '../../src/runtime/nodeBackends';
import { fixedBatch, flag, loadBundled } from './common';
import { gpuMicrosInterleaved } from './sweep.bench';

const ROWS = [16, 512, 2048];
const KN: Array<[number, number]> = [
  [384, 384],
  [384, 1536],
  [1536, 384],
];
const RANK = 8;
const LORA_SCALING = 2;
/** The widths D of LoRA's gradient products: a layer's in or out features. */
const LORA_GRAD_WIDTHS = [384, 1536];
/** The bundled encoder's width and heads, for the LayerNorm and softmax shapes, and BERT's eps. */
const HIDDEN = 384;
const HEADS = 12;
const LN_EPS = 1e-12;
/** Attention's (batch, seq) for M = 16, 512, 2048 tokens. */
const ATTENTION: Array<[number, number]> = [
  [1, 16],
  [8, 64],
  [16, 128],
];

/** Seconds per call of `call` (which returns a tensor to dispose) over `reps` back-to-back calls and one GPU wait. */
async function timeReps(call: () => tf.Tensor, reps: number): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) call().dispose();
  await gpuIdle();
  return (performance.now() - t0) / 1000 / reps;
}

/**
 * Median seconds per call of each of `calls`, measured interleaved (a trial of every call, then the next
 * trial) so that a change in the machine's load hits all of them alike. One warm-up call each (pipeline
 * compilation), then 3 trials of `reps` calls (reps chosen so a trial takes ~0.3 s); calls over 1 s get 2
 * trials of 1. `once` (M = 2048 on SwiftShader): no warm-up, one trial of one call.
 */
async function timeCalls<K extends string>(calls: Record<K, () => tf.Tensor>, once: boolean): Promise<Record<K, number>> {
  const names = Object.keys(calls) as K[];
  const samples = Object.fromEntries(names.map((n) => [n, [] as number[]])) as Record<K, number[]>;
  const reps = {} as Record<K, number>;
  for (const n of names) {
    const first = await timeReps(calls[n], 1);
    if (once) samples[n].push(first);
    else reps[n] = Math.max(1, Math.min(50, Math.round(0.3 / first)));
  }
  if (!once) {
    const slow = names.some((n) => reps[n] === 1);
    for (let t = 0; t < (slow ? 2 : 3); t++) for (const n of names) samples[n].push(await timeReps(calls[n], reps[n]));
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
  return Object.fromEntries(names.map((n) => [n, median(samples[n])])) as Record<K, number>;
}

type ShapeCall = 'int8Matmul' | 'int8MatmulGradX' | 'loraFused' | 'tfjsMatMul' | 'tfjsMatMulTransposed' | 'tfjsLora';
type ShapeRatio = 'int8Matmul' | 'int8MatmulGradX' | 'loraFused' | 'loraFusedVsTfjsLora';
interface ShapeResult {
  m: number;
  k: number;
  n: number;
  /** By wall-clock time: recording the calls on the CPU included. */
  gflops: Record<ShapeCall, number>;
  ratio: Record<ShapeRatio, number>;
  /** By GPU time (timestamps around each program; see gpuMicros), where the device has timestamp-query. */
  gpu?: { us: Record<ShapeCall, number>; gflops: Record<ShapeCall, number>; ratio: Record<ShapeRatio, number> };
}

const ratiosOf = (g: Record<ShapeCall, number>): Record<ShapeRatio, number> => ({
  int8Matmul: g.int8Matmul / g.tfjsMatMul,
  int8MatmulGradX: g.int8MatmulGradX / g.tfjsMatMulTransposed,
  loraFused: g.loraFused / g.tfjsMatMul,
  loraFusedVsTfjsLora: g.loraFused / g.tfjsLora,
});

async function measureShape(m: number, k: number, n: number, once: boolean, gpuReps: number): Promise<ShapeResult> {
  const flops = 2 * m * k * n;
  const q = Int8Array.from({ length: n * k }, (_, i) => ((i * 2654435761) % 255) - 127);
  const scale = new Float32Array(n).fill(0.01);
  const w = int8Weight(q, scale, n, k);
  const wf = tf.tidy(() => tf.transpose(tf.mul(tf.tensor2d(Float32Array.from(q), [n, k]), tf.reshape(tf.tensor1d(scale), [n, 1])))) as tf.Tensor2D; // [K, N] f32
  const x = tf.randomUniform([m, k], -1, 1) as tf.Tensor2D;
  const dy = tf.randomUniform([m, n], -1, 1) as tf.Tensor2D;
  const bias = tf.zeros([n]) as tf.Tensor1D;
  const a = tf.randomUniform([RANK, k], -0.1, 0.1) as tf.Tensor2D; // [r, K]
  const b = tf.randomUniform([n, RANK], -0.1, 0.1) as tf.Tensor2D; // [N, r]
  const calls: Record<ShapeCall, () => tf.Tensor> = {
    int8Matmul: () => int8Matmul(x, w, bias),
    tfjsMatMul: () => tf.matMul(x, wf),
    int8MatmulGradX: () => int8MatmulGradX(dy, w),
    tfjsMatMulTransposed: () => tf.matMul(dy, wf, false, true),
    loraFused: () => loraFused(x, x, w, bias, a, b, LORA_SCALING),
    tfjsLora: () => tf.tidy(() => tf.add(tf.matMul(x, wf), tf.mul(tf.matMul(tf.matMul(x, a, false, true), b, false, true), LORA_SCALING))),
  };
  const sec = await timeCalls(calls, once);
  let gpu: ShapeResult['gpu'];
  if (gpuReps > 0) {
    const us = await gpuMicrosInterleaved(calls, gpuReps);
    const gflops = Object.fromEntries(Object.entries(us).map(([name, t]) => [name, flops / t / 1e3])) as Record<ShapeCall, number>;
    gpu = { us, gflops, ratio: ratiosOf(gflops) };
  }
  tf.dispose([w.q, w.scale, wf, x, dy, bias, a, b]);
  const gflops = Object.fromEntries(Object.entries(sec).map(([name, s]) => [name, flops / s / 1e9])) as ShapeResult['gflops'];
  return { m, k, n, gflops, ratio: ratiosOf(gflops), gpu };
}

/** LoRA's four rank-r gradient products on one shape, ours and tfjs's matMul. */
interface LoraGradResult {
  m: number;
  d: number;
  r: number;
  /** Ranges of rows of the split-K weight pass on this device (1: no split), and on a real GPU (weightColsGpuSplit). */
  ranges: number;
  gpuRanges: number;
  gflops: Record<LoraGradProduct | `tfjs_${LoraGradProduct}` | LoraGradVariant, number>;
  /** Ours / tfjs on the same product; above 1, ours is faster. */
  ratio: Record<LoraGradProduct | LoraGradVariant, number>;
}
type LoraGradProduct = 'rankCols' | 'rankRows' | 'weightRows' | 'weightCols';
/** The weight pass's other choices: naive, and dy^T @ low with a GPU's ranges. */
type LoraGradVariant = 'weightRowsNaive' | 'weightColsNaive' | 'weightColsGpuSplit';

/** s dy @ b and xl @ a^T ([M, r]), t^T @ xl ([r, D]) and dy^T @ low ([D, r]) on u [M, D]. */
async function measureLoraGrad(m: number, d: number): Promise<LoraGradResult> {
  const r = RANK;
  const u = tf.randomUniform([m, d], -1, 1) as tf.Tensor2D; // dy or xl
  const p = tf.randomUniform([m, r], -1, 1) as tf.Tensor2D; // t or low
  const a = tf.randomUniform([r, d], -0.1, 0.1) as tf.Tensor2D; // [r, D]
  const b = tf.randomUniform([d, r], -0.1, 0.1) as tf.Tensor2D; // [D, r]
  const variant = kernelVariant();
  const gpuRanges = weightGradRanges(m, r, d, FILL_THREADS.gpu);
  const naive = (f: () => tf.Tensor) => () => {
    setKernelVariant('naive');
    try {
      return f();
    } finally {
      setKernelVariant(variant);
    }
  };
  const sec = await timeCalls(
    {
      rankCols: () => loraRankProduct(u, b, 'cols', LORA_SCALING),
      tfjs_rankCols: () => tf.matMul(u, b),
      rankRows: () => loraRankProduct(u, a, 'rows'),
      tfjs_rankRows: () => tf.matMul(u, a, false, true),
      weightRows: () => loraWeightGrad(p, u, 'rows'),
      weightRowsNaive: naive(() => loraWeightGrad(p, u, 'rows')),
      tfjs_weightRows: () => tf.matMul(p, u, true, false),
      weightCols: () => loraWeightGrad(p, u, 'cols', LORA_SCALING),
      weightColsNaive: naive(() => loraWeightGrad(p, u, 'cols', LORA_SCALING)),
      weightColsGpuSplit: () => loraWeightGrad(p, u, 'cols', LORA_SCALING, gpuRanges),
      tfjs_weightCols: () => tf.matMul(u, p, true, false),
    },
    false,
  );
  tf.dispose([u, p, a, b]);
  const flops = 2 * m * d * r;
  const gflops = Object.fromEntries(Object.entries(sec).map(([name, s]) => [name, flops / s / 1e9])) as LoraGradResult['gflops'];
  const ratio = {
    rankCols: gflops.rankCols / gflops.tfjs_rankCols,
    rankRows: gflops.rankRows / gflops.tfjs_rankRows,
    weightRows: gflops.weightRows / gflops.tfjs_weightRows,
    weightCols: gflops.weightCols / gflops.tfjs_weightCols,
    weightRowsNaive: gflops.weightRowsNaive / gflops.tfjs_weightRows,
    weightColsNaive: gflops.weightColsNaive / gflops.tfjs_weightCols,
    weightColsGpuSplit: gflops.weightColsGpuSplit / gflops.tfjs_weightCols,
  };
  return { m, d, r, ranges: weightGradRanges(m, r, d), gpuRanges, gflops, ratio };
}

/** A fused row-wise kernel of ours against tfjs's op sequence on one input shape. */
interface FusionResult {
  shape: number[];
  msPerCall: Record<'fused' | 'tfjs' | 'fusedForwardBackward' | 'tfjsForwardBackward', number>;
  /** tfjs time / our time: above 1, ours is faster. */
  speedup: { forward: number; forwardBackward: number };
}

/** `ours` and `theirs` (same function of x) on x: forward, and forward + backward for x with a random dy. */
async function measureFusion(x: tf.Tensor, ours: (v: tf.Tensor) => tf.Tensor, theirs: (v: tf.Tensor) => tf.Tensor): Promise<FusionResult> {
  const dy = tf.randomNormal(x.shape);
  const sec = await timeCalls(
    {
      fused: () => ours(x),
      tfjs: () => tf.tidy(() => theirs(x)),
      fusedForwardBackward: () => tf.tidy(() => tf.grad(ours)(x, dy)),
      tfjsForwardBackward: () => tf.tidy(() => tf.grad(theirs)(x, dy)),
    },
    false,
  );
  dy.dispose();
  const msPerCall = Object.fromEntries(Object.entries(sec).map(([k, s]) => [k, s * 1000])) as FusionResult['msPerCall'];
  return { shape: x.shape, msPerCall, speedup: { forward: sec.tfjs / sec.fused, forwardBackward: sec.tfjsForwardBackward / sec.fusedForwardBackward } };
}

/** LayerNorm over x [m, h]: src/kernels/layerNorm vs layerNormWithOps. */
async function measureLayerNorm(m: number, h: number): Promise<FusionResult> {
  const x = tf.randomNormal([m, h]);
  const norm = { gamma: tf.randomNormal([h]) as tf.Tensor1D, beta: tf.randomNormal([h]) as tf.Tensor1D };
  const r = await measureFusion(x, (v) => layerNormFused(v, norm.gamma, norm.beta, LN_EPS), (v) => layerNormWithOps(v, norm, LN_EPS));
  tf.dispose([x, norm.gamma, norm.beta]);
  return r;
}

/** Attention probabilities on scores [batch, HEADS, seq, seq], the last quarter of keys padded. */
async function measureSoftmax(batch: number, seq: number): Promise<FusionResult> {
  const x = tf.randomNormal([batch, HEADS, seq, seq]);
  const mask = tf.tidy(() => tf.mul(tf.cast(tf.greaterEqual(tf.range(0, seq), Math.ceil((3 * seq) / 4)), 'float32').tile([batch]).reshape([batch, seq]), F32_MIN)) as tf.Tensor2D;
  const scale = 1 / Math.sqrt(HIDDEN / HEADS);
  const r = await measureFusion(x, (v) => maskedSoftmax(v as tf.Tensor4D, mask, scale), (v) => attentionProbsWithOps(v as tf.Tensor4D, mask, scale));
  tf.dispose([x, mask]);
  return r;
}

function fusionLine(label: string, r: FusionResult): string {
  const t = r.msPerCall;
  return (
    `${label}: forward ${t.fused.toFixed(2)} ms fused vs ${t.tfjs.toFixed(2)} ms tfjs (${r.speedup.forward.toFixed(2)}x); ` +
    `forward + backward ${t.fusedForwardBackward.toFixed(2)} vs ${t.tfjsForwardBackward.toFixed(2)} ms (${r.speedup.forwardBackward.toFixed(2)}x)`
  );
}

/** Bytes of every weight tensor of the encoder on the GPU (f32 and packed int32 words are 4 bytes each). */
function residentBytes(ckpt: Checkpoint, keepInt8: boolean): number {
  const weights = BertWeights.fromCheckpoint(ckpt, { keepInt8 });
  const bytes = weights.tensors().reduce((sum, t) => sum + t.size * 4, 0);
  weights.dispose();
  return bytes;
}

/** Median ms of a LoRA training step (default config) with the kernels on or off. */
async function trainStepMs(ckpt: Checkpoint, batch: EncodedBatch, kernels: boolean, steps: number): Promise<number> {
  setKernelsEnabled(kernels);
  const weights = BertWeights.fromCheckpoint(ckpt); // int8-kept exactly when the kernels are on
  const delta = createDelta(ckpt.config, PEFT_METHODS.lora.defaults, 1);
  const classifier = new PeftClassifier(weights, ckpt.pooling, delta, LinearHead.random(ckpt.config.hiddenSize, 2, 2));
  const variables = classifier.trainableVariables();
  const optimizer = new AdamW(variables);
  const labels = Int32Array.from({ length: batch.batch }, (_, i) => i % 2);
  const step = async () => {
    const t0 = performance.now();
    const loss = tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => classifier.loss(batch, labels, { training: true, seed: 1 }), variables);
      optimizer.step(new Map(variables.map((v) => [v, grads[v.name]])), 1e-3);
      return value;
    });
    await loss.data();
    loss.dispose();
    return performance.now() - t0;
  };
  try {
    await step(); // warm-up: compilation, optimizer state
    const times: number[] = [];
    for (let i = 0; i < steps; i++) times.push(await step());
    times.sort((p, q) => p - q);
    return times[Math.floor(times.length / 2)];
  } finally {
    optimizer.dispose();
    classifier.dispose();
    weights.dispose();
    setKernelsEnabled(true);
  }
}

export async function run(args: string[]) {
  const choice = await initNodeBackend('webgpu');
  if (choice.backend !== 'webgpu') throw new Error(`webgpu did not start: ${choice.fallbackReason}`);
  const variant = (flag(args, '--variant') ?? 'auto') as KernelSelection;
  setKernelVariant(variant);
  const adapter = choice.adapter;
  const software = adapter?.isFallbackAdapter ?? true;
  console.log(`device: ${adapter?.vendor} ${adapter?.architecture} ${adapter?.description} (fallback adapter: ${software}); variant ${kernelVariant()}`);

  const shapes: ShapeResult[] = [];
  // GPU time where the device can tell it (timestamp-query), 20 calls per figure (2 on a fallback adapter).
  const timestamps = (tf.backend() as unknown as { device: GPUDevice }).device.features.has('timestamp-query');
  const gpuReps = args.includes('--no-gpu-time') || !timestamps ? 0 : software ? 2 : 20;
  const rows = flag(args, '--rows')?.split(',').map(Number) ?? ROWS;
  for (const m of args.includes('--no-matmul') ? [] : rows) {
    for (const [k, n] of KN) {
      const r = await measureShape(m, k, n, software && m >= 2048, gpuReps);
      shapes.push(r);
      const g = r.gflops;
      if (r.gpu) {
        const [u, q] = [r.gpu.us, r.gpu.ratio];
        console.log(
          `  GPU time: int8Matmul ${u.int8Matmul.toFixed(1)} us vs tfjs ${u.tfjsMatMul.toFixed(1)} (${q.int8Matmul.toFixed(2)}x); gradX ${u.int8MatmulGradX.toFixed(1)} vs ` +
            `${u.tfjsMatMulTransposed.toFixed(1)} (${q.int8MatmulGradX.toFixed(2)}x); loraFused ${u.loraFused.toFixed(1)} (${q.loraFused.toFixed(2)}x matMul, ${q.loraFusedVsTfjsLora.toFixed(2)}x tfjs LoRA ${u.tfjsLora.toFixed(1)})`,
        );
      }
      console.log(
        `M=${m} K=${k} N=${n}: int8Matmul ${g.int8Matmul.toFixed(2)} vs tfjs matMul ${g.tfjsMatMul.toFixed(2)} GFLOP/s (${r.ratio.int8Matmul.toFixed(2)}x); ` +
          `gradX ${g.int8MatmulGradX.toFixed(2)} vs ${g.tfjsMatMulTransposed.toFixed(2)} (${r.ratio.int8MatmulGradX.toFixed(2)}x); ` +
          `loraFused ${g.loraFused.toFixed(2)} (${r.ratio.loraFused.toFixed(2)}x matMul, ${r.ratio.loraFusedVsTfjsLora.toFixed(2)}x tfjs LoRA)`,
      );
    }
  }

  const loraGrad: LoraGradResult[] = [];
  for (const m of args.includes('--no-lora-grad') ? [] : rows) {
    for (const d of LORA_GRAD_WIDTHS) {
      const res = await measureLoraGrad(m, d);
      loraGrad.push(res);
      const [g, q] = [res.gflops, res.ratio];
      const pair = (k: LoraGradProduct) => `${g[k].toFixed(3)} vs ${g[`tfjs_${k}`].toFixed(3)} (${q[k].toFixed(2)}x)`;
      console.log(
        `LoRA grad M=${m} D=${d} r=${res.r}: s dy@b ${pair('rankCols')}; xl@a^T ${pair('rankRows')}; ` +
          `t^T@xl ${pair('weightRows')} [naive ${q.weightRowsNaive.toFixed(2)}x]; dy^T@low ${pair('weightCols')} [naive ${q.weightColsNaive.toFixed(2)}x, ` +
          `${res.gpuRanges} ranges ${q.weightColsGpuSplit.toFixed(2)}x]; ${res.ranges} range(s) here`,
      );
    }
  }

  const layerNorm: FusionResult[] = [];
  for (const m of args.includes('--no-rowwise') ? [] : ROWS) {
    layerNorm.push(await measureLayerNorm(m, HIDDEN));
    console.log(fusionLine(`LayerNorm M=${m} H=${HIDDEN}`, layerNorm[layerNorm.length - 1]));
  }
  const softmax: FusionResult[] = [];
  for (const [batch, seq] of args.includes('--no-rowwise') ? [] : ATTENTION) {
    softmax.push(await measureSoftmax(batch, seq));
    console.log(fusionLine(`attention softmax M=${batch * seq} (${batch} x ${seq}, ${HEADS} heads)`, softmax[softmax.length - 1]));
  }

  const ckpt = await loadBundled();
  const int8Bytes = residentBytes(ckpt, true);
  const f32Bytes = residentBytes(ckpt, false);
  console.log(`encoder weights on the GPU: ${(int8Bytes / 1e6).toFixed(1)} MB int8-kept vs ${(f32Bytes / 1e6).toFixed(1)} MB f32 (${((100 * int8Bytes) / f32Bytes).toFixed(1)}%)`);

  type TrainResult = { batch: number; tokens: number; steps: number; msKernelsOn: number; msKernelsOff: number; speedup: number };
  let train: TrainResult | undefined;
  /** On a real GPU, also the studio's usual batch (8 texts of up to 32 tokens: 256 rows, where 'auto' runs skinny). */
  let trainSmall: TrainResult | undefined;
  if (!args.includes('--no-train')) {
    const steps = software ? 1 : 5;
    const sizes: Array<[number, number]> = [[Number(flag(args, '--train-batch') ?? (software ? 1 : 16)), Number(flag(args, '--train-tokens') ?? (software ? 16 : 64))]];
    if (!software && !flag(args, '--train-batch')) sizes.push([8, 32]);
    const results: TrainResult[] = [];
    for (const [batchSize, tokens] of sizes) {
      const batch = fixedBatch(WordPieceTokenizer.fromJSON(ckpt.tokenizerJson), batchSize, tokens);
      const on = await trainStepMs(ckpt, batch, true, steps);
      console.log(`LoRA training step (${batchSize} x ${tokens} tokens), kernels on: ${on.toFixed(0)} ms`);
      const off = await trainStepMs(ckpt, batch, false, steps);
      console.log(`LoRA training step (${batchSize} x ${tokens} tokens), kernels off: ${off.toFixed(0)} ms (${(off / on).toFixed(2)}x)`);
      results.push({ batch: batchSize, tokens, steps, msKernelsOn: on, msKernelsOff: off, speedup: off / on });
    }
    [train, trainSmall] = results;
  }

  const worst = (key: ShapeRatio) => Math.min(...shapes.map((s) => s.ratio[key]));
  const worstGpu = (key: ShapeRatio, maxRows = Infinity) => Math.min(...shapes.filter((s) => s.gpu && s.m <= maxRows).map((s) => s.gpu!.ratio[key]));
  const worstLoraGrad = (key: keyof LoraGradResult['ratio']) => Math.min(...loraGrad.map((s) => s.ratio[key]));
  const slowest = (rs: FusionResult[], key: keyof FusionResult['speedup']) => Math.min(...rs.map((r) => r.speedup[key]));
  return {
    bench: 'kernels',
    device: adapter,
    variant,
    shapes,
    minRatio: {
      int8Matmul: worst('int8Matmul'),
      int8MatmulGradX: worst('int8MatmulGradX'),
      loraFused: worst('loraFused'),
      loraFusedVsTfjsLora: worst('loraFusedVsTfjsLora'),
      loraRankProduct: Math.min(worstLoraGrad('rankCols'), worstLoraGrad('rankRows')),
      loraWeightGrad: Math.min(worstLoraGrad('weightRows'), worstLoraGrad('weightCols')),
      layerNormForward: slowest(layerNorm, 'forward'),
      layerNormForwardBackward: slowest(layerNorm, 'forwardBackward'),
      softmaxForward: slowest(softmax, 'forward'),
      softmaxForwardBackward: slowest(softmax, 'forwardBackward'),
    },
    minRatioGpuTime: gpuReps
      ? {
          int8Matmul: worstGpu('int8Matmul'),
          int8MatmulGradX: worstGpu('int8MatmulGradX'),
          loraFused: worstGpu('loraFused'),
          loraFusedVsTfjsLora: worstGpu('loraFusedVsTfjsLora'),
          upTo512Rows: { int8Matmul: worstGpu('int8Matmul', 512), int8MatmulGradX: worstGpu('int8MatmulGradX', 512), loraFused: worstGpu('loraFused', 512) },
        }
      : undefined,
    loraGrad,
    layerNorm,
    softmax,
    weightBytes: { int8Kept: int8Bytes, f32: f32Bytes, fraction: int8Bytes / f32Bytes },
    train,
    trainSmall,
    tfjs: tf.version.tfjs,
    node: process.version,
  };
}
