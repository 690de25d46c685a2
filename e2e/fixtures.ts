/**
 * The studio's Playwright fixtures: per-project options (which backend to ask for, which one must run) and a
 * StudioPage page object already pointed at the right backend.
 */
import { test as base } from '@playwright/test';
import { StudioPage } from './pages/StudioPage';

export interface StudioOptions {
  /** The backend preference the studio starts with (`?backend=`). */
  backend: 'auto' | 'webgpu' | 'wasm' | 'cpu';
  /** The backend that must end up running. */
  expectedBackend: 'webgpu' | 'wasm' | 'cpu';
}

export const test = base.extend<StudioOptions & { studio: StudioPage }>({
  backend: ['auto', { option: true }],
  expectedBackend: ['webgpu', { option: true }],
  studio: async ({ page, backend }, use, testInfo) => {
    page.on('console', (message) => {
      if (message.type() === 'error') console.log(`[browser ${testInfo.project.name}] ${message.text()}`);
    });
    page.on('pageerror', (error) => console.log(`[pageerror ${testInfo.project.name}] ${error.message}`));
    await use(new StudioPage(page, backend, testInfo));
  },
});

export { expect } from '@playwright/test';
