/**
 * The kernels' knobs, declared once. Both are process-wide switches for tests and benchmarks; the studio
 * never changes them.
 */
import { onWebGpu } from './bridge';

/** Every kernel has these variants side by side; 'naive' is the readable one, 'tiled' the fast one. */
export const KERNEL_VARIANTS = ['naive', 'tiled'] as const;
export type KernelVariant = (typeof KERNEL_VARIANTS)[number];

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

/** Turns our kernels on (default) or off; off, the webgpu backend runs tfjs's own ops like every other backend. */
export function setKernelsEnabled(on: boolean): void {
  enabled = on;
}

/** True when the encoder and LoRA should route through our kernels: enabled and on the webgpu backend. */
export function kernelsActive(): boolean {
  return enabled && onWebGpu();
}
