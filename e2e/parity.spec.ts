/**
 * Numerical parity in the browser: the studio's encoder, on each project's backend (WebGPU through SwiftShader,
 * and WASM), against the PyTorch
 * references in fixtures/encoder/ (see its README): max |diff| <= 1e-4 against BertModel run on the
 * dequantised int8 weights, cosine >= 0.995 against the original f32 sentence-transformers model.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseSafetensors, tensorData } from '../src/encoder/weights/safetensors';
import { expect, test } from './fixtures';

const FIXTURES = join(import.meta.dirname, '../fixtures/encoder');
const MAX_ABS_DIFF_VS_DEQUANT = 1e-4;

interface GoldenFile {
  texts: string[];
  hidden: number;
  tensors_file: string;
  tokenizer: { max_length: number };
  min_cosine_vs_original: number;
}

function loadGolden() {
  const golden = JSON.parse(readFileSync(join(FIXTURES, 'minilm.json'), 'utf8')) as GoldenFile;
  const bytes = readFileSync(join(FIXTURES, golden.tensors_file));
  const file = parseSafetensors(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer, golden.tensors_file);
  const rows = (name: string) => {
    const view = file.tensors.get(name);
    if (!view) throw new Error(`${golden.tensors_file} has no tensor ${name}`);
    const flat = tensorData(view) as Float32Array;
    return golden.texts.map((_, i) => Array.from(flat.subarray(i * golden.hidden, (i + 1) * golden.hidden)));
  };
  return { golden, dequant: rows('dequant.embeddings'), original: rows('original.embeddings') };
}

const cosine = (a: number[], b: number[]) => {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  return ab / Math.sqrt(aa * bb);
};

test('embeddings in the browser match the PyTorch references on this project\'s backend', async ({ studio, page, expectedBackend }, testInfo) => {
  testInfo.setTimeout(600_000);
  const { golden, dequant, original } = loadGolden();

  await studio.goto();
  await studio.waitForModel();
  await expect(studio.backendName).toHaveText(expectedBackend);
  expect(await page.evaluate(() => typeof window.__tabtune)).toBe('object');

  // One text per batch: no padding, so SwiftShader does only the work the sentences need.
  const ours = await page.evaluate(
    ({ texts, maxLength }) => window.__tabtune!.embed(texts, { maxLength, batchSize: 1 }),
    { texts: golden.texts, maxLength: golden.tokenizer.max_length },
  );
  expect(ours).toHaveLength(golden.texts.length);

  const report = golden.texts.map((text, i) => {
    const maxAbs = Math.max(...ours[i].map((v, k) => Math.abs(v - dequant[i][k])));
    return { text: text.slice(0, 40), maxAbs, cosOriginal: cosine(ours[i], original[i]) };
  });
  console.log(report.map((r) => `${r.maxAbs.toExponential(2)}  cos=${r.cosOriginal.toFixed(6)}  ${JSON.stringify(r.text)}`).join('\n'));
  for (const r of report) {
    expect(r.maxAbs, `max |diff| vs dequant for ${JSON.stringify(r.text)}`).toBeLessThanOrEqual(MAX_ABS_DIFF_VS_DEQUANT);
    expect(r.cosOriginal, `cosine vs original for ${JSON.stringify(r.text)}`).toBeGreaterThanOrEqual(golden.min_cosine_vs_original);
  }
});
