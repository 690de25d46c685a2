/** loadCheckpoint over 'files' and 'url' sources: pooling lookup, int8, manifest checks, progress, cache, abort. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCheckpoint } from './loadCheckpoint';
import type { ModelSource } from './source';
import { jsonBytes, makeManifest, makeTinyCheckpointFiles, sha256OfBytes } from './testing/tinyCheckpoint';
import { startModelServer, type ModelServer } from './testing/modelServer';
import { MemoryModelCache } from '../../storage/modelCache';
import { loadErrorFrom } from './testing/loadErrors';
import type { LoadProgress } from '../types';

let server: ModelServer;
beforeAll(async () => {
  server = await startModelServer();
});
afterAll(() => server.close());

const filesSource = (files: Record<string, ArrayBuffer | Blob>): ModelSource => ({ kind: 'files', id: 'tiny', files });
let folderCount = 0;
/** Serves files in a fresh folder and returns a 'url' source for it. */
function urlSource(files: Record<string, ArrayBuffer>): ModelSource {
  return { kind: 'url', id: 'tiny', baseUrl: server.addFolder(`/models/tiny-${++folderCount}/`, files) };
}
/** A fetch that counts its calls. */
function countingFetch() {
  const calls: string[] = [];
  const fetcher = ((input: RequestInfo | URL, init?: RequestInit) => {
    calls.push(String(input));
    return fetch(input, init);
  }) as typeof fetch;
  return { fetcher, calls };
}

describe("loadCheckpoint: 'files' source", () => {
  it('loads a plain BERT: mean pooling, not normalised, fingerprint = sha256 of the weights', async () => {
    const files = makeTinyCheckpointFiles();
    const ckpt = await loadCheckpoint(filesSource(files));
    expect(ckpt.id).toBe('tiny');
    expect(ckpt.config.hiddenSize).toBe(8);
    expect(ckpt.pooling).toEqual({ mode: 'mean', normalize: false });
    expect(ckpt.quantization).toBe('f32');
    expect(ckpt.fingerprint).toBe(sha256OfBytes(files['model.safetensors']));
    expect(ckpt.bytes).toBe(files['config.json'].byteLength + files['tokenizer.json'].byteLength + files['model.safetensors'].byteLength);
    expect((ckpt.tokenizerJson as { model: { type: string } }).model.type).toBe('WordPiece');
  });

  it('accepts Blobs and a picked folder whose keys start with its name', async () => {
    const picked = Object.fromEntries(Object.entries(makeTinyCheckpointFiles({ prefix: 'bert.' })).map(([k, v]) => [`my-model/${k}`, new Blob([v])]));
    const ckpt = await loadCheckpoint(filesSource(picked));
    expect(ckpt.weights.tensors.has('encoder.layer.1.output.dense.weight')).toBe(true);
  });

  it('reads pooling.json, or sentence-transformers modules', async () => {
    expect((await loadCheckpoint(filesSource(makeTinyCheckpointFiles({ pooling: { mode: 'cls', normalize: true } })))).pooling).toEqual({ mode: 'cls', normalize: true });
    const st = makeTinyCheckpointFiles({ pooling: { sentenceTransformers: 'mean', normalize: true } });
    expect((await loadCheckpoint(filesSource(st))).pooling).toEqual({ mode: 'mean', normalize: true });
    const max = makeTinyCheckpointFiles({ pooling: { sentenceTransformers: 'max', normalize: false } });
    expect((await loadErrorFrom(loadCheckpoint(filesSource(max)))).code).toBe('unsupported-architecture');
  });

  it('recognises the int8 format', async () => {
    const ckpt = await loadCheckpoint(filesSource(makeTinyCheckpointFiles({ int8: true })));
    expect(ckpt.quantization).toBe('int8');
    expect(ckpt.weights.tensors.get('embeddings.word_embeddings.weight')?.dtype).toBe('I8');
    expect(ckpt.weights.tensors.has('embeddings.word_embeddings.weight_scale')).toBe(true);
  });

  it('verifies files against manifest.json', async () => {
    const files = makeTinyCheckpointFiles({ manifest: true });
    await expect(loadCheckpoint(filesSource(files))).resolves.toBeDefined();
    const tampered = { ...files, 'tokenizer.json': jsonBytes({ model: { type: 'BPE' } }) };
    const err = await loadErrorFrom(loadCheckpoint(filesSource(tampered)));
    expect([err.code, err.file]).toEqual(['checksum', 'tokenizer.json']);
    expect(err.message).toMatch(/manifest/);
  });

  it('names the missing required file and the source', async () => {
    const { 'tokenizer.json': _t, ...rest } = makeTinyCheckpointFiles();
    const err = await loadErrorFrom(loadCheckpoint(filesSource(rest)));
    expect([err.code, err.file]).toEqual(['missing-file', 'tokenizer.json']);
    expect(err.message).toContain('"tiny"');
  });

  it('reports invalid JSON with the code of the file it is in', async () => {
    const bad = new TextEncoder().encode('{not json').buffer;
    expect((await loadErrorFrom(loadCheckpoint(filesSource({ ...makeTinyCheckpointFiles(), 'tokenizer.json': bad })))).code).toBe('bad-tokenizer');
    expect((await loadErrorFrom(loadCheckpoint(filesSource({ ...makeTinyCheckpointFiles(), 'config.json': bad })))).code).toBe('config-mismatch');
  });
});

