/**
 * The share codec: a task (with a real exported delta on the tiny BERT) survives bytes, links and task files
 * unchanged; every changed, cut or foreign input is refused with the code that names what happened, never
 * decoded into something else.
 */
import { deflateSync, strToU8 } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';
import { readCheckpointDir, TINY_BERT_DIR } from '../encoder/bert/testing/fixtures';
import { importDelta } from '../peft/export';
import { freshDeltaExport } from '../peft/export/testing/freshExport';
import { crc32 } from '../peft/export/zipArchive';
import { initNodeBackend } from '../runtime/nodeBackends';
import { fromBase64Url, toBase64Url } from './base64url';
import {
  decodeSharedTask,
  decodeShareLink,
  encodeSharedTask,
  hasShareFragment,
  makeShareLink,
  MAX_LINK_CHARS,
  SHARE_FORMAT_VERSION,
  shareLinkFor,
  ShareError,
  taskFileName,
  type ShareErrorCode,
  type SharedTask,
} from '.';

const BASE = 'http://localhost:4393/';
const ckpt = readCheckpointDir(TINY_BERT_DIR);

function task(delta: SharedTask['delta'] = null): SharedTask {
  return {
    name: 'Reviews <b>bold</b>',
    labels: [
      { name: 'positive', description: 'the writer is pleased' },
      { name: '<script>alert(1)</script>', description: '' },
    ],
    examples: [
      { text: 'Great phone, love it', label: 0 },
      { text: 'Terrible battery\nand a second line', label: 1 },
      { text: 'Ünïcödé ✓ 日本語 🙂', label: 0 },
    ],
    settings: { method: { method: 'head' }, training: { epochs: 3 } },
    delta,
  };
}

/** The error code `f` throws (a ShareError), or 'no error'. */
function codeOf(f: () => unknown): ShareErrorCode | 'no error' {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ShareError);
    expect((e as Error).message.length).toBeGreaterThan(40);
    return (e as ShareError).code;
  }
  return 'no error';
}

/** Re-seals bytes after an edit, as a tool that knew the format would: the checksum matches again. */
function reseal(bytes: Uint8Array): Uint8Array {
  const out = bytes.slice();
  const covered = new Uint8Array(out.byteLength - 4);
  covered.set(out.subarray(0, 9), 0);
  covered.set(out.subarray(13), 9);
  new DataView(out.buffer).setUint32(9, crc32(covered));
  return out;
}

