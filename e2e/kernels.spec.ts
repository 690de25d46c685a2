/**
 * The WGSL kernels in Chromium (WebGPU through SwiftShader): every kernel and variant against its plain-TS
 * reference, run in the page by the test hook (src/kernels/testing/browserCheck.ts). The page forces WebGPU
 * itself, so both projects run the same check. The encoder's int8 kernels in the studio's worker are covered
 * by parity.spec.ts on the webgpu project (the weights stay int8 there).
 */
import { expect, test } from './fixtures';

test('every WGSL kernel matches its reference on Chromium\'s WebGPU', async ({ studio, page }, testInfo) => {
  testInfo.setTimeout(300_000);
  await studio.goto();
  const report = await page.evaluate(() => window.__tabtune!.checkKernels());
  expect(report.backend).toBe('webgpu');
  // naive and tiled x (matmul shapes x checks + row-wise shapes x checks) + vec4 x matmul shapes x the 3 int8 matmul
  // checks + skinny and staged x matmul shapes x (those 3 + loraFused and its 2 gradients)
  expect(report.checks.length).toBe(2 * (5 * 9 + 4 * 4) + 5 * 3 + 2 * 5 * 6);
  const failed = report.checks.filter((c) => !c.ok).map((c) => `${c.kernel} (${c.variant}) ${c.shape}: ${c.worst}`);
  expect(failed).toEqual([]);
  expect(report.leakedTensors).toBe(0);
  expect(report.deviceErrors).toEqual([]);
});
