/**
 * The 'hub' source against a local server with the Hub's URL layout `/{org}/{name}/resolve/{revision}/{file}`:
 * the happy path and every way a Hub download goes wrong.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCheckpoint } from './loadCheckpoint';
import { fileUrl, type ModelSource } from './source';
import { jsonBytes, makeTinyCheckpointFiles, TINY_CONFIG } from './testing/tinyCheckpoint';
import { startModelServer, type ModelServer } from './testing/modelServer';
import { loadErrorFrom } from './testing/loadErrors';
import { ModelLoadError } from '../errors';
import { MemoryModelCache } from '../../storage/modelCache';

let server: ModelServer;
let repoCount = 0;
beforeAll(async () => {
  server = await startModelServer();
});
afterAll(() => server.close());

/** Publishes files as a fresh Hub repo and returns its source. */
function publish(files: Record<string, ArrayBuffer>, revision = 'main'): ModelSource & { kind: 'hub' } {
  const id = `tabtune-test/tiny-${++repoCount}`;
  return { kind: 'hub', id, revision, endpoint: server.addHubModel(id, files, revision) };
}
const loadError = (source: ModelSource) => loadErrorFrom(loadCheckpoint(source));

describe("loadCheckpoint: 'hub' source", () => {
  it('resolves files as the Hub does, with the revision URL-encoded', () => {
    const source: ModelSource = { kind: 'hub', id: 'sentence-transformers/all-MiniLM-L6-v2', revision: 'refs/pr/1' };
    expect(fileUrl(source, 'config.json')).toBe('https://huggingface.co/sentence-transformers/all-MiniLM-L6-v2/resolve/refs%2Fpr%2F1/config.json');
    expect(fileUrl({ kind: 'hub', id: 'org/m' }, '1_Pooling/config.json')).toBe('https://huggingface.co/org/m/resolve/main/1_Pooling/config.json');
  });

  it('loads a sentence-transformers repo (bert. prefix, modules.json, 1_Pooling) at a revision', async () => {
    const source = publish(makeTinyCheckpointFiles({ prefix: 'bert.', pooling: { sentenceTransformers: 'cls', normalize: true } }), 'v1.0');
    const ckpt = await loadCheckpoint(source);
    expect(ckpt.id).toBe(source.id);
    expect(ckpt.pooling).toEqual({ mode: 'cls', normalize: true });
    expect(ckpt.weights.tensors.has('embeddings.word_embeddings.weight')).toBe(true);
    const base = `/${source.id}/resolve/v1.0/`;
    expect(server.requests).toContain(`${base}1_Pooling/config.json`);
  });

  it('treats a 404 for optional files as absent', async () => {
    const source = publish(makeTinyCheckpointFiles());
    const ckpt = await loadCheckpoint(source);
    expect(ckpt.pooling).toEqual({ mode: 'mean', normalize: false });
    const base = `/${source.id}/resolve/main/`;
    for (const optional of ['manifest.json', 'pooling.json', 'modules.json']) expect(server.requests).toContain(`${base}${optional}`);
  });

  it('treats the Hub\'s 401 for an unknown repository as a missing file', async () => {
    const source = publish(makeTinyCheckpointFiles());
    server.misbehave(`/${source.id}/resolve/main/config.json`, { status: 401 });
    const err = await loadError(source);
    expect([err.code, err.file]).toEqual(['missing-file', 'config.json']);
  });

  it('names a missing required file and the repo', async () => {
    const { 'model.safetensors': _w, ...noWeights } = makeTinyCheckpointFiles();
    const source = publish(noWeights);
    const err = await loadError(source);
    expect([err.code, err.file]).toEqual(['missing-file', 'model.safetensors']);
    expect(err.message).toContain(source.id);
  });

  it('reports a missing tokenizer', async () => {
    const { 'tokenizer.json': _t, ...noTokenizer } = makeTinyCheckpointFiles();
    const err = await loadError(publish(noTokenizer));
    expect([err.code, err.file]).toEqual(['missing-file', 'tokenizer.json']);
  });

  it('reports weights whose body is cut short of its Content-Length as corrupt-weights', async () => {
    const files = makeTinyCheckpointFiles();
    const source = publish(files);
    server.misbehave(`/${source.id}/resolve/main/model.safetensors`, { cutBodyAt: files['model.safetensors'].byteLength >> 1 });
    const err = await loadError(source);
    expect([err.code, err.file]).toEqual(['corrupt-weights', 'model.safetensors']);
    expect(err.message).toMatch(/arrived truncated: \d+ of \d+ bytes/);
  });

  it('reports a truncated weights file (honest Content-Length) as corrupt-weights, and caches nothing', async () => {
    const files = makeTinyCheckpointFiles();
    const cache = new MemoryModelCache();
    const source = publish({ ...files, 'model.safetensors': files['model.safetensors'].slice(0, 3000) });
    const err = await loadCheckpoint(source, { cache }).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(ModelLoadError);
    expect((err as ModelLoadError).code).toBe('corrupt-weights');
    expect(cache.entries.size).toBe(0);
  });

  it('reports a config that does not match the tensors as config-mismatch', async () => {
    const files = makeTinyCheckpointFiles({ config: { hidden_size: 16 } });
    const err = await loadError(publish(files));
    expect(err.code).toBe('config-mismatch');
    expect(err.message).toContain('embeddings.word_embeddings.weight');
  });

  it('refuses an unsupported model_type before downloading the weights', async () => {
    const source = publish(makeTinyCheckpointFiles({ config: { model_type: 'roberta', architectures: ['RobertaModel'] } }));
    const err = await loadError(source);
    expect(err.code).toBe('unsupported-architecture');
    expect(err.message).toContain('"roberta"');
    expect(server.requests).not.toContain(`/${source.id}/resolve/main/model.safetensors`);
  });

  it('turns a server error into a network error', async () => {
    const source = publish(makeTinyCheckpointFiles());
    server.misbehave(`/${source.id}/resolve/main/tokenizer.json`, { status: 503 });
    const err = await loadError(source);
    expect([err.code, err.file]).toEqual(['network', 'tokenizer.json']);
    expect(err.message).toContain('503');
  });

  it('serves a reload from the cache without touching the server', async () => {
    const source = publish(makeTinyCheckpointFiles({ config: { ...TINY_CONFIG } }));
    const cache = new MemoryModelCache();
    await loadCheckpoint(source, { cache });
    const before = server.requests.length;
    const again = await loadCheckpoint(source, { cache });
    expect(server.requests.length).toBe(before);
    expect(again.config.numHiddenLayers).toBe(2);
  });

  it('keeps revisions apart in the cache', async () => {
    const cache = new MemoryModelCache();
    const id = `tabtune-test/revisions-${++repoCount}`;
    const endpoint = server.addHubModel(id, makeTinyCheckpointFiles(), 'main');
    server.addHubModel(id, { ...makeTinyCheckpointFiles(), 'pooling.json': jsonBytes({ mode: 'cls', normalize: true }) }, 'v2');
    expect((await loadCheckpoint({ kind: 'hub', id, endpoint }, { cache })).pooling.mode).toBe('mean');
    expect((await loadCheckpoint({ kind: 'hub', id, endpoint, revision: 'v2' }, { cache })).pooling.mode).toBe('cls');
  });
});
