/**
 * The one loader for every checkpoint: the bundled int8 model, a Hugging Face Hub id, or files a person picked.
 *
 * Order of work: manifest.json (optional; when present every later file is checked against it; always fetched
 * fresh for 'url' sources), config.json
 * (validated first, so an unsupported model fails before its weights download), then tokenizer.json,
 * model.safetensors and the pooling files in parallel. A failure in one aborts the other downloads.
 *
 * Errors are ModelLoadError with a code (see ../errors.ts); an abort through `signal` rejects with the signal's
 * reason (a DOMException 'AbortError' by default), not a ModelLoadError.
 */
import type { Checkpoint, LoadProgress, PoolingConfig } from '../types';
import type { ModelCache } from '../../storage/modelCache';
import type { ModelSource } from './source';
import { ModelLoadError, type ModelErrorCode } from '../errors';
import { parseSafetensors } from '../weights/safetensors';
import { CheckpointFiles } from './checkpointFiles';
import { parseBertConfig } from './config';
import { MANIFEST_FILE, parseManifest, sha256Hex } from './manifest';
import { DEFAULT_POOLING, MODULES_FILE, POOLING_FILE, parseModulesJson, parsePoolingJson, parseSentenceTransformersPooling } from './pooling';
import { ProgressTracker } from './progress';
import { detectQuantization, normaliseTensorNames, validateWeights } from './validateWeights';

export const CONFIG_FILE = 'config.json';
export const TOKENIZER_FILE = 'tokenizer.json';
export const WEIGHTS_FILE = 'model.safetensors';

export interface LoadCheckpointOptions {
  /** Called as bytes arrive (see ProgressTracker for what `total` means). */
  onProgress?: (p: LoadProgress) => void;
  /** Where downloads are kept between sessions; without one every load downloads. Unused for 'files' sources. */
  cache?: ModelCache;
  /** Defaults to the global fetch. */
  fetch?: typeof fetch;
  signal?: AbortSignal;
}

export async function loadCheckpoint(source: ModelSource, opts: LoadCheckpointOptions = {}): Promise<Checkpoint> {
  // One controller for our own downloads: aborted by the caller's signal, or by us when a parallel read fails.
  const controller = new AbortController();
  const forwardAbort = () => controller.abort(opts.signal?.reason);
  if (opts.signal?.aborted) throw opts.signal.reason;
  opts.signal?.addEventListener('abort', forwardAbort, { once: true });

  const progress = new ProgressTracker(opts.onProgress);
  const files = new CheckpointFiles(source, {
    cache: opts.cache,
    fetch: opts.fetch ?? globalThis.fetch.bind(globalThis),
    signal: controller.signal,
    progress,
  });
  const where = files.where;
  try {
    await files.open();
    // A folder we serve ourselves ('url') may be redeployed with new weights under the same URLs: its small
    // manifest is always fetched fresh, and cached files whose sha256 no longer matches it are fetched again.
    const manifest = await files.readParsed(MANIFEST_FILE, false, (d) => parseManifest(json(d, MANIFEST_FILE, where, 'checksum'), where), {
      skipCache: source.kind === 'url',
    });
    if (manifest) {
      files.manifest = manifest.value;
      for (const file of [CONFIG_FILE, TOKENIZER_FILE, WEIGHTS_FILE, POOLING_FILE]) {
        const entry = manifest.value.get(file);
        if (entry) progress.expect(file, entry.bytes);
      }
    }

    const configRead = await files.readParsed(CONFIG_FILE, true, (d) => json(d, CONFIG_FILE, where, 'config-mismatch'));
    const config = parseBertConfig(configRead?.value, where);

    const [tokenizer, weights, pooling] = await allOrAbort(controller, [
      files.readParsed(TOKENIZER_FILE, true, (d) => json(d, TOKENIZER_FILE, where, 'bad-tokenizer')),
      files.readParsed(WEIGHTS_FILE, true, (d) => parseSafetensors(d, WEIGHTS_FILE)),
      readPooling(files),
    ] as const);
    const tokenizerJson = tokenizer?.value;
    if (typeof tokenizerJson !== 'object' || tokenizerJson === null || Array.isArray(tokenizerJson)) {
      throw new ModelLoadError('bad-tokenizer', `tokenizer.json of ${where} is not a JSON object. Re-export the tokenizer with transformers.`, TOKENIZER_FILE);
    }
    const { value: parsed, data: weightBytes } = weights!;
    const quantization = detectQuantization(parsed.metadata, where);
    const named = normaliseTensorNames(parsed);
    validateWeights(config, named, quantization, where);
    const fingerprint = files.hashes.get(WEIGHTS_FILE) ?? (await sha256Hex(weightBytes));

    await files.commit();
    return {
      id: source.id,
      config,
      pooling,
      tokenizerJson,
      weights: named,
      quantization,
      fingerprint,
      bytes: files.bytesRead,
    };
  } finally {
    opts.signal?.removeEventListener('abort', forwardAbort);
  }
}

/** pooling.json, else sentence-transformers' modules.json + its Pooling config, else DEFAULT_POOLING. */
async function readPooling(files: CheckpointFiles): Promise<PoolingConfig> {
  const where = files.where;
  const own = await files.readParsed(POOLING_FILE, false, (d) => parsePoolingJson(json(d, POOLING_FILE, where, 'config-mismatch'), where));
  if (own) return own.value;
  const modules = await files.readParsed(MODULES_FILE, false, (d) => parseModulesJson(json(d, MODULES_FILE, where, 'config-mismatch'), where));
  if (!modules) return DEFAULT_POOLING;
  const { poolingConfigFile, normalize } = modules.value;
  if (!poolingConfigFile) return { ...DEFAULT_POOLING, normalize };
  const st = await files.readParsed(poolingConfigFile, false, (d) =>
    parseSentenceTransformersPooling(json(d, poolingConfigFile, where, 'config-mismatch'), poolingConfigFile, normalize, where),
  );
  return st?.value ?? { ...DEFAULT_POOLING, normalize };
}

/** Promise.all that aborts the sibling reads as soon as one fails, so no download keeps running for nothing. */
async function allOrAbort<T extends readonly unknown[]>(controller: AbortController, reads: { [K in keyof T]: Promise<T[K]> }): Promise<T> {
  try {
    return (await Promise.all(reads)) as unknown as T;
  } catch (err) {
    controller.abort(err);
    throw err;
  }
}

function json(data: ArrayBuffer, file: string, where: string, code: ModelErrorCode): unknown {
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(data));
  } catch {
    throw new ModelLoadError(code, `${file} of ${where} is not valid JSON. Re-download or re-export the checkpoint.`, file);
  }
}
