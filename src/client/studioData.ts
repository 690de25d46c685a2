/**
 * The actions on a person's work: tasks, texts, labels. Each writes IndexedDB first (src/storage/db.ts) and
 * only then the store, so what the page shows is always what a reload would show. No React here.
 */
import * as db from '../storage/db';
import type { Task, TextItem } from '../storage/db';
import type { ImportReport } from '../state/importSlice';
import { pickInOrder, type PickNext } from '../state/labellingSlice';
import { readCurrentTaskId, writeCurrentTaskId } from '../state/preferences';
import { patchSlice, useStudio, type StudioStore } from '../state/store';
import type { ShownError } from '../state/tasksSlice';
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
} from './parseTexts';

const store: StudioStore = useStudio;

/** Texts written per transaction while importing; the page repaints the progress bar between chunks. */
export const IMPORT_CHUNK = 2000;

/** Which text the Label page shows next; active learning replaces this. */
let pickNext: PickNext = pickInOrder;
export function setPickNext(strategy: PickNext): void {
  pickNext = strategy;
}
export function nextText(): TextItem | null {
  const { tasks, labelling } = store.getState();
  return pickNext(tasks.texts, new Set(labelling.skipped));
}

function shown(error: unknown): ShownError {
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: 'Error', message: String(error) };
}

/** Runs a storage action, showing its failure instead of throwing. Returns false when it failed. */
async function guarded(action: () => Promise<void>): Promise<boolean> {
  try {
    await action();
    patchSlice('tasks', { error: null });
    return true;
  } catch (error) {
    patchSlice('tasks', { error: shown(error) });
    return false;
  } finally {
    void refreshStorage();
  }
}

export async function refreshStorage(): Promise<void> {
  try {
    patchSlice('tasks', { storage: await db.storageEstimate() });
  } catch {
    // An estimate is a nicety.
  }
}

/** Reads everything back from IndexedDB: on start, and after a reload. */
export async function loadStudio(): Promise<void> {
  await guarded(async () => {
    const list = await db.listTasks();
    const remembered = readCurrentTaskId();
    const currentId = list.find((t) => t.id === remembered)?.id ?? list[0]?.id ?? null;
    const texts = currentId ? await db.listTexts(currentId) : [];
    patchSlice('tasks', { loaded: true, list, currentId, texts });
  });
  patchSlice('tasks', { loaded: true });
}

export async function selectTask(id: string): Promise<void> {
  await guarded(async () => {
    const texts = await db.listTexts(id);
    writeCurrentTaskId(id);
    patchSlice('tasks', { currentId: id, texts });
    patchSlice('labelling', { skipped: [], history: [] });
    patchSlice('importing', { pending: null, report: null, error: null, progress: null });
  });
}

export async function createTask(name: string, labels: Task['labels']): Promise<boolean> {
  const now = Date.now();
  const task: Task = { id: db.newId(), name: name.trim(), labels, createdAt: now, updatedAt: now };
  const ok = await guarded(() => db.putTask(task));
  if (ok) {
    patchSlice('tasks', { list: [...store.getState().tasks.list, task] });
    await selectTask(task.id);
  }
  return ok;
}

export async function updateTask(id: string, patch: Partial<Pick<Task, 'name' | 'labels'>>): Promise<void> {
  const task = store.getState().tasks.list.find((t) => t.id === id);
  if (!task) return;
  const next: Task = { ...task, ...patch, updatedAt: Date.now() };
  if (await guarded(() => db.putTask(next))) {
    patchSlice('tasks', { list: store.getState().tasks.list.map((t) => (t.id === id ? next : t)) });
  }
}

export async function duplicateTask(id: string): Promise<void> {
  const task = store.getState().tasks.list.find((t) => t.id === id);
  if (!task) return;
  const now = Date.now();
  const copy: Task = { ...task, id: db.newId(), name: `${task.name} (copy)`, createdAt: now, updatedAt: now };
  await guarded(async () => {
    const texts = (await db.listTexts(id)).map((t) => ({ ...t, id: db.newId(), taskId: copy.id }));
    await db.copyTask(copy, texts);
    patchSlice('tasks', { list: [...store.getState().tasks.list, copy] });
  });
  await selectTask(copy.id);
}

