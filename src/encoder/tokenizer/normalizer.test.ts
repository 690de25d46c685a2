import { describe, expect, it } from 'vitest';
import { BertNormalizer, lowercasePerCodePoint, nfd } from './normalizer';

const uncased = new BertNormalizer({ cleanText: true, handleChineseChars: true, stripAccents: true, lowercase: true });
const cased = new BertNormalizer({ cleanText: true, handleChineseChars: true, stripAccents: false, lowercase: false });

describe('BertNormalizer', () => {
  it('strips accents by NFD and dropping non-spacing marks', () => {
    expect(uncased.normalize('Café Résumé naïve Łódź')).toBe('cafe resume naive łodz'); // ł has no decomposition
    expect(uncased.normalize('e\u0301 \u00c5')).toBe('e a');
    expect(cased.normalize('Café')).toBe('Café');
  });

  it('keeps spacing marks (Mc), as the reference does, but drops the virama (Mn)', () => {
    expect(uncased.normalize('हिन्दी')).toBe('हिनदी');
  });

  it('lowercases per code point: capital sigma is always σ, İ loses its dot with accent stripping', () => {
    expect(uncased.normalize('ΟΔΥΣΣΕΥΣ')).toBe('οδυσσευσ');
    expect(lowercasePerCodePoint('ΑΣ')).toBe('ασ'); // toLowerCase on the word would give 'ας'
    expect(uncased.normalize('İstanbul')).toBe('istanbul');
    expect(cased.normalize('HeLLo')).toBe('HeLLo');
  });

  it('cleans text: deletes controls, format chars and U+FFFD, turns whitespace into spaces', () => {
    expect(uncased.normalize('a\u0000b\u0001c\u200bd\u00ade\ufffdf\ufeffg')).toBe('abcdefg');
    expect(uncased.normalize('a\tb\nc\rd\u00a0e\u3000f')).toBe('a b c d e f');
    expect(uncased.normalize('\u000b\u000c\u0085')).toBe(''); // VT, FF, NEL are Cc: deleted, not spaced
    const raw = new BertNormalizer({ cleanText: false, handleChineseChars: false, stripAccents: false, lowercase: false });
    expect(raw.normalize('a\u0000\tb')).toBe('a\u0000\tb');
  });

  it('isolates CJK ideographs but not kana or hangul', () => {
    expect(uncased.normalize('中文abc')).toBe(' 中  文 abc');
    expect(cased.normalize('ひらがな')).toBe('ひらがな');
    expect(uncased.normalize('ひらがな')).toBe('ひらかな'); // the dakuten is a mark: stripped with the accents
    expect(uncased.normalize('\u{20000}')).toBe(' \u{20000} ');
    expect(uncased.normalize('\u{2b820}')).toBe('\u{2b820}'); // the gap between the reference's ranges
  });

  it('applies NFD like the reference, keeping chars its older tables do not decompose', () => {
    expect(nfd('\u00e9')).toBe('e\u0301');
    expect(nfd('\u{105c9}')).toBe('\u{105c9}'); // decomposes in Unicode 16, not in the reference
    expect(nfd('\u00e9\u{105c9}\u00e9')).toBe('e\u0301\u{105c9}e\u0301');
  });
});
