/**
 * Where a checkpoint's files come from, and the one place that turns (source, file name) into a URL.
 * The loader never builds a URL anywhere else, so cache keys and fetched addresses always agree.
 */

export type ModelSource =
  /** A folder served over HTTP, e.g. `{ kind: 'url', id: 'all-MiniLM-L6-v2', baseUrl: '/models/all-MiniLM-L6-v2/' }`. */
  | { kind: 'url'; id: string; baseUrl: string }
  /** A Hugging Face Hub model id (`org/name`), resolved as the Hub does (see `fileUrl`). */
  | { kind: 'hub'; id: string; revision?: string; endpoint?: string }
  /**
   * Files a person picked. Keys are paths relative to the model folder (`config.json`, `1_Pooling/config.json`);
   * keys that still carry the picked folder's own name (`webkitRelativePath`, `my-model/config.json`) also match.
   */
  | { kind: 'files'; id: string; files: Record<string, Blob | ArrayBuffer> };

export const HUB_ENDPOINT = 'https://huggingface.co';
export const HUB_DEFAULT_REVISION = 'main';

/** The folder URL that every file of an HTTP source sits under (ends with '/'); undefined for picked files. */
export function sourceBaseUrl(source: ModelSource): string | undefined {
  switch (source.kind) {
    case 'url':
      return absolutise(source.baseUrl.endsWith('/') ? source.baseUrl : `${source.baseUrl}/`);
    case 'hub': {
      const endpoint = (source.endpoint ?? HUB_ENDPOINT).replace(/\/+$/, '');
      const revision = encodeURIComponent(source.revision ?? HUB_DEFAULT_REVISION);
      return `${endpoint}/${source.id}/resolve/${revision}/`;
    }
    case 'files':
      return undefined;
  }
}

/**
 * The URL of one file: `${baseUrl}${file}` for 'url' sources, and for the Hub
 * `${endpoint ?? 'https://huggingface.co'}/${id}/resolve/${encodeURIComponent(revision ?? 'main')}/${file}`.
 * It is also the file's key in the model cache.
 */
export function fileUrl(source: ModelSource, file: string): string | undefined {
  const base = sourceBaseUrl(source);
  return base === undefined ? undefined : `${base}${file}`;
}

/**
 * The prefix shared by every cache key of this source: `modelCache.delete(cachePrefix(source))` forgets the model.
 * (The Hub's `main` is a moving branch: a cached `main` stays as first downloaded until it is deleted.)
 */
export function cachePrefix(source: ModelSource): string | undefined {
  return sourceBaseUrl(source);
}

/** A short human description for error messages: `the Hub model "org/name" (revision main)`. */
export function describeSource(source: ModelSource): string {
  switch (source.kind) {
    case 'url':
      return `the model folder ${sourceBaseUrl(source)}`;
    case 'hub':
      return `the Hub model "${source.id}" (revision ${source.revision ?? HUB_DEFAULT_REVISION})`;
    case 'files':
      return `the picked files of "${source.id}"`;
  }
}

/**
 * Finds a picked file by its path in the model folder. When every key starts with the same folder name (a
 * folder picked with `webkitdirectory` gives `my-model/config.json`), that leading folder is ignored.
 */
export function pickedFile(files: Record<string, Blob | ArrayBuffer>, file: string): Blob | ArrayBuffer | undefined {
  if (Object.hasOwn(files, file)) return files[file];
  const keys = Object.keys(files);
  const folder = keys[0]?.split('/')[0];
  const shared = keys.length > 0 && keys.every((key) => key.startsWith(`${folder}/`));
  return shared ? files[`${folder}/${file}`] : undefined;
}

/**
 * Resolves a relative base (`/models/x/`) against the page or worker location, so cache keys are absolute URLs
 * (the Cache API needs them). Where there is no location (Node tests), the base is kept as written.
 */
function absolutise(base: string): string {
  const here = (globalThis as { location?: { href?: string } }).location?.href;
  if (!here) return base;
  try {
    return new URL(base, here).href;
  } catch {
    return base;
  }
}
