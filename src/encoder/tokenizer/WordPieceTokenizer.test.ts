import { describe, expect, it } from 'vitest';
import { ModelLoadError } from '../errors';
import { WordPieceTokenizer } from './WordPieceTokenizer';
import { miniLmTokenizerJson } from './testing';

const tok = WordPieceTokenizer.fromJSON(miniLmTokenizerJson());

describe('WordPieceTokenizer (all-MiniLM-L6-v2)', () => {
  it('exposes the special ids and the vocabulary', () => {
    expect(tok.vocabSize).toBe(30522);
    expect([tok.padId, tok.unkId, tok.clsId, tok.sepId, tok.maskId]).toEqual([0, 100, 101, 102, 103]);
    expect(tok.tokenToId('hello')).toBe(7592);
    expect(tok.tokenToId('##ing')).toBe(2075);
    expect(tok.tokenToId('no-such-token')).toBeUndefined();
    expect(tok.idToToken(7592)).toBe('hello');
    expect(tok.idToToken(-1)).toBeUndefined();
  });

  it('encodes single texts and pairs with [CLS]/[SEP] and type ids', () => {
    expect(tok.encode('Hello, world!')).toEqual({
      ids: [101, 7592, 1010, 2088, 999, 102],
      typeIds: [0, 0, 0, 0, 0, 0],
      attentionMask: [1, 1, 1, 1, 1, 1],
      tokens: ['[CLS]', 'hello', ',', 'world', '!', '[SEP]'],
    });
    const pair = tok.encode('hello', 'world');
    expect(pair.ids).toEqual([101, 7592, 102, 2088, 102]);
    expect(pair.typeIds).toEqual([0, 0, 0, 1, 1]);
    expect(tok.encode('').ids).toEqual([101, 102]);
  });

  it('matches special tokens written in the text, but only exactly', () => {
    expect(tok.encode('a [MASK] b').tokens).toEqual(['[CLS]', 'a', '[MASK]', 'b', '[SEP]']);
    expect(tok.encode('[mask]').tokens).toEqual(['[CLS]', '[', 'mask', ']', '[SEP]']);
  });

  it("truncates to the JSON's max_length (128) by default, to maxLength when given, not at all when off", () => {
    const long = 'word '.repeat(600);
    expect(tok.encode(long).ids.length).toBe(128);
    expect(tok.encode(long, undefined, { maxLength: 10 }).ids.length).toBe(10);
    expect(tok.encode(long, undefined, { truncation: false }).ids.length).toBe(602);
    const json = miniLmTokenizerJson();
    delete json.truncation;
    expect(WordPieceTokenizer.fromJSON(json).encode(long).ids.length).toBe(512);
  });

  it('refuses a maxLength with no room for the special tokens', () => {
    expect(() => tok.encode('a', 'b', { maxLength: 2 })).toThrow(RangeError);
    expect(tok.encode('a', 'b', { maxLength: 3 }).tokens).toEqual(['[CLS]', '[SEP]', '[SEP]']);
  });

  it('encodeBatch pads right to the longest row with pad id, type id 0 and mask 0', () => {
    const b = tok.encodeBatch(['hello world', 'hi'], { pairs: ['a b', 'c'] });
    expect([b.batch, b.seqLen]).toEqual([2, 7]);
    expect(Array.from(b.inputIds)).toEqual([101, 7592, 2088, 102, 1037, 1038, 102, 101, 7632, 102, 1039, 102, 0, 0]);
    expect(Array.from(b.tokenTypeIds)).toEqual([0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 1, 1, 0, 0]);
    expect(Array.from(b.attentionMask)).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0]);
    const empty = tok.encodeBatch([]);
    expect([empty.batch, empty.seqLen, empty.inputIds.length]).toEqual([0, 0, 0]);
    expect(() => tok.encodeBatch(['a', 'b'], { pairs: ['c'] })).toThrow(/2 texts but 1 pairs/);
  });

  it('turns lone surrogates into U+FFFD, which clean_text deletes', () => {
    expect(tok.encode('a\ud800b').tokens).toEqual(['[CLS]', 'ab', '[SEP]']);
  });

  it('throws a bad-tokenizer ModelLoadError for a BPE tokenizer.json', () => {
    const json = { ...miniLmTokenizerJson(), model: { type: 'BPE', vocab: {}, merges: [] } };
    expect(() => WordPieceTokenizer.fromJSON(json)).toThrow(ModelLoadError);
  });

  it('tokenises 10,000 short sentences in well under two seconds', () => {
    const words = ['the', 'movie', 'was', 'not', 'good', 'Great', 'acting,', 'terrible', 'plot!', 'I', 'feel', 'happy', 'naïve', '東京'];
    const texts = Array.from({ length: 10_000 }, (_, i) =>
      Array.from({ length: 8 + (i % 12) }, (_, j) => words[(i * 7 + j * 3) % words.length] + (j === 0 ? i : '')).join(' '),
    );
    // CPU time, not wall time: other processes on a loaded machine must not fail this test (cold JIT included)
    const before = process.cpuUsage();
    const batch = tok.encodeBatch(texts);
    const cpu = process.cpuUsage(before);
    const ms = (cpu.user + cpu.system) / 1000;
    expect(batch.batch).toBe(10_000);
    expect(ms).toBeLessThan(2000);
  });
});
