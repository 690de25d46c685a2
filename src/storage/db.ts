/**
 * Everything a person makes (tasks, their texts and labels) lives in IndexedDB behind this one module; it is
 * the only importer of `idb` for studio data (the model cache, src/storage/modelCache.ts, keeps its own).
 * Writes go through `write()`, one transaction each, so a failed write (a full disk) leaves nothing half done.
 */
import { openDB, type DBSchema, type IDBPDatabase, type IDBPTransaction, type StoreNames } from 'idb';

// Do not change DB_NAME or DB_VERSION without a migration in `upgrade` below: people's work lives here.
export const DB_NAME = 'tabtune-studio';
export const DB_VERSION = 2;

/** Every store, in the order `write()` opens them. v1: tasks, texts. v2: runs, deltas. */
export const STORE_NAMES = ['tasks', 'texts', 'runs', 'deltas'] as const;

export interface LabelDef {
  name: string;
  /** Optional words on what the label means, shown while labelling. */
  description: string;
}

/**
 * The training form as a person last left it for a task: the chosen method's config, the training knobs and the
 * self-training knobs (plain data; checked when applied). Also what a share link carries as "settings".
 */
export interface TaskSettings {
  method: { method: string };
  training: object;
  selfTrain?: object;
}

export interface Task {
  id: string;
  name: string;
  labels: LabelDef[];
  createdAt: number;
  updatedAt: number;
  /** The training form for this task; absent until the form is changed (then the defaults apply). */
  settings?: TaskSettings;
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

export type RunKind = 'train' | 'selfTrain';
export type RunStatus = 'running' | 'completed' | 'cancelled' | 'failed' | 'interrupted';

/**
 * One training or self-training run of a task, kept whatever its end. Everything is plain, structured-cloneable
 * data. A run left 'running' when the page went away reads as interrupted and resumes from `checkpoint`.
 */
export interface RunRecord {
  id: string;
  taskId: string;
  kind: RunKind;
  /** The PEFT method's name (a MethodName). */
  method: string;
  /** The method's config, the training config and (for self-training) its config, as started. */
  config: { method: unknown; training: unknown; selfTrain?: unknown };
  status: RunStatus;
  createdAt: number;
  updatedAt: number;
  /** Series the charts draw, as the run recorded them (e.g. loss per step). Plain numbers only. */
  history: Record<string, Array<Record<string, number | null>>>;
  /** Final or latest figures (held-out accuracy, steps, seconds...). */
  metrics: Record<string, number | null>;
  /** The last resumable point, plain data (e.g. a SelfTrainState); null once finished. */
  checkpoint: unknown;
  /** The delta this run produced, when it finished. */
  deltaId: string | null;
  /** What went wrong, for status 'failed' (or what stopped it, for 'interrupted'). */
  error: string | null;
  /** sha256 of the encoder it trains on; resuming on another encoder is refused. Optional: added after v2 shipped. */
  encoderFingerprint?: string;
}

export type DeltaSource = 'trained' | 'imported' | 'link';

/** A trained (or imported) delta of a task: the exported zip peft / adapters load, with what describes it. */
export interface DeltaRecord {
  id: string;
  taskId: string;
  /** The run that produced it; null when imported from a file or a link. */
  runId: string | null;
  source: DeltaSource;
  createdAt: number;
  /** The PEFT method's name and its export format (peft, adapters, torch). */
  method: string;
  format: string;
  /** The method's config as plain data. */
  config: unknown;
  /** The exported zip (src/peft/export exportDelta), byte for byte what a download gives. */
  zip: Uint8Array;
  /** sha256 hex of the encoder's model.safetensors it was trained on. */
  encoderFingerprint: string;
  metrics: Record<string, number | null>;
}

interface StudioDB extends DBSchema {
  tasks: { key: string; value: Task };
  texts: { key: string; value: TextItem; indexes: { byTask: string } };
  runs: { key: string; value: RunRecord; indexes: { byTask: string } };
  deltas: { key: string; value: DeltaRecord; indexes: { byTask: string } };
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
      // v2: runs and deltas; v1 data is untouched.
      if (!db.objectStoreNames.contains('runs')) db.createObjectStore('runs', { keyPath: 'id' }).createIndex('byTask', 'taskId');
      if (!db.objectStoreNames.contains('deltas')) db.createObjectStore('deltas', { keyPath: 'id' }).createIndex('byTask', 'taskId');
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

/** Runs `work` in one readwrite transaction over every store; all of it is saved, or none of it. */
export async function write<T>(work: (tx: Tx) => Promise<T>, db?: StudioDatabase): Promise<T> {
  const database = db ?? (await openStudioDb());
  const tx = database.transaction([...STORE_NAMES], 'readwrite');
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

export async function listRuns(taskId: string): Promise<RunRecord[]> {
  const db = await openStudioDb();
  return (await db.getAllFromIndex('runs', 'byTask', taskId)).sort((a, b) => a.createdAt - b.createdAt);
}

export async function getRun(id: string): Promise<RunRecord | undefined> {
  return (await openStudioDb()).get('runs', id);
}

export async function listDeltas(taskId: string): Promise<DeltaRecord[]> {
  const db = await openStudioDb();
  return (await db.getAllFromIndex('deltas', 'byTask', taskId)).sort((a, b) => a.createdAt - b.createdAt);
}

export async function getDelta(id: string): Promise<DeltaRecord | undefined> {
  return (await openStudioDb()).get('deltas', id);
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

export function putRun(run: RunRecord): Promise<void> {
  return write(async (tx) => {
    await tx.objectStore('runs').put(run);
  });
}

export function putDelta(delta: DeltaRecord): Promise<void> {
  return write(async (tx) => {
    await tx.objectStore('deltas').put(delta);
  });
}

/** Saves a finished run together with the delta it produced: both, or neither. */
export function putRunWithDelta(run: RunRecord, delta: DeltaRecord): Promise<void> {
  return write(async (tx) => {
    await tx.objectStore('deltas').put(delta);
    await tx.objectStore('runs').put(run);
  });
}

export function deleteDelta(id: string): Promise<void> {
  return write(async (tx) => {
    await tx.objectStore('deltas').delete(id);
  });
}

/** Copies a task and all its texts (and deltas, for a shared task) under new ids, in one transaction. */
export function copyTask(task: Task, texts: TextItem[], deltas: DeltaRecord[] = []): Promise<void> {
  return write(async (tx) => {
    await tx.objectStore('tasks').put(task);
    const store = tx.objectStore('texts');
    await Promise.all(texts.map((t) => store.put(t)));
    for (const delta of deltas) await tx.objectStore('deltas').put(delta);
  });
}

/** Deletes a task and everything in it: texts, runs and deltas. */
export function deleteTask(taskId: string): Promise<void> {
  return write(async (tx) => {
    await tx.objectStore('tasks').delete(taskId);
    for (const store of ['texts', 'runs', 'deltas'] as const) {
      const index = tx.objectStore(store).index('byTask');
      for (let cursor = await index.openCursor(taskId); cursor; cursor = await cursor.continue()) await cursor.delete();
    }
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
