/**
 * `npm run bench -- sweep [--json] [--rows 16,512,2048] [--reps 20] [--every 1] [--no-staged]`
 *
 * Chooses the skinny and staged variants' workgroups: for every encoder shape (M rows x (K, N), as in the kernels
 * benchmark), the GPU time of int8Matmul, int8MatmulGradX and loraFused under every workgroup of SPLIT_GRID and of
 * STAGED_GRID (loraFused: those of them that take its rank), next to the 'tiled' and 'vec4' variants and tfjs's
 * matMul on the same shapes (weights dequantised to f32), all measured in the same run.
 *
 * GPU time is what the device's timestamps say a program took (tf.time's kernelMs: tfjs gives every program, ours
 * too, a compute pass of its own with timestamps at its start and end), so the CPU's cost of recording a call,
 * which dominates small shapes in wall-clock time, is left out of every figure alike. Run with
 * TABTUNE_DAWN_FLAGS=disable-dawn-features=timestamp_quantization: by default Dawn rounds timestamps to 4.1 us,
 * coarser than a small matmul. Each figure is the smaller of two means over `reps` calls, after a warm-up call,
 * each trial queued behind ~5 ms of other work so that the GPU runs at its working clock (busyGpu).
 * Without timestamp-query (or on a fallback adapter, where the sweep takes hours) it refuses to run.
 *
 * Every workgroup's output is first compared with the f32 result computed by tfjs on the same device. A workgroup
 * that differs is listed under `wrong` and cannot be chosen: the unit tests cover the grid on SwiftShader only,
 * and the sweep is what runs on the GPU whose bands it chooses.
 */
import * as tf from '@tensorflow/tfjs';
import {
  forceInt8MatmulGradXSplit,
  forceInt8MatmulSplit,
  forceLoraFusedSplit,
  int8Matmul,
  int8MatmulGradX,
  loraFused,
  int8Weight,
  setKernelVariant,
  type KernelVariant,
  type SplitShape,
} from '../../src/kernels';
import { onFallbackAdapter } from '../../src/kernels/bridge';
import { SPLIT_GRID, STAGED_GRID, type StagedShape } from '../../src/kernels/flags';
import { forceInt8MatmulStaged } from '../../src/kernels/int8Matmul/int8Matmul';
import { forceInt8MatmulGradXStaged } from '../../src/kernels/int8MatmulGradX/int8MatmulGradX';
import { forceLoraFusedStaged, LORA_STAGED_GRID, MAX_RANKS_PER_THREAD } from '../../src/kernels/loraFused/loraFused';
import { initNodeBackend } from '../../src/runtime/nodeBackends';
import { flag } from './common';

const ROWS = [16, 512, 2048];
/** LoRA's rank in the loraFused sweep (the registry's default). */
const RANK = 8;
const KN: Array<[number, number]> = [
  [384, 384],
  [384, 1536],
  [1536, 384],
];

let load: { a: tf.Tensor2D; run: () => void } | undefined;

/**
 * Keeps a real GPU at its working clock: a GPU that sat idle runs the next small program several times slower (on an
 * H100, one matmul measured 20 us and 88 us minutes apart). Queues ~5 ms of tfjs matmuls, not waited for, so that the
 * timed calls recorded next run behind it, back to back on a busy GPU. Nothing on a fallback adapter.
 */
function busyGpu(): void {
  if (onFallbackAdapter()) return;
  load ??= (() => {
    const a = tf.randomUniform([2048, 2048], -1, 1) as tf.Tensor2D;
    return { a, run: () => tf.tidy(() => void tf.matMul(tf.matMul(tf.matMul(a, a), a), a).dataId) };
  })();
  load.run();
}

/**
 * Microseconds of GPU time per call: the smaller of two means over `reps` calls, after one warm-up call, each
 * trial queued behind a load that keeps the GPU's clock up (busyGpu).
 */
export async function gpuMicros(call: () => tf.Tensor, reps: number): Promise<number> {
  call().dispose();
  let best = Infinity;
  for (let trial = 0; trial < 2; trial++) {
    busyGpu();
    const t = await tf.time(() => {
      for (let i = 0; i < reps; i++) call().dispose();
    });
    best = Math.min(best, (t.kernelMs as number) * 1000 / reps);
  }
  return best;
}

/**
 * gpuMicros for several calls, interleaved: `trials` rounds, each timing every call (one warm-up call each first);
 * each call's figure is its smallest mean. A slow moment of the GPU then hits one round of every call, not one call.
 */
export async function gpuMicrosInterleaved<K extends string>(calls: Record<K, () => tf.Tensor>, reps: number, trials = 3): Promise<Record<K, number>> {
  const names = Object.keys(calls) as K[];
  const best = Object.fromEntries(names.map((n) => [n, Infinity])) as Record<K, number>;
  for (const n of names) calls[n]().dispose();
  for (let trial = 0; trial < trials; trial++) {
    for (const n of names) {
      busyGpu();
      const t = await tf.time(() => {
        for (let i = 0; i < reps; i++) calls[n]().dispose();
      });
      best[n] = Math.min(best[n], ((t.kernelMs as number) * 1000) / reps);
    }
  }
  return best;
}

