/** Both ModelCache implementations pass the same checks; the browser one runs over a minimal in-memory Cache API. */
import { describe, expect, it } from 'vitest';
import { BrowserModelCache, MemoryModelCache, MODEL_CACHE_NAME, openBrowserModelCache, type ModelCache } from './modelCache';

/** Just enough of the Cache API (match, put, keys, delete by URL) to run BrowserModelCache in Node. */
class FakeCache {
  readonly store = new Map<string, Response>();
  async match(key: RequestInfo | URL) {
    return this.store.get(String(key))?.clone();
  }
  async put(key: RequestInfo | URL, response: Response) {
    this.store.set(String(key), response);
  }
  async keys() {
    return [...this.store.keys()].map((url) => new Request(url));
  }
  async delete(key: RequestInfo | URL) {
    return this.store.delete(key instanceof Request ? key.url : String(key));
  }
}

const implementations: Array<[string, () => ModelCache]> = [
  ['MemoryModelCache', () => new MemoryModelCache()],
  ['BrowserModelCache', () => new BrowserModelCache(new FakeCache() as unknown as Cache)],
];

const base = 'http://localhost:5173/models/m/';
const bytes = (...values: number[]) => new Uint8Array(values).buffer;

describe.each(implementations)('%s', (_name, make) => {
  it('returns what was put, and undefined on a miss', async () => {
    const cache = make();
    await cache.put(`${base}config.json`, bytes(1, 2, 3));
    expect(new Uint8Array((await cache.get(`${base}config.json`))!)).toEqual(new Uint8Array([1, 2, 3]));
    expect(await cache.get(`${base}tokenizer.json`)).toBeUndefined();
  });

  it('keeps its own copy of the bytes', async () => {
    const cache = make();
    const data = bytes(7, 7);
    await cache.put(`${base}a`, data);
    new Uint8Array(data).fill(0);
    expect(new Uint8Array((await cache.get(`${base}a`))!)).toEqual(new Uint8Array([7, 7]));
  });

  it('deletes by prefix: one file, or a whole model', async () => {
    const cache = make();
    for (const f of ['config.json', 'model.safetensors', '1_Pooling/config.json']) await cache.put(`${base}${f}`, bytes(1));
    await cache.put('http://localhost:5173/models/other/config.json', bytes(2));
    expect(await cache.delete(`${base}config.json`)).toBe(1);
    expect(await cache.get(`${base}1_Pooling/config.json`)).toBeDefined();
    expect(await cache.delete(base)).toBe(2);
    expect(await cache.get('http://localhost:5173/models/other/config.json')).toBeDefined();
  });
});

describe('openBrowserModelCache', () => {
  it(`opens the "${MODEL_CACHE_NAME}" bucket, or gives undefined without the Cache API`, async () => {
    const opened: string[] = [];
    const storage = { open: async (name: string) => (opened.push(name), new FakeCache()) } as unknown as CacheStorage;
    expect(await openBrowserModelCache(storage)).toBeInstanceOf(BrowserModelCache);
    expect(opened).toEqual(['tabtune-models-v1']);
    expect(await openBrowserModelCache(undefined)).toBeUndefined();
  });
});
