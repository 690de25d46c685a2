/**
 * The model cache: downloaded checkpoint files, keyed by the URL they were fetched from, so a reload of the
 * studio does not download the encoder again. The loader (src/encoder/loader/) is its only writer.
 *
 * Two implementations of one small interface: the browser's Cache API (persistent, per origin) and a Map
 * (tests, and a fallback where the Cache API is missing, e.g. an insecure context).
 */

export interface ModelCache {
  /** The bytes stored under `key`, or undefined on a miss. The caller owns the returned buffer. */
  get(key: string): Promise<ArrayBuffer | undefined>;
  /** Stores a copy of `data` under `key`, replacing what was there. */
  put(key: string, data: ArrayBuffer): Promise<void>;
  /** Removes every entry whose key starts with `prefix` (a file's URL, or a model's folder URL); returns how many. */
  delete(prefix: string): Promise<number>;
}

/**
 * The Cache API bucket holding model files.
 * Do not change this name without a migration: a new name strands every user's cached models (~25-90 MB each)
 * in the old bucket until someone deletes it.
 */
export const MODEL_CACHE_NAME = 'tabtune-models-v1';

/** A ModelCache over the browser's Cache API. Keys must be absolute http(s) URLs. */
export class BrowserModelCache implements ModelCache {
  constructor(private readonly cache: Cache) {}

  async get(key: string): Promise<ArrayBuffer | undefined> {
    const response = await this.cache.match(key);
    return response ? response.arrayBuffer() : undefined;
  }

  async put(key: string, data: ArrayBuffer): Promise<void> {
    const headers = { 'content-type': 'application/octet-stream', 'content-length': String(data.byteLength) };
    await this.cache.put(key, new Response(data.slice(0), { status: 200, headers }));
  }

  async delete(prefix: string): Promise<number> {
    let removed = 0;
    for (const request of await this.cache.keys()) {
      if (request.url.startsWith(prefix) && (await this.cache.delete(request))) removed++;
    }
    return removed;
  }
}

/**
 * Opens the browser model cache, or returns undefined where the Cache API is unavailable (insecure context,
 * some private modes) so the caller can load without a cache.
 */
export async function openBrowserModelCache(
  storage: CacheStorage | undefined = (globalThis as { caches?: CacheStorage }).caches,
): Promise<ModelCache | undefined> {
  if (!storage) return undefined;
  try {
    return new BrowserModelCache(await storage.open(MODEL_CACHE_NAME));
  } catch {
    return undefined;
  }
}

/** A ModelCache in a Map. Buffers are copied in and out, so a caller transferring one to a worker cannot detach it. */
export class MemoryModelCache implements ModelCache {
  readonly entries = new Map<string, ArrayBuffer>();

  async get(key: string): Promise<ArrayBuffer | undefined> {
    return this.entries.get(key)?.slice(0);
  }

  async put(key: string, data: ArrayBuffer): Promise<void> {
    this.entries.set(key, data.slice(0));
  }

  async delete(prefix: string): Promise<number> {
    let removed = 0;
    for (const key of [...this.entries.keys()]) {
      if (key.startsWith(prefix)) {
        this.entries.delete(key);
        removed++;
      }
    }
    return removed;
  }
}
