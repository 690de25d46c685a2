import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkDataset, DatasetError, parseJsonl, readDataset } from './fewshotData';

const lines = (...rows: object[]) => rows.map((r) => JSON.stringify(r)).join('\n');
const rows = (label: string, n: number) => Array.from({ length: n }, (_, i) => ({ text: `${label} ${i}`, label }));

describe('the few-shot runner reads its datasets', () => {
  it('parses JSON lines, skipping blank ones, with the label as written', () => {
    expect(parseJsonl(`${lines({ text: 'a', label: 'x' })}\n\n${lines({ text: 'b', label: 2 })}\n`, 'f')).toEqual([{ text: 'a', label: 'x' }, { text: 'b', label: 2 }]);
  });

  it('names the file and line of a broken row', () => {
    expect(() => parseJsonl(`${lines({ text: 'a', label: 'x' })}\nnot json`, 'train.jsonl')).toThrow(/^train\.jsonl, line 2: not a JSON object \(not json\)\.$/);
    expect(() => parseJsonl(lines({ text: 'a' }), 'test.jsonl')).toThrow(/test\.jsonl, line 1: each line needs "text"/);
    expect(() => parseJsonl(lines({ text: 3, label: 'x' }), 'test.jsonl')).toThrow(DatasetError);
    expect(() => parseJsonl('\n\n', 'empty.jsonl')).toThrow('empty.jsonl has no examples.');
  });

  it('checks the label sets: two or more, K texts of each, none only in test', () => {
    const train = [...rows('pos', 3), ...rows('neg', 2)];
    expect(checkDataset(train, rows('neg', 1), 2, 'd').names).toEqual(['neg', 'pos']);
    expect(() => checkDataset(train, rows('neg', 1), 3, 'd')).toThrow('--k 3 takes 3 training texts of each label, but d/train.jsonl has fewer of "neg" (2). Use a smaller --k.');
    expect(() => checkDataset(rows('pos', 4), rows('pos', 1), 1, 'd')).toThrow(/one label \(pos\)/);
    expect(() => checkDataset(train, [...rows('neg', 1), ...rows('meh', 2)], 2, 'd')).toThrow('d/test.jsonl has labels that d/train.jsonl lacks: "meh". The two files must share one label set.');
  });

  it('says which file is missing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fewshot-data-'));
    writeFileSync(join(dir, 'train.jsonl'), lines(...rows('a', 2), ...rows('b', 2)));
    expect(() => readDataset(dir, 2)).toThrow(`Cannot read ${join(dir, 'test.jsonl')} (no such file). --data takes a folder with train.jsonl and test.jsonl.`);
    writeFileSync(join(dir, 'test.jsonl'), lines(...rows('b', 1)));
    expect(readDataset(dir, 2).train).toHaveLength(4);
  });
});