const key = (s: SplitShape) => `${s.split}/${s.cols}/${s.rowGroups}x${s.rowsPerThread}`;
const stagedKey = (s: StagedShape) => `${s.cols}/${s.rowGroups}x${s.rowsPerThread}/${s.split}/${s.chunk}`;

/** One variant's workgroups on one shape: the best, every time, and those whose output was wrong (never chosen). */
interface GridSweep<S> {
  best: { shape: S; us: number };
  /** tfjs's time / the best time: above 1, ours is faster. */
  ratio: number;
  all: Record<string, number>;
  wrong: Record<string, number>;
}

interface KernelSweep {
  tfjsUs: number;
  tiledUs: number;
  vec4Us: number;
  best: { shape: SplitShape; us: number };
  /** tfjs's time / the best skinny time: above 1, ours is faster. */
  ratio: number;
  /** Every workgroup's time, keyed split/cols/rowGroups x rowsPerThread. */
  all: Record<string, number>;
  /** Workgroups whose output differed from the f32 reference (key: worst relative difference); never chosen. */
  wrong: Record<string, number>;
  /** The staged variant's workgroups, keyed cols/rowGroups x rowsPerThread/split/chunk (int8 matmuls only). */
  staged?: GridSweep<StagedShape>;
}

/**
 * Largest |a - b| over the largest |b| a workgroup may show. Accumulation order alone gave 0.5e-6 to 1.8e-6 on
 * SwiftShader at the encoder's shapes; a wrong index moves whole outputs.
 */
export const SWEEP_TOLERANCE = 1e-4;

/** max |actual - expected| / max |expected|, read back from the device. */
async function relativeError(actual: tf.Tensor, expected: tf.Tensor): Promise<number> {
  const [diff, scale] = tf.tidy(() => [tf.max(tf.abs(tf.sub(actual, expected))), tf.max(tf.abs(expected))]);
  const [d, s] = [(await diff.data())[0], (await scale.data())[0]];
  tf.dispose([actual, diff, scale]);
  return d / Math.max(s, Number.MIN_VALUE);
}

/** Every workgroup of `grid` under `variant`: checked against `expected` first, then timed. */
async function sweepGrid<S>(
  variant: KernelVariant,
  run: () => tf.Tensor,
  expected: tf.Tensor,
  force: (s: S | null) => void,
  name: (s: S) => string,
  grid: readonly S[],
  reps: number,
  tfjsUs: number,
): Promise<GridSweep<S>> {
  const all: Record<string, number> = {};
  const wrong: Record<string, number> = {};
  let best = { shape: grid[0], us: Infinity };
  setKernelVariant(variant);
  for (const shape of grid) {
    force(shape);
    const error = await relativeError(run(), expected);
    if (!(error <= SWEEP_TOLERANCE)) {
      wrong[name(shape)] = error;
      continue;
    }
    const us = await gpuMicros(run, reps);
    all[name(shape)] = us;
    if (us < best.us) best = { shape, us };
  }
  force(null);
  setKernelVariant('auto');
  return { best, ratio: tfjsUs / best.us, all, wrong };
}

async function sweepKernel(
  run: () => tf.Tensor,
  tfjs: () => tf.Tensor,
  expected: tf.Tensor,
  force: (s: SplitShape | null) => void,
  reps: number,
  grid: readonly SplitShape[],
  staged?: { force: (s: StagedShape | null) => void; grid: readonly StagedShape[] },
): Promise<KernelSweep> {
  const timed = async (variant: KernelVariant) => {
    setKernelVariant(variant);
    const us = await gpuMicros(run, reps);
    setKernelVariant('auto');
    return us;
  };
  const tfjsUs = await gpuMicros(tfjs, reps);
  const tiledUs = await timed('tiled');
  const vec4Us = await timed('vec4');
  const skinny = await sweepGrid('skinny', run, expected, force, key, grid, reps, tfjsUs);
  const stagedSweep = staged && staged.grid.length > 0 ? await sweepGrid('staged', run, expected, staged.force, stagedKey, staged.grid, reps, tfjsUs) : undefined;
  return { tfjsUs, tiledUs, vec4Us, ...skinny, ...(stagedSweep ? { staged: stagedSweep } : {}) };
}

