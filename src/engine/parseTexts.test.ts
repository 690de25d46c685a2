import { describe, expect, it } from 'vitest';
import {
  BinaryFileError,
  decodeText,
  dedupe,
  formatForFileName,
  looksBinary,
  matchLabel,
  parseTable,
  rowsFromJsonl,
  rowsFromLines,
  rowsFromTable,
} from './parseTexts';

describe('parseTable', () => {
  it('reads quoted fields holding commas, newlines and doubled quotes', () => {
    const t = parseTable('text,label\n"hello, world",pos\n"line one\nline two",neg\n"she said ""hi""",pos\n', ',');
    expect(t.header).toEqual(['text', 'label']);
    expect(t.records.map((r) => r.cells)).toEqual([
      ['hello, world', 'pos'],
      ['line one\nline two', 'neg'],
      ['she said "hi"', 'pos'],
    ]);
    expect(t.records.map((r) => r.line)).toEqual([2, 3, 5]);
    expect(t.malformed).toEqual([]);
  });

  it('accepts a BOM and CRLF line ends', () => {
    const t = parseTable('\ufefftext,label\r\na,x\r\nb,y\r\n', ',');
    expect(t.header).toEqual(['text', 'label']);
    expect(t.records.map((r) => r.cells)).toEqual([
      ['a', 'x'],
      ['b', 'y'],
    ]);
  });

  it('reads TSV', () => {
    const t = parseTable('id\ttext\n1\tgood, really\n', '\t');
    expect(t.records[0].cells).toEqual(['1', 'good, really']);
  });

  it('reports malformed lines with their line numbers', () => {
    const t = parseTable('text,label\nok,pos\ntoo,many,fields\nfine,neg\n"never closed,pos\n', ',');
    expect(t.records.map((r) => r.cells[0])).toEqual(['ok', 'fine']);
    expect(t.malformed).toEqual([
      { line: 3, reason: 'expected 2 fields, found 3' },
      { line: 5, reason: 'a quoted field is never closed' },
    ]);
  });

  it('counts empty lines and empty texts', () => {
    const t = parseTable('text,label\na,x\n\n,y\nb,\n', ',');
    const { rows, empty } = rowsFromTable(t, 0, 1);
    expect(rows).toEqual([
      { text: 'a', label: 'x', line: 2 },
      { text: 'b', line: 5 },
    ]);
    expect(empty).toBe(2);
  });
});

describe('lines and JSONL', () => {
  it('one text per line, counting empty lines but not a final newline', () => {
    const { rows, empty } = rowsFromLines('one\r\n\n  two  \n');
    expect(rows.map((r) => r.text)).toEqual(['one', 'two']);
    expect(empty).toBe(1);
  });

  it('JSONL with and without labels, malformed lines reported', () => {
    const r = rowsFromJsonl('{"text":"a","label":"pos"}\n{"text":"b"}\nnot json\n{"label":"x"}\n{"text":"c","label":2}\n');
    expect(r.rows).toEqual([
      { text: 'a', label: 'pos', line: 1 },
      { text: 'b', line: 2 },
      { text: 'c', label: '2', line: 5 },
    ]);
    expect(r.malformed).toEqual([
      { line: 3, reason: 'not valid JSON' },
      { line: 4, reason: 'no "text" string' },
    ]);
  });
});

describe('files', () => {
  it('picks a format from the name', () => {
    expect(formatForFileName('a.CSV')).toBe('csv');
    expect(formatForFileName('a.tsv')).toBe('tsv');
    expect(formatForFileName('a.jsonl')).toBe('jsonl');
    expect(formatForFileName('a.txt')).toBe('lines');
  });

  it('refuses binary files with a clear message', () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
    expect(looksBinary(png)).toBe(true);
    expect(() => decodeText(png, 'cat.png')).toThrow(BinaryFileError);
    expect(() => decodeText(png, 'cat.png')).toThrow(/binary file/);
    expect(decodeText(new TextEncoder().encode('\ufeffhé'), 'a.txt')).toBe('hé');
  });
});

describe('dedupe and labels', () => {
  it('counts repeats within the rows and of stored texts', () => {
    const rows = ['a', 'b', 'a', 'c'].map((text, i) => ({ text, line: i + 1 }));
    const r = dedupe(rows, ['c']);
    expect(r.rows.map((x) => x.text)).toEqual(['a', 'b']);
    expect(r.duplicates).toBe(2);
  });

  it('maps label values case-insensitively', () => {
    expect(matchLabel('POS', ['pos', 'neg'])).toBe(0);
    expect(matchLabel('other', ['pos', 'neg'])).toBeNull();
    expect(matchLabel(undefined, ['pos'])).toBeNull();
  });

  it('parses 100,000 lines quickly enough to chunk', () => {
    const big = Array.from({ length: 100_000 }, (_, i) => `"text ${i}, quoted",${i % 2 ? 'pos' : 'neg'}`).join('\n');
    const t = parseTable(`text,label\n${big}`, ',');
    expect(t.records).toHaveLength(100_000);
  });
});
