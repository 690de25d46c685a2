import { describe, expect, it } from 'vitest';
import { bertPreTokenize } from './preTokenizer';

describe('bertPreTokenize', () => {
  it('splits on whitespace and isolates each punctuation char', () => {
    expect(bertPreTokenize('Hey friend!     How are you?!?')).toEqual(['Hey', 'friend', '!', 'How', 'are', 'you', '?', '!', '?']);
    expect(bertPreTokenize("don't...")).toEqual(['don', "'", 't', '.', '.', '.']);
  });

  it('treats all ASCII symbol ranges as punctuation, but not non-ASCII symbols', () => {
    expect(bertPreTokenize('$5+3=8^2`~|<>')).toEqual(['$', '5', '+', '3', '=', '8', '^', '2', '`', '~', '|', '<', '>']);
    expect(bertPreTokenize('5€ ©x')).toEqual(['5€', '©x']); // Sc and So are not punctuation
  });

  it('isolates Unicode punctuation (P*)', () => {
    expect(bertPreTokenize('«a»—b。c¿d')).toEqual(['«', 'a', '»', '—', 'b', '。', 'c', '¿', 'd']);
  });

  it('returns nothing for empty or whitespace-only input', () => {
    expect(bertPreTokenize('')).toEqual([]);
    expect(bertPreTokenize(' \t\n\u00a0\u3000\u0085')).toEqual([]);
  });
});