export async function run(args: string[]) {
  const choice = await initNodeBackend('webgpu');
  if (choice.backend !== 'webgpu') throw new Error(`webgpu did not start: ${choice.fallbackReason}`);
  const adapter = choice.adapter;
  const device = (tf.backend() as unknown as { device: GPUDevice }).device;
  if (!device.features.has('timestamp-query')) throw new Error('the sweep needs timestamp-query (GPU time)');
  if (adapter?.isFallbackAdapter && !args.includes('--force')) throw new Error('a fallback adapter would take hours; --force to run anyway');
  const reps = Number(flag(args, '--reps') ?? 20);
  const rows = flag(args, '--rows')?.split(',').map(Number) ?? ROWS;
  // --every n: every n-th workgroup of the grid only (a quick look). --max-rows-per-thread (default 2: 4 never
  // won on an H100).
  const every = Number(flag(args, '--every') ?? 1);
  const maxRowsPerThread = Number(flag(args, '--max-rows-per-thread') ?? 2);
  const grid = SPLIT_GRID.filter((g, i) => i % every === 0 && g.rowsPerThread <= maxRowsPerThread);
  const loraGrid = grid.filter((g) => Math.ceil(RANK / g.cols) <= MAX_RANKS_PER_THREAD);
  const stagedGrid = args.includes('--no-staged') ? [] : STAGED_GRID.filter((_, i) => i % every === 0);
  const loraStagedGrid = stagedGrid.filter((s) => LORA_STAGED_GRID.includes(s));
  console.log(`device: ${adapter?.vendor} ${adapter?.architecture} ${adapter?.description}; ${grid.length} skinny and ${stagedGrid.length} staged workgroups per kernel and shape`);

  const results = [];
  for (const m of rows) {
    for (const [k, n] of KN) {
      const q = Int8Array.from({ length: n * k }, (_, i) => ((i * 2654435761) % 255) - 127);
      const scale = new Float32Array(n).fill(0.01);
      const w = int8Weight(q, scale, n, k);
      const wf = tf.tidy(() => tf.transpose(tf.mul(tf.tensor2d(Float32Array.from(q), [n, k]), tf.reshape(tf.tensor1d(scale), [n, 1])))) as tf.Tensor2D;
      const x = tf.randomUniform([m, k], -1, 1) as tf.Tensor2D;
      const dy = tf.randomUniform([m, n], -1, 1) as tf.Tensor2D;
      const bias = tf.zeros([n]) as tf.Tensor1D;
      const a = tf.randomUniform([RANK, k], -0.1, 0.1) as tf.Tensor2D;
      const b = tf.randomUniform([n, RANK], -0.1, 0.1) as tf.Tensor2D;
      // The f32 results every workgroup is held to (bias is zero).
      const expected = tf.tidy(() => {
        const y = tf.matMul(x, wf);
        return { y, dx: tf.matMul(dy, wf, false, true), lora: tf.add(y, tf.mul(2, tf.matMul(tf.matMul(x, a, false, true), b, false, true))) };
      });
      const forward = await sweepKernel(() => int8Matmul(x, w, bias), () => tf.matMul(x, wf), expected.y, forceInt8MatmulSplit, reps, grid, {
        force: forceInt8MatmulStaged,
        grid: stagedGrid,
      });
      const gradX = await sweepKernel(() => int8MatmulGradX(dy, w), () => tf.matMul(dy, wf, false, true), expected.dx, forceInt8MatmulGradXSplit, reps, grid, {
        force: forceInt8MatmulGradXStaged,
        grid: stagedGrid,
      });
      const lora = await sweepKernel(() => loraFused(x, x, w, bias, a, b, 2), () => tf.matMul(x, wf), expected.lora, forceLoraFusedSplit, reps, loraGrid, {
        force: forceLoraFusedStaged,
        grid: loraStagedGrid,
      });
      tf.dispose([w.q, w.scale, wf, x, dy, bias, a, b, ...Object.values(expected)]);
      for (const [name, r] of [['int8Matmul', forward], ['int8MatmulGradX', gradX], ['loraFused', lora]] as const) {
        console.log(
          `M=${m} K=${k} N=${n} ${name}: tfjs ${r.tfjsUs.toFixed(1)} us, tiled ${r.tiledUs.toFixed(1)}, vec4 ${r.vec4Us.toFixed(1)}, ` +
            `skinny best ${r.best.us.toFixed(1)} (${key(r.best.shape)}): ${r.ratio.toFixed(2)}x tfjs` +
            (r.staged ? `, staged best ${r.staged.best.us.toFixed(1)} (${stagedKey(r.staged.best.shape)}): ${r.staged.ratio.toFixed(2)}x tfjs` : '') +
            (Object.keys(r.wrong).length ? `; WRONG on this device: ${Object.keys(r.wrong).join(' ')}` : '') +
            (r.staged && Object.keys(r.staged.wrong).length ? `; staged WRONG on this device: ${Object.keys(r.staged.wrong).join(' ')}` : ''),
        );
      }
      results.push({ m, k, n, int8Matmul: forward, int8MatmulGradX: gradX, loraFused: lora });
    }
  }
  return { bench: 'sweep', device: adapter, reps, grid: grid.length, results, tfjs: tf.version.tfjs, node: process.version };
}