export async function deleteTask(id: string): Promise<void> {
  if (!(await guarded(() => db.deleteTask(id)))) return;
  const list = store.getState().tasks.list.filter((t) => t.id !== id);
  patchSlice('tasks', { list });
  if (store.getState().tasks.currentId === id) {
    if (list[0]) await selectTask(list[0].id);
    else {
      writeCurrentTaskId(null);
      patchSlice('tasks', { currentId: null, texts: [] });
    }
  }
}

// ---- adding texts --------------------------------------------------------------------------------------

function currentTask(): Task | null {
  const { list, currentId } = store.getState().tasks;
  return list.find((t) => t.id === currentId) ?? null;
}

/** Stores parsed rows in the current task, in chunks with progress; reports what was added and what was not. */
async function importRows(source: string, parsed: { rows: ParsedRow[]; empty: number; malformed?: MalformedLine[] }): Promise<boolean> {
  const task = currentTask();
  if (!task) return false;
  const labelNames = task.labels.map((l) => l.name);
  const existing = store.getState().tasks.texts;
  const { rows, duplicates } = dedupe(parsed.rows, existing.map((t) => t.text));
  let order = existing.reduce((max, t) => Math.max(max, t.order + 1), 0);
  let labelled = 0;
  let unmatchedLabels = 0;
  const now = Date.now();
  const items: TextItem[] = rows.map((row) => {
    const label = matchLabel(row.label, labelNames);
    if (label !== null) labelled++;
    else if (row.label) unmatchedLabels++;
    return { id: db.newId(), taskId: task.id, text: row.text, label, order: order++, labelledAt: label === null ? null : now };
  });
  patchSlice('importing', { progress: { done: 0, total: items.length }, report: null, error: null });
  let done = 0;
  try {
    for (let start = 0; start < items.length; start += IMPORT_CHUNK) {
      const chunk = items.slice(start, start + IMPORT_CHUNK);
      await db.addTexts(chunk);
      done += chunk.length;
      patchSlice('tasks', { texts: [...store.getState().tasks.texts, ...chunk] });
      patchSlice('importing', { progress: { done, total: items.length } });
      await new Promise((resolve) => setTimeout(resolve, 0)); // let the page paint
    }
  } catch (error) {
    const failure = shown(error);
    // Chunks written before the failure are kept (and shown); say so, so the numbers add up.
    if (done > 0) failure.message = `${done} of ${items.length} texts were saved before this failure. ${failure.message}`;
    patchSlice('importing', { error: failure, progress: null });
    void refreshStorage();
    return false;
  }
  const report: ImportReport = {
    source,
    added: items.length,
    labelled,
    empty: parsed.empty,
    duplicates,
    unmatchedLabels,
    malformed: parsed.malformed ?? [],
  };
  patchSlice('importing', { progress: null, report, pending: null });
  void refreshStorage();
  return true;
}

/** Adds pasted texts; false when they were not saved (the caller keeps them on screen). */
export function importPasted(text: string): Promise<boolean> {
  return importRows('pasted text', rowsFromLines(text));
}

/** Reads a picked file: plain lines and JSONL import at once; a table waits for its columns to be chosen. */
export async function importFile(file: File): Promise<void> {
  patchSlice('importing', { report: null, error: null, pending: null });
  let text: string;
  try {
    text = decodeText(new Uint8Array(await file.arrayBuffer()), file.name);
  } catch (error) {
    patchSlice('importing', { error: shown(error) });
    return;
  }
  const format = formatForFileName(file.name);
  switch (format) {
    case 'lines':
      await importRows(file.name, rowsFromLines(text));
      return;
    case 'jsonl':
      await importRows(file.name, rowsFromJsonl(text));
      return;
    case 'csv':
    case 'tsv': {
      const table = parseTable(text, format === 'csv' ? ',' : '\t');
      if (table.header.length === 0) {
        patchSlice('importing', { error: { name: 'EmptyFileError', message: `"${file.name}" has no rows.` } });
        return;
      }
      const lower = table.header.map((h) => h.toLowerCase());
      const named = lower.findIndex((h) => TEXT_HEADERS.has(h));
      const textColumn = named >= 0 ? named : longestColumn(table.records.slice(0, 50).map((r) => r.cells), table.header.length);
      const labelColumn = lower.findIndex((h) => LABEL_HEADERS.has(h));
      patchSlice('importing', { pending: { fileName: file.name, table, textColumn, labelColumn } });
      return;
    }
  }
}

