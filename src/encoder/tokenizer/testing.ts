/** Test helpers: the committed tokenizer files, read from the repository. */
import { readFileSync } from 'node:fs';

const root = new URL('../../../', import.meta.url);

export function readRepoJson(path: string): unknown {
  return JSON.parse(readFileSync(new URL(path, root), 'utf8'));
}

/** A fresh copy of all-MiniLM-L6-v2's tokenizer.json (uncased BERT WordPiece), safe to modify. */
export function miniLmTokenizerJson(): Record<string, unknown> {
  return readRepoJson('public/models/all-MiniLM-L6-v2/tokenizer.json') as Record<string, unknown>;
}
