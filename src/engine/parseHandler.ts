/**
 * The text-parsing worker's work, as a plain class (workers/parse.worker.ts wires postMessage to it; tests call
 * `handle()` directly with a fake `save`). Decoding, parsing, de-duplication, label matching and the IndexedDB
 * writes all run here, off the main thread, so a 100,000-line file never freezes the page: the main thread only
 * receives each stored chunk. `handle()` never throws: a failure is an `{type:'error'}` response; texts stored
 * before it stay stored (and were reported in `saved` events), and its message says how many.
 */
import {
  decodeText,
  dedupe,
  formatForFileName,
  matchLabel,
  parseTable,
  rowsFromJsonl,
  rowsFromLines,
  rowsFromTable,
  type MalformedLine,
  type ParsedRow,
  type ParsedTable,
} from './parseTexts';
import { assertNever, toWireError, type ParseEvent, type ParseReport, type ParseRequest, type ParseResponse, type ParseTarget, type StoredTexts, type TableSummary } from '../protocol/messages';
import type { TextItem } from '../storage/db';

export interface HandledParse {
  response: ParseResponse;
  transfer: Transferable[];
}

/** A file with no rows at all; the message says what to do. */
export class EmptyFileError extends Error {
  override readonly name = 'EmptyFileError';
  constructor(fileName: string) {
    super(`"${fileName}" has no rows. Pick a file with a header line and at least one row.`);
  }
}

/** Header names taken as the text or the label column before a person chooses. */
const TEXT_HEADERS = new Set(['text', 'sentence', 'review', 'content', 'body', 'message']);
const LABEL_HEADERS = new Set(['label', 'labels', 'category', 'class', 'sentiment', 'target']);

export interface ParseHandlerOptions {
  /** Stores one chunk of texts in one transaction (db.addTexts in the worker). */
  save: (items: TextItem[]) => Promise<void>;
  emit: (event: ParseEvent) => void;
  /** The texts a task holds already (db.listTexts in the worker). */
  existingTexts: (taskId: string) => Promise<string[]>;
  /** New ids (crypto.randomUUID in the worker). */
  newId: () => string;
  /** Texts per transaction. */
  chunk?: number;
}

/** Texts stored per transaction by default. */
export const SAVE_CHUNK = 2000;

export class ParseHandler {
  private readonly tables = new Map<number, { fileName: string; table: ParsedTable }>();
  private nextTableId = 1;

  constructor(private readonly options: ParseHandlerOptions) {}

  async handle(request: ParseRequest): Promise<HandledParse> {
    try {
      return await this.dispatch(request);
    } catch (err) {
      return { response: { type: 'error', id: request.id, error: toWireError(err) }, transfer: [] };
    }
  }

  private async dispatch(request: ParseRequest): Promise<HandledParse> {
    switch (request.type) {
      case 'readFile': {
        const text = decodeText(new Uint8Array(await request.file.arrayBuffer()), request.fileName);
        const format = formatForFileName(request.fileName);
        switch (format) {
          case 'lines':
            return this.store(request.id, 'readFile', request.fileName, rowsFromLines(text), request);
          case 'jsonl':
            return this.store(request.id, 'readFile', request.fileName, rowsFromJsonl(text), request);
          case 'csv':
          case 'tsv': {
            const table = parseTable(text, format === 'csv' ? ',' : '\t');
            if (table.header.length === 0) throw new EmptyFileError(request.fileName);
            const tableId = this.nextTableId++;
            this.tables.set(tableId, { fileName: request.fileName, table });
            const result: TableSummary = { kind: 'table', tableId, fileName: request.fileName, header: table.header, rowCount: table.records.length, firstRow: table.records[0]?.cells ?? null, ...guessColumns(table) };
            return { response: { type: 'result', id: request.id, request: 'readFile', result }, transfer: [] };
          }
          default:
            return assertNever(format, 'text format');
        }
      }
      case 'readText':
        return this.store(request.id, 'readText', request.source, rowsFromLines(request.text), request);
      case 'importTable': {
        const held = this.tables.get(request.tableId);
        if (!held) throw new Error('That table is no longer open; pick the file again.');
        const { rows, empty } = rowsFromTable(held.table, request.textColumn, request.labelColumn);
        this.tables.delete(request.tableId);
        return this.store(request.id, 'importTable', held.fileName, { rows, empty, malformed: held.table.malformed }, request);
      }
      case 'dropTable':
        return { response: { type: 'result', id: request.id, request: 'dropTable', result: { dropped: this.tables.delete(request.tableId) } }, transfer: [] };
      default:
        return assertNever(request, 'parse request');
    }
  }

  /** De-duplicates, matches labels, stores the texts a chunk per transaction, and reports. */
  private async store(
    id: number,
    request: 'readFile' | 'readText' | 'importTable',
    source: string,
    parsed: { rows: ParsedRow[]; empty: number; malformed?: MalformedLine[] },
    target: ParseTarget,
  ): Promise<HandledParse> {
    const { rows, duplicates } = dedupe(parsed.rows, await this.options.existingTexts(target.taskId));
    const total = rows.length;
    this.options.emit({ type: 'parsed', id, total });
    const chunkSize = this.options.chunk ?? SAVE_CHUNK;
    const now = Date.now();
    let labelled = 0;
    let unmatchedLabels = 0;
    let done = 0;
    for (let start = 0; start < total; start += chunkSize) {
      const items = rows.slice(start, start + chunkSize).map((row, i): TextItem => {
        const label = matchLabel(row.label, target.labels);
        if (label !== null) labelled++;
        else if (row.label) unmatchedLabels++;
        return { id: this.options.newId(), taskId: target.taskId, text: row.text, label, order: target.firstOrder + start + i, labelledAt: label === null ? null : now };
      });
      try {
        await this.options.save(items);
      } catch (error) {
        if (done > 0 && error instanceof Error) error.message = `${done} of ${total} texts were saved before this failure. ${error.message}`;
        throw error;
      }
      done += items.length;
      this.options.emit({ type: 'saved', id, items, done, total });
    }
    const report: ParseReport = { source, labelled, empty: parsed.empty, duplicates, unmatchedLabels, malformed: parsed.malformed ?? [] };
    const result: StoredTexts = { kind: 'texts', added: total, report };
    return { response: { type: 'result', id, request, result } as ParseResponse, transfer: [] };
  }
}

/** The text column named by its header (or the one with the longest cells), and a label column if named. */
function guessColumns(table: ParsedTable): { textColumn: number; labelColumn: number } {
  const lower = table.header.map((h) => h.toLowerCase());
  const named = lower.findIndex((h) => TEXT_HEADERS.has(h));
  return { textColumn: named >= 0 ? named : longestColumn(table.records.slice(0, 50).map((r) => r.cells), table.header.length), labelColumn: lower.findIndex((h) => LABEL_HEADERS.has(h)) };
}

function longestColumn(rows: string[][], width: number): number {
  let best = 0;
  let bestLength = -1;
  for (let c = 0; c < width; c++) {
    const length = rows.reduce((sum, row) => sum + (row[c]?.length ?? 0), 0);
    if (length > bestLength) [best, bestLength] = [c, length];
  }
  return best;
}
