/**
 * The kernels' knobs, declared once. Both are process-wide switches for tests and benchmarks; the studio
 * never changes them.
 */
import { onWebGpu } from './bridge';

/** The variants every kernel has side by side: 'naive' is the readable one, 'tiled' the fast one. */
export const COMMON_VARIANTS = ['naive', 'tiled'] as const;
export type CommonVariant = (typeof COMMON_VARIANTS)[number];
/**
 * Every selectable variant. 'vec4' is laid out for real GPUs (register blocks, vec4 and whole-word loads) and exists
 * for the int8 matmuls only (int8Matmul, int8MatmulGradX); every other kernel runs 'tiled' under it.
 */
export const KERNEL_VARIANTS = [...COMMON_VARIANTS, 'vec4'] as const;
export type KernelVariant = (typeof KERNEL_VARIANTS)[number];

/** The fewest rows the vec4 variant takes: one register block of rows (fewer run 'tiled'). */
export const VEC4_MIN_ROWS = 4;

let variant: KernelVariant = 'tiled';
let enabled = true;

/** Which variant every kernel dispatches (default 'tiled'; tile sizes are then chosen by shape). */
export function setKernelVariant(v: KernelVariant): void {
  if (!KERNEL_VARIANTS.includes(v)) throw new Error(`Unknown kernel variant "${String(v)}": expected one of ${KERNEL_VARIANTS.join(', ')}.`);
  variant = v;
}

export function kernelVariant(): KernelVariant {
  return variant;
}

/** The variant of a kernel without a 'vec4': the one selected, with 'vec4' read as 'tiled'. */
export function commonVariant(): CommonVariant {
  return variant === 'vec4' ? 'tiled' : variant;
}

/**
 * The variant an int8 matmul runs for x [M, K] against a weight [N, K] (or its gradient, dy [M, N]): the one selected,
 * except that 'vec4' needs K and N in whole vec4s and at least VEC4_MIN_ROWS rows, and falls back to 'tiled' otherwise.
 */
export function int8MatmulVariant(m: number, k: number, n: number): KernelVariant {
  if (variant !== 'vec4') return variant;
  return k % 4 === 0 && n % 4 === 0 && m >= VEC4_MIN_ROWS ? 'vec4' : 'tiled';
}

/** Turns our kernels on (default) or off; off, the webgpu backend runs tfjs's own ops like every other backend. */
export function setKernelsEnabled(on: boolean): void {
  enabled = on;
}

/** True when the encoder and LoRA should route through our kernels: enabled and on the webgpu backend. */
export function kernelsActive(): boolean {
  return enabled && onWebGpu();
}
