/**
 * The text-parsing worker's protocol (workers/parse.worker.ts, src/engine/parseHandler.ts), as discriminated
 * unions switched exhaustively on both sides. Same rules as the encoder's (src/protocol/messages.ts): every
 * request has an `id` answered by exactly one response; errors cross as plain WireError objects.
 *
 * The worker also stores the texts (through src/storage/db.ts, a transaction per chunk), so a 100,000-line file
 * costs the main thread only small `saved` events: each carries the chunk just written, for the store.
 */
import type { MalformedLine } from '../engine/parseTexts';
import type { TextItem } from '../storage/db';
import type { WireError } from './messages';

export type { WireError };

/**
 * What every request that ends in texts needs to know about the task they go into. The texts the task holds
 * already (repeats of which are counted, not added) the worker reads from IndexedDB itself: 100,000 of them
 * would be a long task for the main thread to send.
 */
export interface ParseTarget {
  taskId: string;
  /** The `order` of the first new text (one past the task's last). */
  firstOrder: number;
  /** The task's label names, in order: labels in the source are matched to these. */
  labels: string[];
}

export type ParseRequest =
  /** Reads a picked file: plain lines and JSONL come back as texts, a CSV/TSV as a table waiting for columns. */
  | ({ type: 'readFile'; id: number; file: Blob; fileName: string } & ParseTarget)
  /** Reads pasted text, one text per line. */
  | ({ type: 'readText'; id: number; text: string; source: string } & ParseTarget)
  /** Takes the chosen columns out of a table the worker holds from readFile. */
  | ({ type: 'importTable'; id: number; tableId: number; textColumn: number; labelColumn: number } & ParseTarget)
  /** Forgets a table (the person cancelled). */
  | { type: 'dropTable'; id: number; tableId: number };

export type ParseRequestType = ParseRequest['type'];

/** What was read, and what was not added and why (ImportReport without the count added). */
export interface ParseReport {
  source: string;
  labelled: number;
  empty: number;
  duplicates: number;
  unmatchedLabels: number;
  malformed: MalformedLine[];
}

/** Texts read and stored: how many were added, and the report. */
export interface StoredTexts {
  kind: 'texts';
  added: number;
  report: ParseReport;
}

/** A table the worker holds until its columns are chosen. */
export interface TableSummary {
  kind: 'table';
  tableId: number;
  fileName: string;
  header: string[];
  rowCount: number;
  /** The first data row's cells, for a preview. */
  firstRow: string[] | null;
  /** Columns guessed from the header (or the longest cells); labelColumn -1 for none. */
  textColumn: number;
  labelColumn: number;
}

export interface ParseResults {
  readFile: StoredTexts | TableSummary;
  readText: StoredTexts;
  importTable: StoredTexts;
  dropTable: { dropped: boolean };
}

export type ParseResponse =
  | { [K in ParseRequestType]: { type: 'result'; id: number; request: K; result: ParseResults[K] } }[ParseRequestType]
  | { type: 'error'; id: number; error: WireError };

export type ParseEvent =
  /** The texts of request `id` are parsed: `total` will be stored. */
  | { type: 'parsed'; id: number; total: number }
  /** A chunk of request `id`'s texts is stored: here it is, with the count so far. */
  | { type: 'saved'; id: number; items: TextItem[]; done: number; total: number };

export type ParseWorkerMessage = ParseResponse | ParseEvent;
