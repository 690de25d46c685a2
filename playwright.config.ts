/**
 * End-to-end tests: Debian's Chromium (headless, WebGPU through SwiftShader) against a test-mode build of the
 * studio served by `vite preview` (which sends the COOP/COEP headers, so WASM gets threads).
 *
 * Two projects run every spec: "webgpu" leaves the backend on auto (which must pick WebGPU on SwiftShader's
 * fallback adapter) and "wasm" overrides it to WASM. SwiftShader runs WebGPU at about 1 GFLOP/s, so timeouts
 * are long on purpose.
 */
import { defineConfig } from '@playwright/test';
// Specs import studio modules that import WGSL sources (`?raw`, as Vite does); plain Node needs this hook for them.
import './scripts/wgsl-hook.mjs';
import type { StudioOptions } from './e2e/fixtures';

/** Flags that make headless Chromium expose WebGPU (SwiftShader) as root; see /work/shared/ENVIRONMENT.md. */
const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--enable-unsafe-webgpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** A port of our own, so a dev server or another checkout's preview on 4173/5173 is never reused by mistake. */
const PORT = Number(process.env.TABTUNE_E2E_PORT ?? 4391);

export default defineConfig<StudioOptions>({
  testDir: 'e2e',
  testMatch: '*.spec.ts',
  outputDir: 'test-results',
  timeout: 300_000,
  expect: { timeout: 90_000 },
  fullyParallel: false,
  workers: 1, // two cores, and SwiftShader uses them all
  retries: process.env.CI ? 1 : 0,
  reporter: process.env.CI ? [['list'], ['html', { open: 'never' }]] : [['list']],
  use: {
    baseURL: `http://localhost:${PORT}`,
    browserName: 'chromium',
    launchOptions: { executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS },
    headless: true,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    video: 'off',
    viewport: { width: 1280, height: 900 },
  },
  projects: [
    { name: 'webgpu', use: { backend: 'auto', expectedBackend: 'webgpu' } },
    { name: 'wasm', use: { backend: 'wasm', expectedBackend: 'wasm' } },
  ],
  webServer: {
    // A test-mode build exposes window.__tabtune (src/client/testHook.ts); production builds do not.
    command: `npx vite build --mode test --logLevel warn && npx vite preview --mode test --port ${PORT} --strictPort`,
    url: `http://localhost:${PORT}`,
    timeout: 300_000,
    reuseExistingServer: !process.env.CI,
    stdout: 'ignore',
    stderr: 'pipe',
  },
});
