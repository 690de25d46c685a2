/**
 * The parse worker's handler, called directly with an in-memory `save`: files and pastes are parsed, stored a
 * chunk per transaction with events, tables wait for columns, and a failed write says how much was kept.
 */
import { describe, expect, it } from 'vitest';
import type { ParseEvent, ParseResponse, StoredTexts, TableSummary } from '../protocol/messages';
import type { TextItem } from '../storage/db';
import { ParseHandler } from './parseHandler';

const target = { taskId: 't1', firstOrder: 5, labels: ['positive', 'negative'] };

function setup(options: { chunk?: number; failAfter?: number } = {}) {
  const stored: TextItem[][] = [];
  const events: ParseEvent[] = [];
  let n = 0;
  const handler = new ParseHandler({
    save: async (items) => {
      if (options.failAfter !== undefined && stored.length >= options.failAfter) throw new Error('The disk is full.');
      stored.push(items);
    },
    existingTexts: async (taskId) => (taskId === 't1' ? ['already here'] : []),
    emit: (e) => events.push(e),
    newId: () => `id${n++}`,
    chunk: options.chunk,
  });
  return { handler, stored, events };
}

function result(response: ParseResponse) {
  if (response.type !== 'result') throw new Error(`expected a result, got ${JSON.stringify(response.error)}`);
  return response.result;
}

describe('ParseHandler', () => {
  it('reads JSON Lines, matches labels, counts repeats, empties and bad lines, and stores the rest', async () => {
    const { handler, stored, events } = setup();
    const file = new Blob(['{"text": "Great 🙂", "label": "Positive"}\n\n{"text": "already here"}\n{"text": broken\n{"text": "Meh", "label": "other"}\n']);
    const stats = result((await handler.handle({ type: 'readFile', id: 1, file, fileName: 'a.jsonl', ...target })).response) as StoredTexts;
    expect(stats).toEqual({ kind: 'texts', added: 2, report: { source: 'a.jsonl', labelled: 1, empty: 1, duplicates: 1, unmatchedLabels: 1, malformed: [{ line: 4, reason: 'not valid JSON' }] } });
    expect(stored.flat().map(({ text, label, order, taskId }) => ({ text, label, order, taskId }))).toEqual([
      { text: 'Great 🙂', label: 0, order: 5, taskId: 't1' },
      { text: 'Meh', label: null, order: 6, taskId: 't1' },
    ]);
    expect(events.map((e) => e.type)).toEqual(['parsed', 'saved']);
  });

  it('stores pasted lines a chunk per transaction, with an event per chunk', async () => {
    const { handler, stored, events } = setup({ chunk: 2 });
    const { response } = await handler.handle({ type: 'readText', id: 2, text: 'one\ntwo\none\nthree\nfour\nfive\n', source: 'pasted text', ...target });
    expect(result(response)).toMatchObject({ added: 5, report: { duplicates: 1 } });
    expect(stored.map((c) => c.map((t) => t.text))).toEqual([['one', 'two'], ['three', 'four'], ['five']]);
    expect(events.filter((e) => e.type === 'saved').map((e) => (e.type === 'saved' ? e.done : 0))).toEqual([2, 4, 5]);
  });

  it('says how many texts were kept when a write fails part way', async () => {
    const { handler } = setup({ chunk: 2, failAfter: 1 });
    const { response } = await handler.handle({ type: 'readText', id: 3, text: 'a\nb\nc\nd\n', source: 'pasted text', ...target });
    expect(response).toMatchObject({ type: 'error', id: 3, error: { message: '2 of 4 texts were saved before this failure. The disk is full.' } });
  });

  it('holds a CSV until its columns are chosen, then imports it once', async () => {
    const { handler, stored } = setup();
    const file = new Blob(['id,review,sentiment\n1,"Nice, really",positive\n2,Bad,negative\n']);
    const table = result((await handler.handle({ type: 'readFile', id: 4, file, fileName: 'r.csv', ...target })).response) as TableSummary;
    expect(table).toMatchObject({ kind: 'table', header: ['id', 'review', 'sentiment'], rowCount: 2, firstRow: ['1', 'Nice, really', 'positive'], textColumn: 1, labelColumn: 2 });
    expect(stored).toEqual([]);
    await handler.handle({ type: 'importTable', id: 5, tableId: table.tableId, textColumn: 1, labelColumn: 2, ...target });
    expect(stored.flat().map((t) => [t.text, t.label])).toEqual([
      ['Nice, really', 0],
      ['Bad', 1],
    ]);
    const again = (await handler.handle({ type: 'importTable', id: 6, tableId: table.tableId, textColumn: 1, labelColumn: 2, ...target })).response;
    expect(again).toMatchObject({ type: 'error', id: 6, error: { message: expect.stringContaining('pick the file again') } });
  });

  it('answers a binary file and an empty table with named errors', async () => {
    const { handler } = setup();
    const png = new Blob([new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 13])]);
    expect((await handler.handle({ type: 'readFile', id: 7, file: png, fileName: 'x.txt', ...target })).response).toMatchObject({ type: 'error', error: { name: 'BinaryFileError' } });
    expect((await handler.handle({ type: 'readFile', id: 8, file: new Blob(['']), fileName: 'x.csv', ...target })).response).toMatchObject({ type: 'error', error: { name: 'EmptyFileError' } });
  });
});
