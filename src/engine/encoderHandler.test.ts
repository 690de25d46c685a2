/**
 * EncoderHandler without a Worker: requests in, responses and events out, on the plain-JS cpu backend with
 * the tiny BERT fixture (fixtures/models/tiny-bert/).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import type { EncoderEvent, EncoderRequest, EncoderResponse, ModelSource } from '../protocol/messages';
import { MemoryModelCache } from '../storage/modelCache';
import { EncoderHandler } from './encoderHandler';

const TINY_DIR = join(import.meta.dirname, '../../fixtures/models/tiny-bert');
const read = (file: string): ArrayBuffer => {
  const bytes = readFileSync(join(TINY_DIR, file));
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
};
const tinyFiles = (): Record<string, ArrayBuffer> => ({
  'config.json': read('config.json'),
  'tokenizer.json': read('tokenizer.json'),
  'model.safetensors': read('model.safetensors'),
});
const tinySource = (files = tinyFiles(), id = 'tiny-bert'): ModelSource => ({ kind: 'files', id, files });
const jsonBuffer = (value: unknown) => new TextEncoder().encode(JSON.stringify(value)).buffer as ArrayBuffer;

let nextId = 1;
const newId = () => nextId++;

/** The result of a response, failing the test on an error response. */
function resultOf<T extends EncoderResponse>(response: T) {
  if (response.type === 'error') throw new Error(`unexpected error response: ${JSON.stringify(response.error)}`);
  return response.result;
}

