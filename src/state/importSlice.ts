/** Adding texts to a task: a table waiting for its columns to be chosen, progress of a write, the last report. */
import type { MalformedLine, ParsedTable } from '../client/parseTexts';
import type { ShownError } from './tasksSlice';

export interface PendingTable {
  fileName: string;
  table: ParsedTable;
  textColumn: number;
  /** -1: no label column. */
  labelColumn: number;
}

export interface ImportReport {
  source: string;
  added: number;
  /** Of the added, how many came with a label matching one of the task's. */
  labelled: number;
  empty: number;
  duplicates: number;
  /** Label values that match none of the task's labels (those texts stay unlabelled). */
  unmatchedLabels: number;
  malformed: MalformedLine[];
}

export interface ImportSlice {
  pending: PendingTable | null;
  progress: { done: number; total: number } | null;
  report: ImportReport | null;
  error: ShownError | null;
}

export const initialImportSlice: ImportSlice = { pending: null, progress: null, report: null, error: null };
