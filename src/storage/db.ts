/**
 * Everything a person makes (tasks, their texts and labels) lives in IndexedDB behind this one module; it is
 * the only importer of `idb` for studio data (the model cache, src/storage/modelCache.ts, keeps its own).
 * Writes go through `write()`, one transaction each, so a failed write (a full disk) leaves nothing half done.
 */
import { openDB, type DBSchema, type IDBPDatabase, type IDBPTransaction, type StoreNames } from 'idb';

// Do not change DB_NAME or DB_VERSION without a migration in `upgrade` below: people's work lives here.
export const DB_NAME = 'tabtune-studio';
export const DB_VERSION = 1;

export interface LabelDef {
  name: string;
  /** Optional words on what the label means, shown while labelling. */
  description: string;
}

export interface Task {
  id: string;
  name: string;
  labels: LabelDef[];
  createdAt: number;
  updatedAt: number;
}

export interface TextItem {
  id: string;
  taskId: string;
  text: string;
  /** Index into the task's labels, or null while unlabelled. */
  label: number | null;
  /** Insertion order within the task. */
  order: number;
  /** When a person (or an import) set the label; null while unlabelled. */
  labelledAt: number | null;
}

interface StudioDB extends DBSchema {
  tasks: { key: string; value: Task };
  texts: { key: string; value: TextItem; indexes: { byTask: string } };
}

export type StudioDatabase = IDBPDatabase<StudioDB>;
type Tx = IDBPTransaction<StudioDB, StoreNames<StudioDB>[], 'readwrite'>;

/** The browser refused a write because its storage quota is used up. Nothing of that write was kept. */
export class StorageFullError extends Error {
  override readonly name = 'StorageFullError';
  constructor() {
    super('The browser has no room left for Tabtune\'s data, so this change was not saved (everything saved before is intact). Free space by deleting a task, or allow this site more storage.');
  }
}

let opened: Promise<StudioDatabase> | null = null;

export function openStudioDb(name = DB_NAME): Promise<StudioDatabase> {
  if (name !== DB_NAME) return open(name);
  opened ??= open(name);
  return opened;
}

function open(name: string): Promise<StudioDatabase> {
  const database: Promise<StudioDatabase> = openDB<StudioDB>(name, DB_VERSION, {
    // Idempotent: creates only what is missing, so it is safe at every version step.
    upgrade(db) {
      if (!db.objectStoreNames.contains('tasks')) db.createObjectStore('tasks', { keyPath: 'id' });
      if (!db.objectStoreNames.contains('texts')) db.createObjectStore('texts', { keyPath: 'id' }).createIndex('byTask', 'taskId');
    },
    // A newer Tabtune in another tab wants to upgrade: step aside; the next call here reopens.
    blocking() {
      void database.then((db) => db.close());
      if (opened === database) opened = null;
    },
  });
  return database;
}

function isQuotaError(error: unknown): boolean {
  return error instanceof DOMException && (error.name === 'QuotaExceededError' || error.name === 'NS_ERROR_DOM_QUOTA_REACHED');
}

/** Runs `work` in one readwrite transaction over both stores; all of it is saved, or none of it. */
export async function write<T>(work: (tx: Tx) => Promise<T>, db?: StudioDatabase): Promise<T> {
  const database = db ?? (await openStudioDb());
  const tx = database.transaction(['tasks', 'texts'], 'readwrite');
  // An aborted transaction rejects `done`; the failure is reported below, so do not let it go unhandled.
  tx.done.catch(() => undefined);
  try {
    const result = await work(tx);
    await tx.done;
    return result;
  } catch (error) {
    try {
      tx.abort();
    } catch {
      // Already finished or aborted.
    }
    const cause = error ?? tx.error;
    if (isQuotaError(cause) || isQuotaError(tx.error)) throw new StorageFullError();
    throw cause;
  }
}

// ---- reads ---------------------------------------------------------------------------------------------

export async function listTasks(): Promise<Task[]> {
  const db = await openStudioDb();
  return (await db.getAll('tasks')).sort((a, b) => a.createdAt - b.createdAt);
}

export async function listTexts(taskId: string): Promise<TextItem[]> {
  const db = await openStudioDb();
  return (await db.getAllFromIndex('texts', 'byTask', taskId)).sort((a, b) => a.order - b.order);
}

// ---- writes --------------------------------------------------------------------------------------------

export function putTask(task: Task): Promise<void> {
  return write(async (tx) => {
    await tx.objectStore('tasks').put(task);
  });
}

/** Adds texts to a task in one transaction. */
export function addTexts(items: TextItem[]): Promise<void> {
  return write(async (tx) => {
    const store = tx.objectStore('texts');
    await Promise.all(items.map((item) => store.put(item)));
  });
}

export function putText(item: TextItem): Promise<void> {
  return write(async (tx) => {
    await tx.objectStore('texts').put(item);
  });
}

/** Copies a task and all its texts under new ids, in one transaction. */
export function copyTask(task: Task, texts: TextItem[]): Promise<void> {
  return write(async (tx) => {
    await tx.objectStore('tasks').put(task);
    const store = tx.objectStore('texts');
    await Promise.all(texts.map((t) => store.put(t)));
  });
}

/** Deletes a task and every text in it. */
export function deleteTask(taskId: string): Promise<void> {
  return write(async (tx) => {
    await tx.objectStore('tasks').delete(taskId);
    const index = tx.objectStore('texts').index('byTask');
    for (let cursor = await index.openCursor(taskId); cursor; cursor = await cursor.continue()) await cursor.delete();
  });
}

/** How much this site stores and may store, when the browser says. */
export async function storageEstimate(): Promise<{ usage: number; quota: number } | null> {
  if (!globalThis.navigator?.storage?.estimate) return null;
  const { usage, quota } = await navigator.storage.estimate();
  return usage === undefined || quota === undefined ? null : { usage, quota };
}

export function newId(): string {
  return globalThis.crypto.randomUUID();
}
