/** Overriding the backend restarts the worker's backend and rebuilds the encoder on it. */
import { expect, test } from './fixtures';

test('overriding the backend switches the worker and the encoder keeps working', async ({ studio, page, expectedBackend }) => {
  await studio.goto();
  await studio.waitForModel();
  await expect(studio.backendName).toHaveText(expectedBackend);

  // WebGPU project -> WASM; WASM project -> plain-JS cpu.
  const next = expectedBackend === 'webgpu' ? 'wasm' : 'cpu';
  await studio.overrideBackend(next);
  await expect(studio.byTestId('header.status')).toContainText(next);
  await expect(studio.modelId).toHaveText('all-MiniLM-L6-v2');

  const sim = await studio.embed(['I love this phone.', 'This phone is great.', 'The river flooded the village.']);
  expect(sim[0][1]).toBeGreaterThan(sim[0][2]);
  await expect(studio.byTestId('try.meta')).toContainText(`on ${next}`);
  await studio.screenshot(`backend-${next}`);

  // The choice is remembered: without ?backend= in the URL, the studio starts on it.
  await page.goto('/#/encoder');
  await expect(studio.backendSelect).toHaveValue(next);
  await expect(studio.backendName).toHaveText(next, { timeout: 120_000 });
});
