/** Adding texts to a task: a table waiting for its columns to be chosen, progress of a write, the last report. */
import type { MalformedLine } from '../engine/parseTexts';
import type { TableSummary } from '../protocol/messages';
import type { ShownError } from './tasksSlice';

/** A table the parse worker holds, waiting for its columns to be chosen (labelColumn -1: none). */
export type PendingTable = Omit<TableSummary, 'kind'>;

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
  /** 'reading': the parse worker reads the source (no count yet); 'saving': texts written so far. */
  progress: { phase: 'reading' | 'saving'; done: number; total: number } | null;
  report: ImportReport | null;
  error: ShownError | null;
}

export const initialImportSlice: ImportSlice = { pending: null, progress: null, report: null, error: null };
