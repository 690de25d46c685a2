/**
 * `window.__tabtune`: a typed handle for Playwright specs, installed only in dev and test builds
 * (`import.meta.env.DEV || import.meta.env.MODE === 'test'`), never in a production build.
 */
import type { StudioState } from '../state/store';
import { useStudio } from '../state/store';
import type { EncoderClient } from './encoderClient';

export interface TabtuneTestHook {
  client: EncoderClient;
  /** A snapshot of the store. */
  state(): StudioState;
  /** Embeds texts and returns plain arrays (page.evaluate cannot return Float32Arrays). */
  embed(texts: string[], options?: { maxLength?: number; batchSize?: number }): Promise<number[][]>;
  /** Runs every WGSL kernel (src/kernels) against its plain-TS reference on this page's WebGPU. */
  checkKernels(): Promise<import('../kernels/testing/browserCheck').KernelCheckReport>;
}

declare global {
  interface Window {
    __tabtune?: TabtuneTestHook;
  }
}

export const TEST_HOOK_ENABLED = import.meta.env.DEV || import.meta.env.MODE === 'test';

export function installTestHook(client: EncoderClient): void {
  if (!TEST_HOOK_ENABLED) return;
  window.__tabtune = {
    client,
    state: () => useStudio.getState(),
    embed: async (texts, options) => (await client.embed(texts, options)).map((row) => Array.from(row)),
    // Loaded on demand: tfjs and the kernels are not otherwise on the page (they run in the worker).
    checkKernels: async () => (await import('../kernels/testing/browserCheck')).checkKernels(),
  };
}
