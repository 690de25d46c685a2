/**
 * Reads a checkpoint's files from one source, through the model cache, checked against manifest.json.
 *
 * - HTTP sources ('url', 'hub') are looked up in the cache first, keyed by the file's URL; a miss is downloaded.
 * - Downloads are written to the cache only by `commit()`, which the loader calls once the whole checkpoint has
 *   parsed and validated, so a broken or half-read checkpoint never lands in the cache. `commit()` also stores
 *   which optional files were absent, so a reload from the cache makes no requests at all.
 * - A cached entry that fails the manifest check, or fails to parse (`readParsed`), is evicted and fetched again,
 *   once. Fresh bytes that fail are an error.
 * - 'files' sources (picked by a person) are read directly and never cached.
 */
import type { ModelSource } from './source';
import type { ModelCache } from '../../storage/modelCache';
import { fileUrl, describeSource, pickedFile, sourceBaseUrl } from './source';
import { downloadFile } from './download';
import { manifestMismatch, type Manifest } from './manifest';
import type { ProgressTracker } from './progress';
import { ModelLoadError } from '../errors';

export interface CheckpointFilesOptions {
  cache?: ModelCache;
  fetch: typeof fetch;
  signal?: AbortSignal;
  progress: ProgressTracker;
}

interface ReadResult {
  data: ArrayBuffer;
  fromCache: boolean;
}

/** Cache key suffix (after the source's folder URL) of the list of optional files the source does not have. */
const ABSENT_INDEX_SUFFIX = '?tabtune-absent-files';

export class CheckpointFiles {
  /** Set by the loader once manifest.json is read; every later read is checked against it. */
  manifest: Manifest | undefined;
  /** sha256 hex of files checked against the manifest, so the fingerprint need not hash them again. */
  readonly hashes = new Map<string, string>();
  /** Bytes of every file returned. */
  bytesRead = 0;
  readonly where: string;

  private readonly downloaded = new Map<string, ArrayBuffer>();
  private readonly absent = new Set<string>();
  private knownAbsent = new Set<string>();
  private readonly indexKey: string | undefined;

  constructor(
    private readonly source: ModelSource,
    private readonly opts: CheckpointFilesOptions,
  ) {
    this.where = describeSource(source);
    const base = sourceBaseUrl(source);
    this.indexKey = opts.cache && base !== undefined ? `${base}${ABSENT_INDEX_SUFFIX}` : undefined;
  }

  /** Loads the cached list of absent optional files (call once, before reading). */
  async open(): Promise<void> {
    if (!this.indexKey) return;
    const raw = await this.cacheGet(this.indexKey);
    if (!raw) return;
    try {
      const list: unknown = JSON.parse(new TextDecoder().decode(raw));
      if (Array.isArray(list)) this.knownAbsent = new Set(list.map(String));
    } catch {
      await this.opts.cache?.delete(this.indexKey).catch(() => 0);
    }
  }

  /** The file's bytes, or undefined when the source does not have it. */
  async read(file: string, opts: { skipCache?: boolean } = {}): Promise<ReadResult | undefined> {
    this.throwIfAborted();
    if (this.knownAbsent.has(file)) {
      this.absent.add(file);
      return undefined;
    }
    const key = this.opts.cache ? fileUrl(this.source, file) : undefined;
    if (key !== undefined && !opts.skipCache) {
      const cached = await this.cacheGet(key);
      if (cached && (await this.check(file, cached)) === undefined) {
        this.opts.progress.update(file, cached.byteLength, true);
        return this.deliver(cached, true);
      }
      if (cached) await this.evict(file);
    }
    const data = await this.fetchFresh(file);
    if (!data) {
      this.absent.add(file);
      this.opts.progress.forget(file);
      return undefined;
    }
    const mismatch = await this.check(file, data);
    if (mismatch !== undefined) {
      throw new ModelLoadError(
        'checksum',
        `${file} of ${this.where} does not match manifest.json: ${mismatch}. The file was altered or damaged; re-download or re-export the checkpoint.`,
        file,
      );
    }
    if (key !== undefined) this.downloaded.set(file, data);
    return this.deliver(data, false);
  }