describe('EncoderHandler', () => {
  let events: EncoderEvent[];
  let handler: EncoderHandler;

  beforeEach(() => {
    events = [];
    handler = new EncoderHandler({ emit: (e) => events.push(e), cache: new MemoryModelCache() });
  });

  it('starts the requested backend and reports it', async () => {
    const { response } = await handler.handle(({ id: newId(), type: 'setBackend', preference: 'cpu' }));
    expect(response).toMatchObject({ type: 'result', request: 'setBackend', result: { backend: { backend: 'cpu', preference: 'cpu' }, model: null } });
  });

  it('refuses to embed before a model is loaded, with a code', async () => {
    await handler.handle(({ id: newId(), type: 'setBackend', preference: 'cpu' }));
    const { response } = await handler.handle(({ id: newId(), type: 'embed', texts: ['hello'] }));
    expect(response).toMatchObject({ type: 'error', error: { name: 'EncoderNotReadyError', code: 'no-model' } });
  });

  it('loads a checkpoint, reports progress, embeds and returns a similarity matrix with transferable buffers', async () => {
    await handler.handle(({ id: newId(), type: 'setBackend', preference: 'cpu' }));
    const load: EncoderRequest = ({ id: newId(), type: 'loadModel', source: tinySource() });
    const info = resultOf((await handler.handle(load)).response) as { id: string; layers: number; hiddenSize: number; quantization: string };
    expect(info).toMatchObject({ id: 'tiny-bert', layers: 2, hiddenSize: 32, quantization: 'f32' });
    const progress = events.filter((e) => e.type === 'progress');
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.every((e) => e.type === 'progress' && e.id === load.id)).toBe(true);

    const { response, transfer } = await handler.handle(
      ({ id: newId(), type: 'embed', texts: ['the cat sat', 'a cat sat down', 'stock prices fell'], similarity: true }),
    );
    expect(response.type).toBe('result');
    if (response.type !== 'result' || response.request !== 'embed') throw new Error('expected an embed result');
    const { count, dim, embeddings, similarity } = response.result;
    expect([count, dim, embeddings.length]).toEqual([3, 32, 96]);
    expect(Array.from(embeddings).every(Number.isFinite)).toBe(true);
    expect(similarity).toBeDefined();
    for (let i = 0; i < 3; i++) expect(similarity![i * 3 + i]).toBeCloseTo(1, 4);
    expect(similarity![1]).toBeCloseTo(similarity![3], 6); // symmetric
    expect(transfer).toContain(embeddings.buffer);
    expect(transfer).toContain(similarity!.buffer);
  });

  it.each([
    {
      problem: 'truncated weights',
      code: 'corrupt-weights',
      files: () => ({ ...tinyFiles(), 'model.safetensors': read('model.safetensors').slice(0, 1000) }),
    },
    {
      problem: 'an unsupported architecture',
      code: 'unsupported-architecture',
      files: () => ({ ...tinyFiles(), 'config.json': jsonBuffer({ ...JSON.parse(new TextDecoder().decode(read('config.json'))), model_type: 'gpt2' }) }),
    },
    {
      problem: 'a missing tokenizer',
      code: 'missing-file',
      files: () => {
        const { 'tokenizer.json': _dropped, ...rest } = tinyFiles();
        return rest;
      },
    },
  ])('reports $problem as $code and keeps the previous model', async ({ code, files }) => {
    await handler.handle(({ id: newId(), type: 'setBackend', preference: 'cpu' }));
    resultOf((await handler.handle(({ id: newId(), type: 'loadModel', source: tinySource() }))).response);

    const { response } = await handler.handle(({ id: newId(), type: 'loadModel', source: tinySource(files(), 'broken') }));
    expect(response.type).toBe('error');
    if (response.type !== 'error') return;
    expect(response.error).toMatchObject({ name: 'ModelLoadError', code });
    expect(response.error.message.length).toBeGreaterThan(10);

    expect(handler.state.model?.id).toBe('tiny-bert');
    const embed = await handler.handle(({ id: newId(), type: 'embed', texts: ['still works'] }));
    expect(embed.response.type).toBe('result');
  });

  it('says the second load of an HTTP model came from the cache', async () => {
    const files = tinyFiles();
    const fetched: string[] = [];
    const serving = new EncoderHandler({
      emit: () => undefined,
      cache: new MemoryModelCache(),
      fetch: async (input) => {
        const name = String(input).split('/').pop() ?? '';
        fetched.push(name);
        const body = files[name];
        return body ? new Response(body.slice(0), { status: 200 }) : new Response('not found', { status: 404 });
      },
    });
    await serving.handle({ id: newId(), type: 'setBackend', preference: 'cpu' });
    const source: ModelSource = { kind: 'url', id: 'tiny-http', baseUrl: 'http://localhost/models/tiny/' };
    const first = resultOf((await serving.handle({ id: newId(), type: 'loadModel', source })).response);
    expect(first).toMatchObject({ id: 'tiny-http', fromCache: false });
    fetched.length = 0;
    const second = resultOf((await serving.handle({ id: newId(), type: 'loadModel', source })).response);
    expect(second).toMatchObject({ id: 'tiny-http', fromCache: true });
    expect(fetched).not.toContain('model.safetensors');
  });

  it('reports a network failure with the network code', async () => {
    const failing = new EncoderHandler({
      emit: () => undefined,
      fetch: async () => {
        throw new TypeError('Failed to fetch');
      },
    });
    await failing.handle(({ id: newId(), type: 'setBackend', preference: 'cpu' }));
    const { response } = await failing.handle(
      ({ id: newId(), type: 'loadModel', source: { kind: 'url', id: 'x', baseUrl: 'http://localhost:1/models/x/' } }),
    );
    expect(response).toMatchObject({ type: 'error', error: { code: 'network' } });
  });

  it('cancels a load in progress and keeps the previous model', async () => {
    let release: () => void = () => undefined;
    const stalled = new EncoderHandler({
      emit: () => undefined,
      fetch: (_input, init) =>
        new Promise<Response>((_resolve, reject) => {
          release = () => reject(init?.signal?.reason ?? new DOMException('aborted', 'AbortError'));
          init?.signal?.addEventListener('abort', release, { once: true });
        }),
    });
    await stalled.handle(({ id: newId(), type: 'setBackend', preference: 'cpu' }));
    resultOf((await stalled.handle(({ id: newId(), type: 'loadModel', source: tinySource() }))).response);

    const load: EncoderRequest = ({ id: newId(), type: 'loadModel', source: { kind: 'url', id: 'slow', baseUrl: 'http://localhost:1/slow/' } });
    const pending = stalled.handle(load);
    await new Promise((r) => setTimeout(r, 20));
    const cancel = await stalled.handle(({ id: newId(), type: 'cancel', target: load.id }));
    expect(cancel.response).toMatchObject({ type: 'result', result: { cancelled: true } });
    expect((await pending).response).toMatchObject({ type: 'error', error: { name: 'AbortError' } });
    expect(stalled.state.model?.id).toBe('tiny-bert');
  });

  it('rebuilds the loaded model when the backend changes', async () => {
    await handler.handle(({ id: newId(), type: 'setBackend', preference: 'cpu' }));
    resultOf((await handler.handle(({ id: newId(), type: 'loadModel', source: tinySource() }))).response);
    const before = await handler.handle(({ id: newId(), type: 'embed', texts: ['same text'] }));
    const switched = await handler.handle(({ id: newId(), type: 'setBackend', preference: 'cpu' }));
    expect(switched.response).toMatchObject({ type: 'result', result: { model: { id: 'tiny-bert' } } });
    const after = await handler.handle(({ id: newId(), type: 'embed', texts: ['same text'] }));
    if (before.response.type !== 'result' || after.response.type !== 'result') throw new Error('embed failed');
    const a = (before.response.result as { embeddings: Float32Array }).embeddings;
    const b = (after.response.result as { embeddings: Float32Array }).embeddings;
    expect(Array.from(b)).toEqual(Array.from(a));
  });
});
