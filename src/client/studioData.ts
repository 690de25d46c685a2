/**
 * The actions on a person's work: tasks, texts, labels. Each writes IndexedDB first (src/storage/db.ts) and
 * only then the store, so what the page shows is always what a reload would show. No React here.
 */
import * as db from '../storage/db';
import type { Task, TextItem } from '../storage/db';
import { pickInOrder, type PickNext } from '../state/labellingSlice';
import { readCurrentTaskId, writeCurrentTaskId } from '../state/preferences';
import { patchSlice, useStudio, type StudioStore } from '../state/store';
import type { ShownError } from '../state/tasksSlice';
import type { ParseEvent, ParseTarget, StoredTexts, TableSummary } from '../protocol/messages';
import { getParseClient } from './parseClient';

const store: StudioStore = useStudio;

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
// Reading, parsing, de-duplication, label matching and storing run in the parse worker (src/client/parseClient.ts,
// src/engine/parseHandler.ts); the main thread follows its progress and puts the stored texts in the store.

function currentTask(): Task | null {
  const { list, currentId } = store.getState().tasks;
  return list.find((t) => t.id === currentId) ?? null;
}

function parseTarget(task: Task): ParseTarget {
  const texts = store.getState().tasks.texts;
  let firstOrder = 0;
  for (const t of texts) if (t.order >= firstOrder) firstOrder = t.order + 1;
  return { taskId: task.id, firstOrder, labels: task.labels.map((l) => l.name) };
}

/**
 * Runs a parse request that ends in stored texts (the worker writes them): the progress bar follows its events,
 * and the store gets the stored texts once, at the end (appending to a 100,000-long list after every chunk would
 * cost the main thread more than everything else). A failure keeps, and shows, the chunks stored before it.
 */
async function importThrough(task: Task, work: (onEvent: (event: ParseEvent) => void) => Promise<StoredTexts | TableSummary>): Promise<StoredTexts | TableSummary | null> {
  patchSlice('importing', { report: null, error: null, progress: { phase: 'reading', done: 0, total: 0 } });
  const saved: TextItem[][] = [];
  const show = () => {
    if (saved.length > 0 && store.getState().tasks.currentId === task.id) patchSlice('tasks', { texts: store.getState().tasks.texts.concat(...saved) });
  };
  try {
    const result = await work((event) => {
      if (event.type === 'saved') saved.push(event.items);
      patchSlice('importing', { progress: { phase: 'saving', done: event.type === 'saved' ? event.done : 0, total: event.total } });
    });
    show();
    if (result.kind === 'texts') patchSlice('importing', { progress: null, report: { ...result.report, added: result.added }, pending: null });
    else patchSlice('importing', { progress: null });
    return result;
  } catch (error) {
    show();
    patchSlice('importing', { error: shown(error), progress: null });
    return null;
  } finally {
    void refreshStorage();
  }
}

/** Adds pasted texts; false when they were not saved (the caller keeps them on screen). */
export async function importPasted(text: string): Promise<boolean> {
  const task = currentTask();
  if (!task) return false;
  return (await importThrough(task, (onEvent) => getParseClient().readText(text, 'pasted text', parseTarget(task), onEvent))) !== null;
}

/** Reads a picked file: plain lines and JSONL import at once; a table waits for its columns to be chosen. */
export async function importFile(file: File): Promise<void> {
  const task = currentTask();
  if (!task) return;
  const previous = store.getState().importing.pending;
  patchSlice('importing', { pending: null });
  if (previous) void getParseClient().dropTable(previous.tableId);
  const result = await importThrough(task, (onEvent) => getParseClient().readFile(file, file.name, parseTarget(task), onEvent));
  if (result?.kind === 'table') {
    const { kind: _table, ...pending } = result;
    patchSlice('importing', { pending });
  }
}

export function choosePendingColumns(textColumn: number, labelColumn: number): void {
  const pending = store.getState().importing.pending;
  if (pending) patchSlice('importing', { pending: { ...pending, textColumn, labelColumn } });
}

export function cancelPending(): void {
  const pending = store.getState().importing.pending;
  patchSlice('importing', { pending: null });
  if (pending) void getParseClient().dropTable(pending.tableId);
}

export async function importPending(): Promise<void> {
  const pending = store.getState().importing.pending;
  const task = currentTask();
  if (!pending || !task) return;
  await importThrough(task, (onEvent) => getParseClient().importTable(pending.tableId, pending.textColumn, pending.labelColumn, parseTarget(task), onEvent));
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
