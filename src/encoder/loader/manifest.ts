/**
 * manifest.json (Tabtune's own, optional): `{"files": {"model.safetensors": {"bytes": 22713216, "sha256": "ab12..."}}}`.
 * When a checkpoint ships one, every file it lists is checked after reading (size, then sha256), from the network
 * and from the cache alike; files it does not list are read unchecked.
 */
import { ModelLoadError } from '../errors';

export const MANIFEST_FILE = 'manifest.json';

export interface ManifestEntry {
  bytes: number;
  /** Lower-case hex. */
  sha256: string;
}
export type Manifest = Map<string, ManifestEntry>;

export function parseManifest(json: unknown, where: string): Manifest {
  const files = (json as { files?: unknown } | null)?.files;
  if (typeof files !== 'object' || files === null || Array.isArray(files)) {
    throw malformed(where, 'it needs a "files" object');
  }
  const manifest: Manifest = new Map();
  for (const [name, raw] of Object.entries(files as Record<string, unknown>)) {
    const entry = raw as { bytes?: unknown; sha256?: unknown } | null;
    const sha256 = typeof entry?.sha256 === 'string' ? entry.sha256.toLowerCase() : '';
    if (!/^[0-9a-f]{64}$/.test(sha256) || typeof entry?.bytes !== 'number' || !Number.isInteger(entry.bytes) || entry.bytes < 0) {
      throw malformed(where, `the entry for "${name}" needs an integer "bytes" and a 64-digit hex "sha256"`);
    }
    manifest.set(name, { bytes: entry.bytes, sha256 });
  }
  return manifest;
}

/** sha256 of the bytes as lower-case hex (crypto.subtle: browsers, workers and Node 20). */
export async function sha256Hex(data: ArrayBuffer): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', data));
  let hex = '';
  for (const byte of digest) hex += byte.toString(16).padStart(2, '0');
  return hex;
}

/**
 * Returns why `data` does not match the manifest entry for `file`, or undefined when it matches (or the manifest
 * does not list the file). The sha256 computed on the way is handed to `onHash` so it is not computed twice.
 */
export async function manifestMismatch(
  manifest: Manifest | undefined,
  file: string,
  data: ArrayBuffer,
  onHash?: (hex: string) => void,
): Promise<string | undefined> {
  const entry = manifest?.get(file);
  if (!entry) return undefined;
  if (data.byteLength !== entry.bytes) return `it is ${data.byteLength} bytes, the manifest says ${entry.bytes}`;
  const hex = await sha256Hex(data);
  onHash?.(hex);
  return hex === entry.sha256 ? undefined : `its sha256 is ${hex}, the manifest says ${entry.sha256}`;
}

function malformed(where: string, why: string): ModelLoadError {
  return new ModelLoadError('checksum', `manifest.json of ${where} is malformed: ${why}. Re-download the checkpoint.`, MANIFEST_FILE);
}
