/**
 * A task as bytes, and those bytes as a link: pure functions, no DOM, no storage, nothing sent anywhere (the
 * payload rides in the URL fragment, which browsers never send to a server).
 *
 * Bytes (big-endian):
 *   [0, 4)   magic "TTSK"
 *   [4]      format version (SHARE_FORMAT_VERSION)
 *   [5, 9)   length of the compressed body in bytes
 *   [9, 13)  CRC-32 of bytes [0, 9) followed by the body: any changed byte, anywhere, is caught
 *   [13, …)  body: raw DEFLATE (fflate) of [u32 JSON length][JSON (SharedTaskJson) as UTF-8][delta zip bytes]
 *
 * A task file (<name>.tabtune) holds these bytes as they are; a link holds them as base64url after `#share=`.
 * Reading checks, in order: magic, version (a newer one is named as such, not as damage), length (a cut-off
 * link is named as such), checksum, then every field of the JSON.
 */
import { deflateSync, inflateSync, strFromU8, strToU8 } from 'fflate';
import { crc32 } from '../peft/export/zipArchive';
import { fromBase64Url, toBase64Url } from './base64url';
import { ShareError } from './errors';
import { parseSharedTask, toSharedJson, type SharedTask } from './sharedTask';

/** Bumped when an older Tabtune could not read what a newer one writes. */
export const SHARE_FORMAT_VERSION = 1;
const MAGIC = [0x54, 0x54, 0x53, 0x4b]; // "TTSK"
const HEADER_BYTES = 13;

/** The fragment key: `https://…/#share=<base64url>`. */
export const SHARE_FRAGMENT_PREFIX = '#share=';

/**
 * The longest share link Tabtune makes, whole URL included. Chromium accepts URLs up to 2 MiB
 * (url::kMaxURLChars; "Chrome limits URLs to a maximum length of 2MB", docs/security/url_display_guidelines.md)
 * but its address bar shows only the first 32 KiB (kMaxURLDisplayChars): a link longer than that cannot be seen
 * or copied whole from the address bar, and mail and chat apps cut long links sooner still. Larger tasks go in
 * a task file instead.
 */
export const MAX_LINK_CHARS = 32 * 1024;

/** The file extension of a task file. */
export const TASK_FILE_EXTENSION = '.tabtune';

/** Where the bytes came from, for messages: a link or a task file. */
export type ShareMedium = 'link' | 'file';

export function encodeSharedTask(task: SharedTask): Uint8Array {
  const json = strToU8(JSON.stringify(toSharedJson(task)));
  const zip = task.delta?.zip ?? new Uint8Array(0);
  const inner = new Uint8Array(4 + json.byteLength + zip.byteLength);
  new DataView(inner.buffer).setUint32(0, json.byteLength);
  inner.set(json, 4);
  inner.set(zip, 4 + json.byteLength);
  const body = deflateSync(inner, { level: 9 });
  const out = new Uint8Array(HEADER_BYTES + body.byteLength);
  const view = new DataView(out.buffer);
  out.set(MAGIC, 0);
  out[4] = SHARE_FORMAT_VERSION;
  view.setUint32(5, body.byteLength);
  out.set(body, HEADER_BYTES);
  view.setUint32(9, checksum(out));
  return out;
}

/** CRC-32 of the header before the checksum field and the body after it. */
function checksum(bytes: Uint8Array): number {
  const covered = new Uint8Array(bytes.byteLength - 4);
  covered.set(bytes.subarray(0, 9), 0);
  covered.set(bytes.subarray(HEADER_BYTES), 9);
  return crc32(covered);
}

const noun = (medium: ShareMedium) => (medium === 'link' ? 'link' : 'task file');
const again = (medium: ShareMedium) => (medium === 'link' ? 'Copy the whole link again, or ask for the task file instead' : 'Download or copy the task file again');

