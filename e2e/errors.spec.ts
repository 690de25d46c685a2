/**
 * Broken checkpoints show a clear error (code + message) and leave the studio usable with the previous model.
 * Hub downloads are served by page.route (there is no internet here), so each case breaks exactly one thing.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Route } from '@playwright/test';
import { axeViolations } from './axe';
import { expect, test } from './fixtures';
import { BUNDLED_MODEL_ID } from './pages/StudioPage';

const ROOT = join(import.meta.dirname, '..');
const BUNDLED = join(ROOT, 'public/models/all-MiniLM-L6-v2');
const TINY = join(ROOT, 'fixtures/models/tiny-bert');

const bundledConfig = () => JSON.parse(readFileSync(join(BUNDLED, 'config.json'), 'utf8')) as Record<string, unknown>;
const CORS = { 'access-control-allow-origin': '*' };

/** Serves a fake Hub repository: `files` by name, 404 for anything else. */
function fakeHub(files: Record<string, Buffer | string>) {
  return async (route: Route) => {
    const name = new URL(route.request().url()).pathname.split('/resolve/')[1]?.split('/').slice(1).join('/') ?? '';
    const body = files[name];
    if (body === undefined) return route.fulfill({ status: 404, headers: CORS, body: 'Entry not found' });
    return route.fulfill({ status: 200, headers: { ...CORS, 'content-type': 'application/octet-stream' }, body });
  };
}

const CASES = [
  {
    name: 'truncated weights',
    code: 'corrupt-weights',
    files: () => ({
      'config.json': readFileSync(join(BUNDLED, 'config.json')),
      'tokenizer.json': readFileSync(join(BUNDLED, 'tokenizer.json')),
      'model.safetensors': readFileSync(join(BUNDLED, 'model.safetensors')).subarray(0, 4096),
    }),
  },
  {
    name: 'a config that does not match the tensors',
    code: 'config-mismatch',
    files: () => ({
      'config.json': JSON.stringify({ ...bundledConfig(), num_hidden_layers: 12 }),
      'tokenizer.json': readFileSync(join(BUNDLED, 'tokenizer.json')),
      'model.safetensors': readFileSync(join(BUNDLED, 'model.safetensors')),
    }),
  },
  {
    name: 'a GPT-2 config',
    code: 'unsupported-architecture',
    files: () => ({
      'config.json': JSON.stringify({ ...bundledConfig(), model_type: 'gpt2', architectures: ['GPT2Model'] }),
      'tokenizer.json': readFileSync(join(BUNDLED, 'tokenizer.json')),
      'model.safetensors': readFileSync(join(BUNDLED, 'model.safetensors')),
    }),
  },
] as const;

test('broken Hub checkpoints and a dead network show the error and keep the previous model', async ({ studio, page }) => {
  await studio.goto();
  await studio.waitForModel();

  for (const c of CASES) {
    await page.route('https://huggingface.co/**', fakeHub(c.files()));
    await studio.loadFromHub(`test-org/${c.code}`);
    await expect(studio.loadError).toBeVisible({ timeout: 120_000 });
    await expect(studio.byTestId('encoder.error.code')).toHaveText(c.code);
    await expect(studio.byTestId('encoder.error.message')).not.toBeEmpty();
    await expect(studio.modelId).toHaveText(BUNDLED_MODEL_ID);
    if (c.code === 'corrupt-weights') {
      await studio.screenshot('error-corrupt');
      expect(await axeViolations(page)).toEqual([]); // the error panel, its buttons and the page around it
    }
    await page.unroute('https://huggingface.co/**');
  }

  await page.route('https://huggingface.co/**', (route) => route.abort('internetdisconnected'));
  await studio.loadFromHub('test-org/offline');
  await expect(studio.byTestId('encoder.error.code')).toHaveText('network', { timeout: 60_000 });
  await expect(studio.byTestId('encoder.error.retry')).toBeEnabled();

  // Still usable: the previous model embeds.
  const sim = await studio.embed(['The cat sleeps on the sofa.', 'A cat is napping on the couch.', 'Interest rates rose again.']);
  expect(sim[0][1]).toBeGreaterThan(sim[0][2]);
  await expect(studio.modelId).toHaveText(BUNDLED_MODEL_ID);
});

test('picked files: a missing tokenizer is named, a complete tiny checkpoint loads, the bundled model comes back', async ({ studio }) => {
  await studio.goto();
  await studio.waitForModel();
  const file = (name: string, mimeType = 'application/octet-stream') => ({ name, mimeType, buffer: readFileSync(join(TINY, name)) });

  await studio.loadFiles([file('config.json', 'application/json'), file('model.safetensors')]);
  await expect(studio.byTestId('encoder.error.code')).toHaveText('missing-file', { timeout: 60_000 });
  await expect(studio.byTestId('encoder.error.message')).toContainText('tokenizer.json');
  await expect(studio.modelId).toHaveText(BUNDLED_MODEL_ID);
  await studio.screenshot('error-missing-tokenizer');

  await studio.loadFiles([file('config.json', 'application/json'), file('tokenizer.json', 'application/json'), file('model.safetensors')]);
  await studio.waitForModel('local model');
  await expect(studio.loadError).toHaveCount(0);
  await expect(studio.byTestId('model.layers')).toHaveText('2');
  await expect(studio.byTestId('model.hidden')).toHaveText('32');
  await expect(studio.byTestId('model.quantization')).toHaveText('f32');

  await studio.byTestId('load.kind.bundled').check();
  await studio.byTestId('load.bundled').click();
  await studio.waitForModel();
  await expect(studio.byTestId('encoder.progress.source')).toHaveText('from cache');
});
