/**
 * The kernels' knobs, declared once. Both are process-wide switches for tests and benchmarks; the studio
 * never changes them.
 */
import { onFallbackAdapter, onWebGpu } from './bridge';

/** The variants every kernel has side by side: 'naive' is the readable one, 'tiled' the fast one. */
export const COMMON_VARIANTS = ['naive', 'tiled'] as const;
export type CommonVariant = (typeof COMMON_VARIANTS)[number];
/**
 * Every selectable variant. 'vec4' (register blocks, vec4 and whole-word loads), 'skinny' (the reduction split
 * across the threads of a workgroup, for short inputs) and 'staged' (the weights unpacked once per workgroup into
 * workgroup memory, register blocks of up to 8 rows) are laid out for real GPUs and exist for the int8 matmuls
 * (int8Matmul, int8MatmulGradX; loraFused has 'skinny' and 'staged' too); every other kernel runs 'tiled' under them.
 */
export const KERNEL_VARIANTS = [...COMMON_VARIANTS, 'vec4', 'skinny', 'staged'] as const;
export type KernelVariant = (typeof KERNEL_VARIANTS)[number];

/** The fewest rows the vec4 variant takes: one register block of rows (fewer run 'tiled'). */
export const VEC4_MIN_ROWS = 4;

/**
 * What can be selected: a variant, or 'auto' (the default): the variant chosen by device and shape (autoVariant).
 */
export type KernelSelection = KernelVariant | 'auto';

/** The most rows the skinny variant takes under 'auto'; beyond, tiles win on an H100 (BENCHMARKS.md, issue 6). */
export const SKINNY_MAX_ROWS = 512;

let variant: KernelSelection = 'auto';
let enabled = true;

/** Which variant every kernel dispatches (default 'auto'; tile and workgroup sizes are then chosen by shape). */
export function setKernelVariant(v: KernelSelection): void {
  if (v !== 'auto' && !KERNEL_VARIANTS.includes(v)) {
    throw new Error(`Unknown kernel variant "${String(v)}": expected auto or one of ${KERNEL_VARIANTS.join(', ')}.`);
  }
  variant = v;
}

export function kernelVariant(): KernelSelection {
  return variant;
}

/** The variant of a kernel without 'vec4', 'skinny' or 'staged': the one selected, with those (and 'auto') read as 'tiled'. */
export function commonVariant(): CommonVariant {
  return variant === 'naive' ? 'naive' : 'tiled';
}

/** The three int8 matmul kernels, which 'auto' treats apart. */
export type Int8Kernel = 'int8Matmul' | 'int8MatmulGradX' | 'loraFused';

/**
 * 'auto' for an int8 matmul of M rows: on a fallback adapter (SwiftShader, a CPU), 'tiled', which was tuned there;
 * on a real GPU, 'skinny' up to SKINNY_MAX_ROWS rows, then 'vec4' for the input gradient and 'tiled' for the others
 * (the fastest of ours at M = 2048 on an H100; BENCHMARKS.md).
 */
export function autoVariant(kernel: Int8Kernel, m: number, realGpu: boolean): KernelVariant {
  if (!realGpu) return 'tiled';
  if (m <= SKINNY_MAX_ROWS) return 'skinny';
  return kernel === 'int8MatmulGradX' ? 'vec4' : 'tiled';
}

/**
 * The variant an int8 matmul runs for x [M, K] against a weight [N, K] (or its gradient, dy [M, N]): the one selected
 * (under 'auto', autoVariant's for this kernel on this device), except that 'vec4', 'skinny' and 'staged' need K and
 * N in whole vec4s ('vec4' also at least VEC4_MIN_ROWS rows), and fall back to 'tiled' otherwise.
 */
export function int8MatmulVariant(m: number, k: number, n: number, kernel: Int8Kernel = 'int8Matmul'): KernelVariant {
  const v = variant === 'auto' ? autoVariant(kernel, m, !onFallbackAdapter()) : variant;
  if (v !== 'vec4' && v !== 'skinny' && v !== 'staged') return v;
  if (k % 4 !== 0 || n % 4 !== 0) return 'tiled';
  return v === 'vec4' && m < VEC4_MIN_ROWS ? 'tiled' : v;
}

/**
 * The skinny variant's workgroup: `split` threads share one reduction (K for int8Matmul, N for its gradient; a
 * power of two), `cols` column quads (words, for the gradient) and `rowGroups` x `rowsPerThread` rows per workgroup.
 */
export interface SplitShape {
  split: number;
  cols: number;
  rowGroups: number;
  rowsPerThread: number;
}

/** Turns our kernels on (default) or off; off, the webgpu backend runs tfjs's own ops like every other backend. */
export function setKernelsEnabled(on: boolean): void {
  enabled = on;
}

