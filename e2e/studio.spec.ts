/** The encoder page: bundled model loads with a byte progress bar, model and backend are shown, texts embed. */
import { expect, test } from './fixtures';

const PARAPHRASES = ['A man is playing a guitar.', 'Someone is strumming a guitar.'];
const UNRELATED = 'The quarterly tax report is due on Friday.';

test('loads the bundled encoder with a progress bar reaching 100% and shows model and backend', async ({ studio, expectedBackend }) => {
  await studio.goto();
  await expect(studio.progress).toBeVisible();
  await studio.waitForModel();

  await expect(studio.progressBar).toHaveAttribute('aria-valuenow', '100');
  await expect(studio.byTestId('encoder.progress.percent')).toHaveText('100%');
  await expect(studio.byTestId('encoder.progress.bytes')).toHaveText(/MB \/ .*MB/);
  await expect(studio.byTestId('encoder.progress.source')).toHaveText('from network');

  await expect(studio.byTestId('model.layers')).toHaveText('6');
  await expect(studio.byTestId('model.hidden')).toHaveText('384');
  await expect(studio.byTestId('model.quantization')).toHaveText('int8');
  await expect(studio.byTestId('model.fingerprint')).toHaveText(/^[0-9a-f]{12}$/);

  await expect(studio.backendName).toHaveText(expectedBackend);
  if (expectedBackend === 'webgpu') {
    // Headless Chromium's only adapter is SwiftShader: software, so it must say it is a fallback adapter.
    await expect(studio.byTestId('backend.adapter.fallback')).toHaveAttribute('data-fallback', 'true');
    await expect(studio.byTestId('backend.adapter')).not.toBeEmpty();
  } else {
    await expect(studio.byTestId('backend.threads')).toHaveText(/^[1-9]\d*$/);
  }
  await expect(studio.byTestId('header.status')).toContainText('all-MiniLM-L6-v2');
  await studio.screenshot('loaded');
});

test('embedding three texts shows a similarity matrix where paraphrases score above an unrelated pair', async ({ studio, expectedBackend }) => {
  await studio.goto();
  await studio.waitForModel();
  const sim = await studio.embed([...PARAPHRASES, UNRELATED]);

  for (let i = 0; i < 3; i++) expect(sim[i][i]).toBeCloseTo(1, 3);
  expect(sim[0][1]).toBeGreaterThan(sim[0][2]);
  expect(sim[0][1]).toBeGreaterThan(sim[1][2]);
  expect(sim[0][1]).toBeGreaterThan(0.5);
  await expect(studio.byTestId('try.meta')).toContainText(`on ${expectedBackend}`);
  await studio.screenshot('similarity');

  // Keyboard: Ctrl+Enter in the textarea embeds too.
  await studio.tryInput.fill(['good', 'great'].join('\n'));
  await studio.tryInput.press('Control+Enter');
  await expect(studio.matrix.getByRole('rowheader')).toHaveCount(2, { timeout: 240_000 });

  await studio.page.emulateMedia({ colorScheme: 'dark' });
  await studio.screenshot('similarity-dark');
});
