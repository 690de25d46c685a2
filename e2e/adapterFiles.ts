/**
 * Real adapter files for the specs, made in Node the way the studio exports them: a fresh delta (the identity)
 * and a seeded head through exportDelta, for the bundled MiniLM's config and fingerprint, or for the tiny test
 * BERT (another encoder). No fake byte blobs: a wrong file is a real export for the wrong encoder or labels, or
 * a real export damaged.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { zipSync, strToU8 } from 'fflate';
import { readCheckpointDir, TINY_BERT_DIR } from '../src/encoder/bert/testing/fixtures';
import { parseBertConfig } from '../src/encoder/loader/config';
import { freshDeltaExport } from '../src/peft/export/testing/freshExport';
import { LORA_DEFAULTS } from '../src/peft/lora/config';
import type { MethodConfig } from '../src/peft/registry';

const MINILM = join(import.meta.dirname, '..', 'public', 'models', 'all-MiniLM-L6-v2');

function bundledEncoder() {
  const manifest = JSON.parse(readFileSync(join(MINILM, 'manifest.json'), 'utf8')) as { files: Record<string, { sha256: string }> };
  return { id: 'all-MiniLM-L6-v2', fingerprint: manifest.files['model.safetensors'].sha256, config: parseBertConfig(JSON.parse(readFileSync(join(MINILM, 'config.json'), 'utf8')), 'config.json') };
}

export interface AdapterFiles {
  lora: Buffer;
  head: Buffer;
  otherEncoder: Buffer;
  otherLabels: Buffer;
  truncated: Buffer;
  notAnAdapter: Buffer;
}

export async function makeAdapterFiles(labels: string[]): Promise<AdapterFiles> {
  const encoder = bundledEncoder();
  const task = { name: 'Reviews', labels };
  const lora = await freshDeltaExport({ encoder, config: { ...LORA_DEFAULTS, r: 4 } as MethodConfig, task, metrics: { accuracy: 0.875 } });
  const head = await freshDeltaExport({ encoder, config: { method: 'head' }, task, metrics: { accuracy: 0.75 } });
  const otherEncoder = await freshDeltaExport({ encoder: readCheckpointDir(TINY_BERT_DIR), config: { method: 'head' }, task });
  const otherLabels = await freshDeltaExport({ encoder, config: { method: 'head' }, task: { name: 'Spam', labels: ['spam', 'ham', 'unsure'] } });
  return {
    lora: Buffer.from(lora),
    head: Buffer.from(head),
    otherEncoder: Buffer.from(otherEncoder),
    otherLabels: Buffer.from(otherLabels),
    truncated: Buffer.from(lora.subarray(0, Math.floor(lora.length / 2))),
    notAnAdapter: Buffer.from(zipSync({ 'notes.txt': strToU8('shopping list: milk, eggs') })),
  };
}