  /** Like `read`, but a missing file is ModelLoadError('missing-file'). */
  async require(file: string, opts: { skipCache?: boolean } = {}): Promise<ReadResult> {
    const result = await this.read(file, opts);
    if (result) return result;
    throw new ModelLoadError(
      'missing-file',
      `${this.where} has no ${file}, which Tabtune needs (config.json, tokenizer.json and model.safetensors are required). Add the file or pick a complete checkpoint.`,
      file,
    );
  }

  /**
   * Reads and parses a file. When the bytes came from the cache and do not parse, the entry is evicted and the file
   * fetched and parsed again, once. Returns undefined for an absent optional file.
   */
  async readParsed<T>(
    file: string,
    required: boolean,
    parse: (data: ArrayBuffer) => T,
    opts: { skipCache?: boolean } = {},
  ): Promise<{ value: T; data: ArrayBuffer } | undefined> {
    const first = required ? await this.require(file, opts) : await this.read(file, opts);
    if (!first) return undefined;
    try {
      return { value: parse(first.data), data: first.data };
    } catch (err) {
      if (!first.fromCache) throw err;
    }
    await this.evict(file);
    this.bytesRead -= first.data.byteLength;
    const again = required ? await this.require(file, { skipCache: true }) : await this.read(file, { skipCache: true });
    return again ? { value: parse(again.data), data: again.data } : undefined;
  }

  /** Writes what was downloaded, and the list of absent files, to the cache. Cache failures do not fail the load. */
  async commit(): Promise<void> {
    const cache = this.opts.cache;
    if (!cache || !this.indexKey) return;
    const unchanged = this.downloaded.size === 0 && [...this.absent].every((file) => this.knownAbsent.has(file));
    if (unchanged) return; // a reload served entirely from the cache writes nothing
    try {
      for (const [file, data] of this.downloaded) await cache.put(fileUrl(this.source, file) as string, data);
      const absent = new TextEncoder().encode(JSON.stringify([...this.absent].sort()));
      await cache.put(this.indexKey, absent.buffer);
    } catch (err) {
      // The cache only saves a download next time (quota full, private mode); the checkpoint itself is fine.
      console.warn(`Tabtune could not cache ${this.where}; it will be downloaded again next time.`, err);
    }
    this.downloaded.clear();
  }

  private async fetchFresh(file: string): Promise<ArrayBuffer | undefined> {
    const progress = this.opts.progress;
    if (this.source.kind === 'files') {
      const picked = pickedFile(this.source.files, file);
      if (picked === undefined) return undefined;
      const data = picked instanceof ArrayBuffer ? picked.slice(0) : await picked.arrayBuffer();
      progress.expect(file, data.byteLength);
      progress.update(file, data.byteLength, false);
      return data;
    }
    const url = fileUrl(this.source, file) as string;
    return downloadFile(url, file, this.where, {
      fetch: this.opts.fetch,
      signal: this.opts.signal,
      onTotal: (bytes) => progress.expect(file, bytes),
      onBytes: (loaded) => progress.update(file, loaded, false),
    });
  }

  private async check(file: string, data: ArrayBuffer): Promise<string | undefined> {
    return manifestMismatch(this.manifest, file, data, (hex) => this.hashes.set(file, hex));
  }

  private deliver(data: ArrayBuffer, fromCache: boolean): ReadResult {
    this.bytesRead += data.byteLength;
    return { data, fromCache };
  }

  private async evict(file: string): Promise<void> {
    const key = fileUrl(this.source, file);
    this.hashes.delete(file);
    if (key !== undefined) await this.opts.cache?.delete(key).catch(() => 0);
  }

  private async cacheGet(key: string): Promise<ArrayBuffer | undefined> {
    try {
      return await this.opts.cache?.get(key);
    } catch {
      return undefined; // an unreadable cache is a miss
    }
  }

  private throwIfAborted(): void {
    if (this.opts.signal?.aborted) throw this.opts.signal.reason;
  }
}
