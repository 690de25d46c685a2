import { describe, expect, it } from 'vitest';
import { WordPiece } from './wordpiece';

const tokens = ['[UNK]', 'un', '##aff', '##able', '##a', 'a', 'aff', '##ff', '##ffable', 'x', '##x', '😀', '##😀'];
const vocab = new Map(tokens.map((t, i) => [t, i]));
const model = new WordPiece({ vocab, unkToken: '[UNK]', continuingSubwordPrefix: '##', maxInputCharsPerWord: 5 });
const long = new WordPiece({ vocab, unkToken: '[UNK]', continuingSubwordPrefix: '##', maxInputCharsPerWord: 100 });

describe('WordPiece', () => {
  it('takes the longest vocabulary match first, then continues with ## pieces', () => {
    expect(long.tokenize('unaffable').tokens).toEqual(['un', '##aff', '##able']);
    expect(long.tokenize('aff').tokens).toEqual(['aff']); // longest, not a + ##ff
    expect(long.tokenize('affable').tokens).toEqual(['aff', '##able']); // greedy: not a + ##ffable
  });

  it('makes the whole word [UNK] when any piece is missing', () => {
    expect(long.tokenize('unaffablez')).toEqual({ ids: [0], tokens: ['[UNK]'] });
  });

  it('makes words longer than maxInputCharsPerWord code points [UNK]', () => {
    expect(model.tokenize('xxxxx').tokens).toEqual(['x', '##x', '##x', '##x', '##x']);
    expect(model.tokenize('xxxxxx').tokens).toEqual(['[UNK]']);
    // 5 astral chars are 10 UTF-16 units but only 5 code points
    expect(model.tokenize('😀😀😀😀😀').tokens).toEqual(['😀', '##😀', '##😀', '##😀', '##😀']);
  });

  it('never splits a surrogate pair', () => {
    expect(long.tokenize('x😀').tokens).toEqual(['x', '##😀']);
  });

  it('refuses a vocabulary without its unk token', () => {
    expect(() => new WordPiece({ vocab: new Map([['a', 0]]), unkToken: '[UNK]', continuingSubwordPrefix: '##', maxInputCharsPerWord: 100 })).toThrow(/unk_token/);
  });
});