describe('share codec', () => {
  let zip: Uint8Array;
  beforeAll(async () => {
    await initNodeBackend('cpu');
    zip = await freshDeltaExport({ encoder: ckpt, config: { method: 'head' }, task: { name: 'Reviews', labels: ['positive', 'negative'] }, metrics: { accuracy: 0.5 } });
  });
  const withDelta = () => task({ method: 'head', format: 'none', config: { method: 'head' }, encoderFingerprint: ckpt.fingerprint, metrics: { accuracy: 0.5, loss: null }, createdAt: 1_700_000_000_000, zip });

  it('round-trips a task with its delta through bytes, a link and a task file', () => {
    const original = withDelta();
    const bytes = encodeSharedTask(original);
    expect(decodeSharedTask(bytes, 'file')).toEqual(original);
    const url = shareLinkFor(bytes, BASE);
    expect(url.startsWith(`${BASE}#share=`)).toBe(true);
    expect(url).toMatch(/^[\w:/.#=-]+$/); // nothing to percent-encode
    expect(hasShareFragment(url)).toBe(true);
    const back = decodeShareLink(url);
    expect(back).toEqual(original);
    // The delta inside is the exported zip, still importable for the encoder it was made for.
    expect(importDelta(back.delta!.zip, ckpt).task.labels).toEqual(['positive', 'negative']);
  });

  it('round-trips a task without a delta, and reads a link broken over lines by a mail client', () => {
    const url = shareLinkFor(encodeSharedTask(task()), BASE);
    const wrapped = url.replace(/(.{40})/g, '$1\n ');
    expect(decodeShareLink(wrapped)).toEqual(task());
  });

  it('base64url round-trips every length and refuses characters outside its alphabet', () => {
    for (let n = 0; n < 70; n++) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 37 + n) & 255);
      expect(fromBase64Url(toBase64Url(bytes))).toEqual(bytes);
    }
    expect(fromBase64Url('ab+c')).toBeNull();
    expect(fromBase64Url('abcde')).toBeNull(); // a dangling 6 bits
  });

  it('refuses a changed byte in every region: magic, version, length, checksum, body start, middle and end', () => {
    const bytes = encodeSharedTask(withDelta());
    const regions: Record<string, number[]> = {
      magic: [0, 1, 2, 3],
      length: [5, 6, 7, 8],
      checksum: [9, 10, 11, 12],
      body: [13, 14, Math.floor(bytes.length / 2), bytes.length - 2, bytes.length - 1],
    };
    const expected: Record<string, ShareErrorCode[]> = { magic: ['not-a-share'], length: ['truncated', 'damaged'], checksum: ['damaged'], body: ['damaged'] };
    for (const [region, offsets] of Object.entries(regions)) {
      for (const at of offsets) {
        for (const flip of [0x01, 0x80, 0xff]) {
          const tampered = bytes.slice();
          tampered[at] ^= flip;
          expect(expected[region], `${region} byte ${at} ^ ${flip}`).toContain(codeOf(() => decodeSharedTask(tampered, 'file')));
        }
      }
    }
    // Version byte: a higher number reads as a newer Tabtune (it may have changed everything after it), 0 as damage.
    const v0 = bytes.slice();
    v0[4] = 0;
    expect(codeOf(() => decodeSharedTask(v0, 'file'))).toBe('damaged');
  });

  it('refuses every single changed character of a link', () => {
    const url = shareLinkFor(encodeSharedTask(task()), BASE);
    const start = url.indexOf('#share=') + '#share='.length;
    for (let at = start; at < url.length; at++) {
      const c = url[at];
      const swapped = url.slice(0, at) + (c === 'A' ? 'B' : 'A') + url.slice(at + 1);
      const code = codeOf(() => decodeShareLink(swapped));
      expect(code, `character ${at - start}`).not.toBe('no error');
    }
    expect(codeOf(() => decodeShareLink(url.replace('#share=V', '#share=V!')))).toBe('damaged');
  });

  it('names a cut-off link as truncated, at every length', () => {
    const url = shareLinkFor(encodeSharedTask(task()), BASE);
    const start = url.indexOf('#share=') + '#share='.length;
    for (let end = start; end < url.length; end++) {
      const code = codeOf(() => decodeShareLink(url.slice(0, end)));
      expect(['truncated', 'damaged'], `cut at ${end - start}`).toContain(code);
      // Cut on a whole byte (every 4 characters are 3 bytes), the length in the header tells: truncated.
      if ((end - start) % 4 === 0) expect(code, `cut at ${end - start}`).toBe('truncated');
    }
    const bytes = encodeSharedTask(task());
    expect(codeOf(() => decodeSharedTask(bytes.subarray(0, bytes.length - 1), 'file'))).toBe('truncated');
    expect(codeOf(() => decodeSharedTask(bytes.subarray(0, 7), 'file'))).toBe('truncated');
    expect(codeOf(() => decodeSharedTask(new Uint8Array(0), 'file'))).toBe('truncated');
  });

  it('names a newer format as such, before any other check', () => {
    const bytes = encodeSharedTask(task());
    const newer = bytes.slice();
    newer[4] = SHARE_FORMAT_VERSION + 1;
    expect(codeOf(() => decodeSharedTask(newer, 'file'))).toBe('newer-version');
    expect(codeOf(() => decodeShareLink(shareLinkFor(reseal(newer), BASE)))).toBe('newer-version');
    expect(codeOf(() => decodeSharedTask(newer.subarray(0, 8), 'file'))).toBe('newer-version');
  });

  it('refuses what is not a share: other text, a zip, a link to another page', () => {
    expect(codeOf(() => decodeShareLink('https://example.com/#/tasks'))).toBe('not-a-share');
    expect(codeOf(() => decodeSharedTask(zip, 'file'))).toBe('not-a-share');
    expect(codeOf(() => decodeSharedTask(strToU8('hello world, this is a text file'), 'file'))).toBe('not-a-share');
  });

  it('refuses a checksum-valid payload whose fields are wrong', () => {
    const forge = (json: unknown, extra = new Uint8Array(0)) => {
      const text = strToU8(JSON.stringify(json));
      const inner = new Uint8Array(4 + text.length + extra.length);
      new DataView(inner.buffer).setUint32(0, text.length);
      inner.set(text, 4);
      inner.set(extra, 4 + text.length);
      const body = deflateSync(inner);
      const out = new Uint8Array(13 + body.length);
      out.set([0x54, 0x54, 0x53, 0x4b, 1]);
      new DataView(out.buffer).setUint32(5, body.length);
      out.set(body, 13);
      return reseal(out);
    };
    const good = { name: 'T', labels: [{ name: 'a', description: '' }, { name: 'b', description: '' }], examples: [['x', 1]], settings: null, delta: null };
    expect(decodeSharedTask(forge(good), 'file').examples).toEqual([{ text: 'x', label: 1 }]);
    expect(codeOf(() => decodeSharedTask(forge({ ...good, examples: [['x', 2]] }), 'file'))).toBe('damaged');
    expect(codeOf(() => decodeSharedTask(forge({ ...good, labels: [{ name: 'a', description: '' }, { name: 'A', description: '' }] }), 'file'))).toBe('damaged');
    expect(codeOf(() => decodeSharedTask(forge({ ...good, name: 42 }), 'file'))).toBe('damaged');
    expect(codeOf(() => decodeSharedTask(forge(good, new Uint8Array([1, 2, 3])), 'file'))).toBe('damaged');
    expect(codeOf(() => decodeSharedTask(forge([1, 2]), 'file'))).toBe('damaged');
  });

  it('keeps links within the limit: drops the delta first, then says the task is too large', () => {
    const small = makeShareLink(withDelta(), BASE);
    expect(small).toMatchObject({ kind: 'link', withDelta: true });
    if (small.kind === 'link') expect(small.url.length).toBeLessThanOrEqual(MAX_LINK_CHARS);

    const deltaLink = shareLinkFor(encodeSharedTask(withDelta()), BASE).length;
    const plainLink = shareLinkFor(encodeSharedTask(task()), BASE).length;
    expect(plainLink).toBeLessThan(deltaLink);
    const middle = makeShareLink(withDelta(), BASE, deltaLink - 1);
    expect(middle).toMatchObject({ kind: 'link', withDelta: false });
    if (middle.kind === 'link') expect(decodeShareLink(middle.url)).toEqual(task());
    expect(makeShareLink(withDelta(), BASE, plainLink - 1)).toEqual({ kind: 'too-large', chars: plainLink, limit: plainLink - 1 });

    // Many distinct examples outgrow the default limit.
    let seed = 1;
    const word = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff), seed.toString(36));
    const big: SharedTask = { ...task(), examples: Array.from({ length: 3000 }, (_, i) => ({ text: `${word()} ${word()} ${word()} ${i}`, label: i % 2 })) };
    const result = makeShareLink(big, BASE);
    expect(result.kind).toBe('too-large');
    expect(decodeSharedTask(encodeSharedTask(big), 'file')).toEqual(big); // the task file carries it whole
  });

  it('names task files after the task, safely', () => {
    expect(taskFileName('Reviews')).toBe('Reviews.tabtune');
    expect(taskFileName('a/b:c*?')).toBe('a-b-c.tabtune');
    expect(taskFileName('Reviews <b>x</b>')).toBe('Reviews -b-x-b.tabtune');
    expect(taskFileName('...')).toBe('task.tabtune');
  });
});
