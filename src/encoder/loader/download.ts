/**
 * Fetches one file over HTTP, streaming the body so progress can be reported in bytes, and turns every way a
 * download can fail into a ModelLoadError (or the abort reason, when the caller aborted).
 */
import { ModelLoadError } from '../errors';

export interface DownloadOptions {
  fetch: typeof fetch;
  signal?: AbortSignal;
  /** The body's declared size (Content-Length), once the headers arrive; not called when unknown. */
  onTotal?: (bytes: number) => void;
  /** Bytes received so far for this file, after each chunk. */
  onBytes?: (loaded: number) => void;
}

/**
 * Statuses that mean "this file is not there". The Hub answers 401 (not 404) for a repository that does not
 * exist or is private, and 403 for a gated one.
 */
const ABSENT_STATUSES = new Set([401, 403, 404, 410]);

/** The file's bytes, or undefined when the server says it does not exist. `where` describes the source for messages. */
export async function downloadFile(url: string, file: string, where: string, opts: DownloadOptions): Promise<ArrayBuffer | undefined> {
  let response: Response;
  try {
    response = await opts.fetch(url, { signal: opts.signal });
  } catch (err) {
    throw opts.signal?.aborted ? opts.signal.reason : networkError(file, where, url, err);
  }
  if (ABSENT_STATUSES.has(response.status)) {
    await response.body?.cancel().catch(() => undefined);
    return undefined;
  }
  if (!response.ok) {
    await response.body?.cancel().catch(() => undefined);
    throw new ModelLoadError(
      'network',
      `Fetching ${file} of ${where} failed: the server answered HTTP ${response.status} ${response.statusText} for ${url}. Try again later.`,
      file,
    );
  }

  const declared = declaredLength(response);
  if (declared !== undefined) opts.onTotal?.(declared);
  const chunks: Uint8Array[] = [];
  let received = 0;
  try {
    if (response.body) {
      const reader = response.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        chunks.push(value);
        received += value.byteLength;
        opts.onBytes?.(received);
      }
    } else {
      const whole = new Uint8Array(await response.arrayBuffer());
      chunks.push(whole);
      received = whole.byteLength;
      opts.onBytes?.(received);
    }
  } catch (err) {
    if (opts.signal?.aborted) throw opts.signal.reason;
    // A connection cut mid-body: with a declared length we know the file arrived short.
    if (declared !== undefined && received < declared) throw truncatedError(file, where, received, declared);
    throw networkError(file, where, url, err);
  }
  if (declared !== undefined && received < declared) throw truncatedError(file, where, received, declared);
  return concat(chunks, received);
}

/** Content-Length, when it counts the bytes we will read (not when the body is content-encoded). */
function declaredLength(response: Response): number | undefined {
  const encoding = response.headers.get('content-encoding');
  if (encoding && encoding !== 'identity') return undefined;
  const length = Number(response.headers.get('content-length') ?? NaN);
  return Number.isInteger(length) && length >= 0 ? length : undefined;
}

function concat(chunks: Uint8Array[], total: number): ArrayBuffer {
  if (chunks.length === 1 && chunks[0].byteOffset === 0 && chunks[0].byteLength === chunks[0].buffer.byteLength) {
    return chunks[0].buffer as ArrayBuffer;
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  return out.buffer;
}

function networkError(file: string, where: string, url: string, err: unknown): ModelLoadError {
  const why = err instanceof Error ? err.message : String(err);
  return new ModelLoadError(
    'network',
    `Could not download ${file} of ${where} from ${url} (${why}). Check the network connection and try again.`,
    file,
  );
}

/** A body shorter than its Content-Length. For the weights this is 'corrupt-weights' (what a parse would find). */
function truncatedError(file: string, where: string, received: number, declared: number): ModelLoadError {
  return new ModelLoadError(
    file.endsWith('.safetensors') ? 'corrupt-weights' : 'network',
    `${file} of ${where} arrived truncated: ${received} of ${declared} bytes. The download was cut short; try again.`,
    file,
  );
}
