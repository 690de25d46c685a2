/**
 * Parity with Hugging Face `tokenizers` (Rust): every case of fixtures/tokenizer/golden.json, written by
 * scripts/py/golden_tokenizer.py, must come out identical — ids, type ids, attention mask and tokens.
 */
import { describe, expect, it } from 'vitest';
import { WordPieceTokenizer } from './WordPieceTokenizer';
import { miniLmTokenizerJson, readRepoJson } from './testing';

interface GoldenCase {
  text: string;
  pair?: string;
  /** null: truncation off. */
  maxLength: number | null;
  ids: number[];
  typeIds: number[];
  attentionMask: number[];
  tokens: string[];
}
interface GoldenBatch {
  texts: string[];
  pairs?: string[];
  maxLength: number;
  ids: number[][];
  typeIds: number[][];
  attentionMask: number[][];
}
interface Golden {
  tokenizersVersion: string;
  cases: GoldenCase[];
  casedCases: GoldenCase[];
  batches: GoldenBatch[];
}

const golden = readRepoJson('fixtures/tokenizer/golden.json') as Golden;
const uncased = WordPieceTokenizer.fromJSON(miniLmTokenizerJson());
const cased = WordPieceTokenizer.fromJSON(readRepoJson('fixtures/tokenizer/cased-tokenizer.json'));

/** Every mismatching case, described, so one failure shows them all. */
function mismatches(tok: WordPieceTokenizer, cases: GoldenCase[]): string[] {
  const bad: string[] = [];
  cases.forEach((c, i) => {
    const opts = c.maxLength === null ? { truncation: false } : { maxLength: c.maxLength };
    const got = tok.encode(c.text, c.pair, opts);
    const want = { ids: c.ids, typeIds: c.typeIds, attentionMask: c.attentionMask, tokens: c.tokens };
    if (JSON.stringify(got) !== JSON.stringify(want)) {
      bad.push(`#${i} ${JSON.stringify(c.text)}${c.pair === undefined ? '' : ` + ${JSON.stringify(c.pair)}`} max=${c.maxLength}\n  want ${JSON.stringify(want.tokens)}\n  got  ${JSON.stringify(got.tokens)}`);
    }
  });
  return bad;
}

describe(`golden parity with HF tokenizers ${golden.tokenizersVersion}`, () => {
  it('has a golden set of the promised size and kinds', () => {
    expect(golden.cases.length).toBeGreaterThanOrEqual(500);
    expect(golden.casedCases.length).toBeGreaterThanOrEqual(100);
    expect(golden.cases.some((c) => c.pair !== undefined && c.maxLength !== null && c.maxLength <= 16)).toBe(true);
    expect(golden.cases.some((c) => c.ids.includes(uncased.unkId))).toBe(true);
  });

  it('matches every uncased (all-MiniLM-L6-v2) case exactly', () => {
    expect(mismatches(uncased, golden.cases)).toEqual([]);
  });

  it('matches every cased (lowercase=false, strip_accents=false) case exactly', () => {
    expect(mismatches(cased, golden.casedCases)).toEqual([]);
  });

  it('pads batches to the longest row exactly as HF encode_batch does', () => {
    for (const b of golden.batches) {
      const got = uncased.encodeBatch(b.texts, { maxLength: b.maxLength, pairs: b.pairs });
      const seqLen = b.ids[0]?.length ?? 0;
      expect(got.batch).toBe(b.texts.length);
      expect(got.seqLen).toBe(seqLen);
      expect(Array.from(got.inputIds)).toEqual(b.ids.flat());
      expect(Array.from(got.tokenTypeIds)).toEqual(b.typeIds.flat());
      expect(Array.from(got.attentionMask)).toEqual(b.attentionMask.flat());
    }
  });
});