/** True when the encoder and LoRA should route through our kernels: enabled and on the webgpu backend. */
export function kernelsActive(): boolean {
  return enabled && onWebGpu();
}

/**
 * Every skinny workgroup the benchmark's sweep tries (and a test checks against the reference): `split` 1 to 32
 * threads per reduction, 1 to 32 column quads, 1 to 8 row groups of 1, 2 or 4 rows, 64, 128 or 256 threads in all.
 */
export const SPLIT_GRID: readonly SplitShape[] = (() => {
  const grid: SplitShape[] = [];
  for (const split of [1, 2, 4, 8, 16, 32])
    for (const cols of [1, 2, 4, 8, 16, 32])
      for (const rowGroups of [1, 2, 4, 8])
        for (const rowsPerThread of [1, 2, 4]) {
          if ([64, 128, 256].includes(split * cols * rowGroups)) grid.push({ split, cols, rowGroups, rowsPerThread });
        }
  return grid;
})();

/** A table of skinny workgroups by rows: the first band whose `upTo` is at least M applies (the last, beyond). */
export type SplitBands = ReadonlyArray<{ upTo: number; shape: SplitShape }>;

export function splitForRows(bands: SplitBands, m: number): SplitShape {
  return (bands.find((b) => m <= b.upTo) ?? bands[bands.length - 1]).shape;
}

/**
 * The staged variant's workgroup (int8Matmul.wgsl): `cols` column quads (words of dx, for the gradient) x
 * `rowGroups` x `rowsPerThread` rows; `split` threads share each block's reduction (1, 2 or 4) and a chunk of the
 * reduction is `chunk` words (quads of n, for the gradient).
 */
export interface StagedShape {
  cols: number;
  rowGroups: number;
  rowsPerThread: number;
  split: number;
  chunk: number;
}

/** WebGPU's default limits, which every adapter grants: a staged workgroup must fit them. */
const WORKGROUP_BYTES = 16384;
const WORKGROUP_THREADS = 256;

/** Workgroup memory of a staged workgroup: the chunk of x (or dy), the unpacked weights, the hand-over of sums. */
function stagedBytes(s: StagedShape): number {
  const vec4s = s.rowGroups * s.rowsPerThread * s.chunk + 4 * s.chunk * s.cols + s.cols * s.rowGroups * (s.split - 1) + 1;
  return 16 * vec4s;
}

/**
 * Whether loraFused's staged workgroup fits WebGPU's default workgroup memory for rank r: int8Matmul's, plus the
 * chunk of a, xl's chunk unless xl is x, and every share of K's partial sums of the rank-r product.
 */
export function loraStagedFits(s: StagedShape, r: number, sameInput: boolean): boolean {
  const rows = s.rowGroups * s.rowsPerThread;
  const vec4s = (sameInput ? 0 : rows * s.chunk) + 1 + r * s.chunk;
  return stagedBytes(s) + 16 * vec4s + 4 * s.split * rows * r <= WORKGROUP_BYTES;
}

/**
 * A workgroup a staged variant may be forced to (null: none): only STAGED_GRID's, which the tests cover; another could
 * overrun the shaders' fixed register arrays (MAX_SM rows per thread) or WebGPU's limits.
 */
export function checkStagedShape(shape: StagedShape | null, kernel: string): StagedShape | null {
  const same = (g: StagedShape) => (Object.keys(g) as Array<keyof StagedShape>).every((key) => g[key] === shape?.[key]);
  if (shape !== null && !STAGED_GRID.some(same)) throw new Error(`${kernel}: ${JSON.stringify(shape)} is not one of STAGED_GRID's workgroups.`);
  return shape;
}

/** The staged workgroup used where none is forced: tfjs's 32 x 32 tile and K chunk, the weights staged as f32. */
export const STAGED_DEFAULT: StagedShape = Object.freeze({ cols: 8, rowGroups: 8, rowsPerThread: 4, split: 1, chunk: 8 });

/**
 * Every staged workgroup the benchmark's sweep tries (and a test checks against the reference): 4 to 16 column
 * quads, 4 to 16 row groups of 4 or 8 rows, 1, 2 or 4 threads per block, chunks of 4 or 8 words; 64 to 256
 * threads, within WebGPU's default workgroup memory.
 */
export const STAGED_GRID: readonly StagedShape[] = (() => {
  const grid: StagedShape[] = [];
  for (const cols of [4, 8, 16])
    for (const rowGroups of [4, 8, 16])
      for (const rowsPerThread of [4, 8])
        for (const split of [1, 2, 4])
          for (const chunk of [4, 8]) {
            const s = { cols, rowGroups, rowsPerThread, split, chunk };
            const threads = cols * rowGroups * split;
            if (threads >= 64 && threads <= WORKGROUP_THREADS && stagedBytes(s) <= WORKGROUP_BYTES) grid.push(s);
          }
  return grid;
})();
