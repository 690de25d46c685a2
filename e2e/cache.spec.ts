/** A reload takes the encoder from the Cache API: no download of model.safetensors the second time. */
import { expect, test } from './fixtures';

test('after a reload the model comes from the cache, without fetching model.safetensors', async ({ studio, page }) => {
  const weightFetches: string[] = [];
  page.on('request', (request) => {
    if (request.url().endsWith('/model.safetensors')) weightFetches.push(request.url());
  });

  await studio.goto();
  await studio.waitForModel();
  await expect(studio.byTestId('encoder.progress.source')).toHaveText('from network');
  // The worker's download is visible to the page's request events: this is what makes the check below mean something.
  expect(weightFetches.length).toBeGreaterThan(0);

  weightFetches.length = 0;
  await page.reload();
  await studio.waitForModel();
  await expect(studio.byTestId('encoder.progress.source')).toHaveText('from cache');
  await expect(studio.byTestId('model.loaded')).toContainText('from cache');
  await expect(studio.progressBar).toHaveAttribute('aria-valuenow', '100');
  expect(weightFetches).toEqual([]);
  await studio.screenshot('from-cache');
});
