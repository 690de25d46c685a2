/** What the benchmarks share: reading the bundled model from disk, fixed-size batches, flags. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadCheckpoint } from '../../src/encoder/loader';
import type { Checkpoint, EncodedBatch } from '../../src/encoder/types';

export const BUNDLED_MODEL_DIR = 'public/models/all-MiniLM-L6-v2';

/** The bundled int8 all-MiniLM-L6-v2 through the real loader (a 'files' source, so no server is needed). */
export async function loadBundled(): Promise<Checkpoint> {
  const files: Record<string, ArrayBuffer> = {};
  for (const name of readdirSync(BUNDLED_MODEL_DIR)) {
    const buf = readFileSync(join(BUNDLED_MODEL_DIR, name));
    files[name] = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
  }
  return loadCheckpoint({ kind: 'files', id: 'all-MiniLM-L6-v2', files });
}

interface IdTokenizer {
  clsId: number;
  sepId: number;
  encode(text: string, pair?: string, opts?: { truncation?: boolean }): { ids: number[] };
}

/** `batch` rows of exactly `tokens` ids: [CLS] + real word pieces + [SEP], no padding. */
export function fixedBatch(tokenizer: IdTokenizer, batch: number, tokens: number): EncodedBatch {
  const text = 'a quiet film about grief, memory and the small rituals that keep a family together through one long winter. ';
  const pieces = tokenizer.encode(text.repeat(4), undefined, { truncation: false }).ids.slice(1, -1);
  const inputIds = new Int32Array(batch * tokens);
  for (let row = 0; row < batch; row++) {
    inputIds[row * tokens] = tokenizer.clsId;
    for (let t = 1; t < tokens - 1; t++) inputIds[row * tokens + t] = pieces[(row + t) % pieces.length];
    inputIds[row * tokens + tokens - 1] = tokenizer.sepId;
  }
  return { inputIds, attentionMask: new Int32Array(batch * tokens).fill(1), tokenTypeIds: new Int32Array(batch * tokens), batch, seqLen: tokens };
}

export function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}
