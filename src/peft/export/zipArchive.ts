/**
 * Zip archives of named files, over fflate, with the integrity check fflate leaves out: every file's bytes are
 * checked against the CRC-32 its central-directory entry records (what `unzip -t` does), so a bit flipped in
 * transit is reported instead of loaded. Zip layout: APPNOTE.TXT 4.3 (local headers, central directory,
 * end-of-central-directory record at the end).
 */
import { unzipSync, zipSync } from 'fflate';
import { DeltaImportError } from './errors';

const LOCAL_HEADER = 0x04034b50; // "PK\3\4"
const CENTRAL_HEADER = 0x02014b50; // "PK\1\2"
const END_OF_DIRECTORY = 0x06054b50; // "PK\5\6"
const END_RECORD_BYTES = 22; // without its comment (at most 65535 bytes)

const ZIP_EPOCH = Date.UTC(1980, 0, 2); // zip's DOS timestamps cover 1980-2099 (a day in, for time zones)
const ZIP_END = Date.UTC(2099, 11, 30);

/** A deterministic archive: files in the given order, deflated, all stamped with `time` (clamped to zip's range). */
export function zipFiles(files: Record<string, Uint8Array>, time: Date): Uint8Array {
  const mtime = new Date(Math.min(Math.max(time.getTime(), ZIP_EPOCH), ZIP_END));
  return zipSync(Object.fromEntries(Object.entries(files).map(([name, data]) => [name, [data, { level: 6, mtime }]])));
}

/** Unzips and verifies every file's CRC-32; throws DeltaImportError('not-a-zip' | 'truncated'). */
export function unzipVerified(bytes: Uint8Array): Map<string, Uint8Array> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < 4 || view.getUint32(0, true) !== LOCAL_HEADER) {
    throw new DeltaImportError('not-a-zip', 'This file is not a zip archive. Pick the .zip that Tabtune exported (not a folder or a single file from it).');
  }
  const truncated = (why: string): never => {
    throw new DeltaImportError('truncated', `The zip is damaged (${why}); it was probably cut short while downloading or copying. Export or download it again.`);
  };
  const crcs = centralDirectoryCrcs(bytes, view) ?? truncated('its table of contents is missing or incomplete');
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes);
  } catch (e) {
    return truncated(`its contents cannot be expanded: ${(e as Error).message}`);
  }
  const out = new Map<string, Uint8Array>();
  for (const [name, data] of Object.entries(files)) {
    if (name.endsWith('/')) continue; // a folder entry
    if (crcs.get(name) !== crc32(data)) truncated(`"${name}" fails its checksum`);
    out.set(name.includes('/') ? name.slice(name.lastIndexOf('/') + 1) : name, data); // re-zipped with its folder
  }
  return out;
}

/** name -> CRC-32 from the central directory, or undefined when it cannot be read whole. */
function centralDirectoryCrcs(bytes: Uint8Array, view: DataView): Map<string, number> | undefined {
  let end = -1;
  for (let at = bytes.byteLength - END_RECORD_BYTES; at >= Math.max(0, bytes.byteLength - END_RECORD_BYTES - 0xffff); at--) {
    if (view.getUint32(at, true) === END_OF_DIRECTORY) {
      end = at;
      break;
    }
  }
  if (end < 0) return undefined;
  const count = view.getUint16(end + 10, true);
  let at = view.getUint32(end + 16, true);
  const names = new TextDecoder();
  const crcs = new Map<string, number>();
  for (let i = 0; i < count; i++) {
    if (at + 46 > end || view.getUint32(at, true) !== CENTRAL_HEADER) return undefined;
    const nameLen = view.getUint16(at + 28, true);
    const extraLen = view.getUint16(at + 30, true);
    const commentLen = view.getUint16(at + 32, true);
    crcs.set(names.decode(bytes.subarray(at + 46, at + 46 + nameLen)), view.getUint32(at + 16, true));
    at += 46 + nameLen + extraLen + commentLen;
  }
  return crcs;
}

let table: Uint32Array | undefined;

/** CRC-32 (IEEE 802.3, as zip uses), unsigned. */
export function crc32(data: Uint8Array): number {
  if (!table) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = table[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