describe("loadCheckpoint: 'url' source", () => {
  it('streams progress in bytes and reports fromCache on a reload', async () => {
    const files = makeTinyCheckpointFiles({ pooling: { mode: 'mean', normalize: true }, manifest: true });
    const source = urlSource(files);
    const cache = new MemoryModelCache();
    const events: LoadProgress[] = [];
    const first = await loadCheckpoint(source, { cache, onProgress: (p) => events.push(p) });
    const expectedTotal = ['config.json', 'tokenizer.json', 'model.safetensors', 'pooling.json'].reduce((s, f) => s + files[f].byteLength, files['manifest.json'].byteLength);
    const last = events[events.length - 1];
    expect(last).toMatchObject({ loaded: expectedTotal, total: expectedTotal, fromCache: false });
    expect(events.every((e) => e.loaded <= e.total)).toBe(true);
    expect(new Set(events.map((e) => e.file))).toEqual(new Set(['manifest.json', 'config.json', 'tokenizer.json', 'model.safetensors', 'pooling.json']));

    const reloadEvents: LoadProgress[] = [];
    const { fetcher, calls } = countingFetch();
    const second = await loadCheckpoint(source, { cache, fetch: fetcher, onProgress: (p) => reloadEvents.push(p) });
    const manifestUrl = `${(source as { baseUrl: string }).baseUrl}manifest.json`;
    expect(calls).toEqual([manifestUrl]); // only the small manifest is revalidated
    expect(reloadEvents.filter((e) => e.file !== 'manifest.json').every((e) => e.fromCache)).toBe(true);
    expect(second.fingerprint).toBe(first.fingerprint);
  });

  it('a reload through the cache issues zero fetches even when optional files were absent', async () => {
    const source = urlSource(makeTinyCheckpointFiles());
    const cache = new MemoryModelCache();
    const firstFetch = countingFetch();
    await loadCheckpoint(source, { cache, fetch: firstFetch.fetcher });
    expect(firstFetch.calls.some((url) => url.endsWith('modules.json'))).toBe(true); // probed, 404
    const reload = countingFetch();
    const ckpt = await loadCheckpoint(source, { cache, fetch: reload.fetcher });
    expect(reload.calls).toEqual([]);
    expect(ckpt.pooling).toEqual({ mode: 'mean', normalize: false });
  });

  it('evicts a corrupt cached weights file and fetches it again, once', async () => {
    const files = makeTinyCheckpointFiles();
    const source = urlSource(files);
    const cache = new MemoryModelCache();
    await loadCheckpoint(source, { cache });
    const key = `${(source as { baseUrl: string }).baseUrl}model.safetensors`;
    await cache.put(key, files['model.safetensors'].slice(0, 100)); // truncated in the cache
    const { fetcher, calls } = countingFetch();
    const ckpt = await loadCheckpoint(source, { cache, fetch: fetcher });
    expect(calls).toEqual([key]); // manifest.json is known to be absent, so it is not asked for again
    expect(ckpt.fingerprint).toBe(sha256OfBytes(files['model.safetensors']));
    expect((await cache.get(key))?.byteLength).toBe(files['model.safetensors'].byteLength);
  });

  it('re-fetches a cached file that fails the manifest check', async () => {
    const files = makeTinyCheckpointFiles({ manifest: true });
    const source = urlSource(files);
    const cache = new MemoryModelCache();
    await loadCheckpoint(source, { cache });
    const key = `${(source as { baseUrl: string }).baseUrl}tokenizer.json`;
    await cache.put(key, jsonBytes({ model: { type: 'tampered' } }));
    const { fetcher, calls } = countingFetch();
    await loadCheckpoint(source, { cache, fetch: fetcher });
    expect(calls).toEqual([`${(source as { baseUrl: string }).baseUrl}manifest.json`, key]);
  });

  it('fetches the weights again when the folder is redeployed with a new manifest', async () => {
    const before = makeTinyCheckpointFiles({ manifest: true });
    const baseUrl = server.addFolder('/models/redeployed/', before);
    const source: ModelSource = { kind: 'url', id: 'tiny', baseUrl };
    const cache = new MemoryModelCache();
    const first = await loadCheckpoint(source, { cache });
    const after = makeTinyCheckpointFiles({ manifest: true, int8: true });
    server.addFolder('/models/redeployed/', after);
    const { fetcher, calls } = countingFetch();
    const second = await loadCheckpoint(source, { cache, fetch: fetcher });
    expect(calls).toContain(`${baseUrl}model.safetensors`);
    expect(second.fingerprint).toBe(sha256OfBytes(after['model.safetensors']));
    expect(second.fingerprint).not.toBe(first.fingerprint);
  });

  it('fails with checksum when the server sends a file that differs from its manifest, and caches nothing', async () => {
    const files = makeTinyCheckpointFiles();
    const manifest = makeManifest({ ...files, 'model.safetensors': makeTinyCheckpointFiles({ int8: true })['model.safetensors'] });
    const cache = new MemoryModelCache();
    const err = await loadErrorFrom(loadCheckpoint(urlSource({ ...files, 'manifest.json': manifest }), { cache }));
    expect([err.code, err.file]).toEqual(['checksum', 'model.safetensors']);
    expect(cache.entries.size).toBe(0);
  });

  it('rejects with the abort reason when aborted', async () => {
    const controller = new AbortController();
    const load = loadCheckpoint(urlSource(makeTinyCheckpointFiles()), {
      signal: controller.signal,
      onProgress: () => controller.abort(new DOMException('stop', 'AbortError')),
    });
    await expect(load).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('turns an unreachable server into a network error', async () => {
    const source: ModelSource = { kind: 'url', id: 'gone', baseUrl: 'http://127.0.0.1:9/models/gone/' };
    const err = await loadErrorFrom(loadCheckpoint(source));
    expect(err.code).toBe('network');
    expect(err.message).toMatch(/try again/);
  });
});