/** Header names taken as the text or the label column before a person chooses. */
const TEXT_HEADERS = new Set(['text', 'sentence', 'review', 'content', 'body', 'message']);
const LABEL_HEADERS = new Set(['label', 'labels', 'category', 'class', 'sentiment', 'target']);

/** The column whose cells are longest on average: most likely the text. */
function longestColumn(rows: string[][], width: number): number {
  let best = 0;
  let bestLength = -1;
  for (let c = 0; c < width; c++) {
    const length = rows.reduce((sum, row) => sum + (row[c]?.length ?? 0), 0);
    if (length > bestLength) [best, bestLength] = [c, length];
  }
  return best;
}

export function choosePendingColumns(textColumn: number, labelColumn: number): void {
  const pending = store.getState().importing.pending;
  if (pending) patchSlice('importing', { pending: { ...pending, textColumn, labelColumn } });
}

export function cancelPending(): void {
  patchSlice('importing', { pending: null });
}

export async function importPending(): Promise<void> {
  const pending = store.getState().importing.pending;
  if (!pending) return;
  const { rows, empty } = rowsFromTable(pending.table, pending.textColumn, pending.labelColumn);
  await importRows(pending.fileName, { rows, empty, malformed: pending.table.malformed });
}

// ---- labelling -----------------------------------------------------------------------------------------

/** Labelling keys arrive faster than IndexedDB answers: each action waits for the one before it. */
let labellingQueue: Promise<unknown> = Promise.resolve();
function serial<T>(action: () => Promise<T> | T): Promise<T> {
  const run = labellingQueue.then(action, action);
  labellingQueue = run.catch(() => undefined);
  return run;
}

async function writeLabel(textId: string, label: number | null): Promise<boolean> {
  const item = store.getState().tasks.texts.find((t) => t.id === textId);
  if (!item) return false;
  const next: TextItem = { ...item, label, labelledAt: label === null ? null : Date.now() };
  const ok = await guarded(() => db.putText(next));
  if (ok) patchSlice('tasks', { texts: store.getState().tasks.texts.map((t) => (t.id === textId ? next : t)) });
  return ok;
}

/** Gives the text shown now the label at `index` (0-based); ignored when there is no such label. */
export function labelCurrent(index: number): Promise<void> {
  return serial(() => labelNow(index));
}

async function labelNow(index: number): Promise<void> {
  const task = currentTask();
  const text = nextText();
  if (!task || !text || index < 0 || index >= task.labels.length) return;
  if (await writeLabel(text.id, index)) {
    const { history } = store.getState().labelling;
    patchSlice('labelling', { history: [...history, { kind: 'label', textId: text.id, previous: text.label }] });
  }
}

export function skipCurrent(): Promise<void> {
  return serial(skipNow);
}

function skipNow(): void {
  const text = nextText();
  if (!text) return;
  const { skipped, history } = store.getState().labelling;
  patchSlice('labelling', { skipped: [...skipped, text.id], history: [...history, { kind: 'skip', textId: text.id }] });
}

/** Takes back the last label or skip; that text is shown again. */
export function undoLabelling(): Promise<void> {
  return serial(undoNow);
}

async function undoNow(): Promise<void> {
  const { history, skipped } = store.getState().labelling;
  const last = history[history.length - 1];
  if (!last) return;
  if (last.kind === 'skip') {
    patchSlice('labelling', { history: history.slice(0, -1), skipped: skipped.filter((id) => id !== last.textId) });
    return;
  }
  if (await writeLabel(last.textId, last.previous)) patchSlice('labelling', { history: history.slice(0, -1) });
}

/** Sets a label from the table view (null clears it). */
export function setTextLabel(textId: string, label: number | null): Promise<boolean> {
  return serial(() => writeLabel(textId, label));
}

export function clearSkipped(): void {
  patchSlice('labelling', { skipped: [] });
}
