/**
 * The two checkpoints that ship with the repo, read from disk: the tiny random BertModel test fixture (as picked
 * files) and the bundled int8 all-MiniLM-L6-v2 (served over HTTP the way Vite serves public/, and from the Hub
 * layout). Skipped while a folder is absent.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCheckpoint } from './loadCheckpoint';
import { startModelServer, type ModelServer } from './testing/modelServer';
import { sha256OfBytes } from './testing/tinyCheckpoint';
import { MemoryModelCache } from '../../storage/modelCache';

const ROOT = resolve(__dirname, '../../..');
const TINY_DIR = join(ROOT, 'fixtures/models/tiny-bert');
const MINILM_DIR = join(ROOT, 'public/models/all-MiniLM-L6-v2');

function readFolder(dir: string): Record<string, ArrayBuffer> {
  return Object.fromEntries(
    readdirSync(dir, { withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => {
        const bytes = readFileSync(join(dir, entry.name));
        return [entry.name, bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer];
      }),
  );
}

describe.skipIf(!existsSync(join(TINY_DIR, 'model.safetensors')))('fixtures/models/tiny-bert', () => {
  it("loads as a 'files' source: f32 BertModel, default pooling", async () => {
    const files = readFolder(TINY_DIR);
    const config = JSON.parse(new TextDecoder().decode(files['config.json']));
    const ckpt = await loadCheckpoint({ kind: 'files', id: 'tiny-bert', files });
    expect(ckpt.quantization).toBe('f32');
    expect(ckpt.config.hiddenSize).toBe(config.hidden_size);
    expect(ckpt.config.numHiddenLayers).toBe(config.num_hidden_layers);
    expect(ckpt.pooling).toEqual({ mode: 'mean', normalize: false });
    expect(ckpt.fingerprint).toBe(sha256OfBytes(files['model.safetensors']));
  });
});

describe.skipIf(!existsSync(join(MINILM_DIR, 'model.safetensors')))('public/models/all-MiniLM-L6-v2 (bundled, int8)', () => {
  let server: ModelServer;
  let files: Record<string, ArrayBuffer>;
  beforeAll(async () => {
    server = await startModelServer();
    files = readFolder(MINILM_DIR);
  });
  afterAll(() => server.close());

  it("loads as a 'url' source with its manifest verified, then reloads from the cache", async () => {
    const baseUrl = server.addFolder('/models/all-MiniLM-L6-v2/', files);
    const cache = new MemoryModelCache();
    const ckpt = await loadCheckpoint({ kind: 'url', id: 'all-MiniLM-L6-v2', baseUrl }, { cache });
    const manifest = JSON.parse(new TextDecoder().decode(files['manifest.json'])).files;
    expect(ckpt.quantization).toBe('int8');
    expect(ckpt.config).toMatchObject({ hiddenSize: 384, numHiddenLayers: 6, numAttentionHeads: 12, vocabSize: 30522 });
    expect(ckpt.pooling).toEqual({ mode: 'mean', normalize: true });
    expect(ckpt.fingerprint).toBe(manifest['model.safetensors'].sha256);
    expect(ckpt.weights.tensors.get('encoder.layer.0.attention.self.query.weight')?.dtype).toBe('I8');

    const before = server.requests.length;
    const again = await loadCheckpoint({ kind: 'url', id: 'all-MiniLM-L6-v2', baseUrl }, { cache });
    expect(server.requests.slice(before)).toEqual([`${new URL(baseUrl).pathname}manifest.json`]); // weights come from the cache
    expect(again.fingerprint).toBe(ckpt.fingerprint);
  });

  it('loads from a Hub-layout server', async () => {
    const endpoint = server.addHubModel('tabtune/all-MiniLM-L6-v2-int8', files);
    const ckpt = await loadCheckpoint({ kind: 'hub', id: 'tabtune/all-MiniLM-L6-v2-int8', endpoint });
    expect(ckpt.quantization).toBe('int8');
  });
});
