/**
 * The person's tasks, the texts of the task open now, and the storage they take. Plain data copied out of
 * IndexedDB (src/storage/db.ts); src/client/studioData.ts is the writer.
 */
import type { Task, TextItem } from '../storage/db';

export interface StorageUse {
  usage: number;
  quota: number;
}

/** A failure to show: a named error crossing from storage or parsing, as plain data. */
export interface ShownError {
  name: string;
  message: string;
}

export interface TasksSlice {
  /** False until the first read from IndexedDB has finished. */
  loaded: boolean;
  list: Task[];
  currentId: string | null;
  /** Texts of the current task, in insertion order. */
  texts: TextItem[];
  storage: StorageUse | null;
  error: ShownError | null;
}

export const initialTasksSlice: TasksSlice = { loaded: false, list: [], currentId: null, texts: [], storage: null, error: null };

/** Parses the "labels" box of the new-task form: one label per line, an optional description after a colon. */
export function parseLabelLines(source: string): Array<{ name: string; description: string }> {
  const out: Array<{ name: string; description: string }> = [];
  for (const raw of source.split(/\r?\n/)) {
    const colon = raw.indexOf(':');
    const name = (colon >= 0 ? raw.slice(0, colon) : raw).trim();
    const description = colon >= 0 ? raw.slice(colon + 1).trim() : '';
    if (name && !out.some((l) => l.name.toLowerCase() === name.toLowerCase())) out.push({ name, description });
  }
  return out;
}

/** Labels a person can pick with number keys 1..9. */
export const MAX_LABELS = 9;
