import { describe, expect, it } from 'vitest';
import { AddedTokenMatcher, type AddedTokenSpec } from './addedTokens';
import { WordPieceTokenizer } from './WordPieceTokenizer';
import { miniLmTokenizerJson } from './testing';

const spec = (id: number, content: string, extra: Partial<AddedTokenSpec> = {}): AddedTokenSpec => ({
  id,
  content,
  singleWord: false,
  lstrip: false,
  rstrip: false,
  normalized: false,
  special: true,
  ...extra,
});

describe('AddedTokenMatcher', () => {
  it('finds tokens anywhere, leftmost-longest, case-sensitively', () => {
    const m = new AddedTokenMatcher([spec(1, '[MASK]'), spec(2, '[MASK]]'), spec(3, '[SEP]')]);
    expect(m.split('a[MASK]b [mask] [MASK]] [SEP]')).toEqual([
      { text: 'a' },
      { text: '[MASK]', id: 1 },
      { text: 'b [mask] ' },
      { text: '[MASK]]', id: 2 },
      { text: ' ' },
      { text: '[SEP]', id: 3 },
    ]);
  });

  it('returns the whole text when nothing matches, and one empty segment for empty text', () => {
    const m = new AddedTokenMatcher([spec(1, '[MASK]')]);
    expect(m.split('plain')).toEqual([{ text: 'plain' }]);
    expect(m.split('')).toEqual([{ text: '' }]);
  });
});

// Expectations below were produced by HF tokenizers 0.22.2 (Tokenizer.add_tokens with these AddedToken flags).
describe('added tokens with lstrip / rstrip / single_word / normalized, end to end', () => {
  const json = miniLmTokenizerJson();
  const added = json.added_tokens as object[];
  const flags = { single_word: false, lstrip: false, rstrip: false, normalized: false, special: false };
  added.push(
    { ...flags, id: 30522, content: '<l>', lstrip: true },
    { ...flags, id: 30523, content: '<r>', rstrip: true },
    { ...flags, id: 30524, content: '<w>', single_word: true },
    { ...flags, id: 30525, content: 'Hey', normalized: true },
  );
  const tok = WordPieceTokenizer.fromJSON(json);
  const cases: [string, string[], number[]][] = [
    ['a  <l>b', ['[CLS]', 'a', '  <l>', 'b', '[SEP]'], [101, 1037, 30522, 1038, 102]],
    ['a<r>  b', ['[CLS]', 'a', '<r>  ', 'b', '[SEP]'], [101, 1037, 30523, 1038, 102]],
    ['a<w>b', ['[CLS]', 'a', '<', 'w', '>', 'b', '[SEP]'], [101, 1037, 1026, 1059, 1028, 1038, 102]],
    ['a <w> b', ['[CLS]', 'a', '<w>', 'b', '[SEP]'], [101, 1037, 30524, 1038, 102]],
    ['<w>x', ['[CLS]', '<', 'w', '>', 'x', '[SEP]'], [101, 1026, 1059, 1028, 1060, 102]],
    ['HEY there hey', ['[CLS]', 'hey', 'there', 'hey', '[SEP]'], [101, 30525, 2045, 30525, 102]],
    ['<l><l>', ['[CLS]', '<l>', '<l>', '[SEP]'], [101, 30522, 30522, 102]],
  ];
  it.each(cases)('%j', (text, tokens, ids) => {
    const e = tok.encode(text);
    expect(e.tokens).toEqual(tokens);
    expect(e.ids).toEqual(ids);
  });
  it('counts added tokens in vocabSize and looks them up both ways', () => {
    expect(tok.vocabSize).toBe(30526);
    expect(tok.tokenToId('<w>')).toBe(30524);
    expect(tok.idToToken(30525)).toBe('Hey');
  });
});