export function decodeSharedTask(bytes: Uint8Array, medium: ShareMedium): SharedTask {
  const what = noun(medium);
  const notShare = () => new ShareError('not-a-share', medium === 'link' ? 'This is not a Tabtune share link. Paste the whole link as it was sent to you; it contains "#share=".' : 'This file is not a Tabtune task file. Pick a .tabtune file that Tabtune saved.');
  const magicSeen = Math.min(bytes.byteLength, MAGIC.length);
  for (let i = 0; i < magicSeen; i++) if (bytes[i] !== MAGIC[i]) throw notShare();
  if (bytes.byteLength < HEADER_BYTES) {
    if (bytes.byteLength > 4 && bytes[4] > SHARE_FORMAT_VERSION) throw newer(bytes[4], medium);
    throw new ShareError('truncated', `This ${what} is cut off: it ends before its header does. ${again(medium)}.`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = bytes[4];
  if (version > SHARE_FORMAT_VERSION) throw newer(version, medium);
  const damaged = (why: string) => new ShareError('damaged', `This ${what} was changed or damaged after it was made (${why}), so it was not opened. ${again(medium)}.`);
  if (version < 1) throw damaged('its format version is 0');
  const bodyLength = view.getUint32(5);
  const have = bytes.byteLength - HEADER_BYTES;
  if (have < bodyLength) throw new ShareError('truncated', `This ${what} is cut off: it holds ${have.toLocaleString('en')} of its ${bodyLength.toLocaleString('en')} bytes. ${again(medium)}.`);
  if (have > bodyLength) throw damaged(`${(have - bodyLength).toLocaleString('en')} bytes more than it says it holds`);
  if (view.getUint32(9) !== checksum(bytes)) throw damaged('its checksum does not match');

  let inner: Uint8Array;
  let json: unknown;
  try {
    inner = inflateSync(bytes.subarray(HEADER_BYTES));
    const jsonLength = new DataView(inner.buffer, inner.byteOffset, inner.byteLength).getUint32(0);
    if (4 + jsonLength > inner.byteLength) throw new Error('short');
    json = JSON.parse(strFromU8(inner.subarray(4, 4 + jsonLength)));
    return parseSharedTask(json, inner.slice(4 + jsonLength), what);
  } catch (e) {
    if (e instanceof ShareError) throw e;
    throw damaged('its contents do not decompress');
  }
}

function newer(version: number, medium: ShareMedium): ShareError {
  return new ShareError('newer-version', `This ${noun(medium)} was made by a newer Tabtune (share format ${version}; this one reads up to ${SHARE_FORMAT_VERSION}). Reload the page to get the latest Tabtune, then open it again.`);
}

// ---- links ---------------------------------------------------------------------------------------------

/** `base` is the studio's address without a fragment (location.origin + location.pathname). */
export function shareLinkFor(bytes: Uint8Array, base: string): string {
  return `${base}${SHARE_FRAGMENT_PREFIX}${toBase64Url(bytes)}`;
}

export type ShareLinkResult =
  | { kind: 'link'; url: string; withDelta: boolean }
  /** Too long even without the delta: `chars` is the shortest link this task makes. */
  | { kind: 'too-large'; chars: number; limit: number };

/**
 * A link for the task, with its delta when the link stays within `limit`; otherwise without the delta; when
 * even that is too long, 'too-large' (offer a task file).
 */
export function makeShareLink(task: SharedTask, base: string, limit = MAX_LINK_CHARS): ShareLinkResult {
  const withDelta = shareLinkFor(encodeSharedTask(task), base);
  if (withDelta.length <= limit) return { kind: 'link', url: withDelta, withDelta: task.delta !== null };
  if (task.delta) {
    const without = shareLinkFor(encodeSharedTask({ ...task, delta: null }), base);
    if (without.length <= limit) return { kind: 'link', url: without, withDelta: false };
    return { kind: 'too-large', chars: without.length, limit };
  }
  return { kind: 'too-large', chars: withDelta.length, limit };
}

/** True when a URL or fragment carries a share (the studio checks this on start and on hash changes). */
export function hasShareFragment(urlOrHash: string): boolean {
  return urlOrHash.includes(SHARE_FRAGMENT_PREFIX);
}

/** Reads a pasted link (or just its fragment); whitespace that mail or chat inserted is ignored. */
export function decodeShareLink(text: string): SharedTask {
  const at = text.indexOf(SHARE_FRAGMENT_PREFIX);
  if (at < 0) throw new ShareError('not-a-share', 'This is not a Tabtune share link. Paste the whole link as it was sent to you; it contains "#share=".');
  const payload = text.slice(at + SHARE_FRAGMENT_PREFIX.length).replace(/\s+/g, '');
  const bytes = fromBase64Url(payload);
  if (!bytes) {
    throw new ShareError('damaged', 'This link was changed or damaged after it was made (it holds characters a share link never has), so it was not opened. Copy the whole link again, or ask for the task file instead.');
  }
  return decodeSharedTask(bytes, 'link');
}

/** A name safe as a file name: runs of characters file systems refuse become one '-', none at either end. */
export function safeFileStem(name: string): string {
  return name.replace(/[\\/:*?"<>|\u0000-\u001f]+/g, '-').replace(/^[.\s-]+|[.\s-]+$/g, '').slice(0, 80) || 'task';
}

/** A file name for the task file: the task's name, made safe, with the .tabtune extension. */
export function taskFileName(name: string): string {
  return `${safeFileStem(name)}${TASK_FILE_EXTENSION}`;
}
