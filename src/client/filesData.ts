/**
 * The Files page's actions: list the open task's deltas, download one (its zip as stored), import an adapter
 * file, delete one. IndexedDB first (src/storage/db.ts), then the store. An import is checked whole before
 * anything is written: the encoder worker runs importDelta against the loaded encoder, then the labels are
 * compared with the task's; a refused file changes nothing.
 */
import { toWireError, type DeltaCheck, type WireError } from '../protocol/messages';
import type { DeltaSummary } from '../state/filesSlice';
import { patchSlice, useStudio } from '../state/store';
import * as db from '../storage/db';
import type { DeltaRecord } from '../storage/db';
import { safeFileStem } from '../share';
import { downloadBytes } from './download';
import { getEncoderClient } from './index';

const store = useStudio;

export function summariseDelta(d: DeltaRecord): DeltaSummary {
  const { zip, ...rest } = d;
  return { ...rest, bytes: zip.byteLength };
}

/** Reads the task's deltas, newest first. */
export async function loadDeltas(taskId: string): Promise<void> {
  try {
    const deltas = (await db.listDeltas(taskId)).map(summariseDelta).reverse();
    patchSlice('files', { taskId, deltas, error: null });
  } catch (error) {
    patchSlice('files', { taskId, deltas: [], error: toWireError(error) });
  }
}

/** The file name a delta downloads as: task, method and date, e.g. `Reviews-lora-2025-01-02.zip`. */
export function deltaFileName(taskName: string, delta: Pick<DeltaRecord, 'method' | 'createdAt'>): string {
  const day = new Date(delta.createdAt).toISOString().slice(0, 10);
  return `${safeFileStem(taskName)}-${delta.method}-${day}.zip`;
}

export async function downloadDelta(id: string): Promise<void> {
  try {
    const delta = await db.getDelta(id);
    if (!delta) throw new Error('That adapter is no longer stored (deleted in another tab?). Reload the page.');
    const task = store.getState().tasks.list.find((t) => t.id === delta.taskId);
    downloadBytes(delta.zip, deltaFileName(task?.name ?? 'task', delta), 'application/zip');
  } catch (error) {
    patchSlice('files', { error: toWireError(error) });
  }
}

export async function deleteDelta(id: string): Promise<void> {
  const { taskId } = store.getState().files;
  try {
    await db.deleteDelta(id);
    patchSlice('files', { deltas: store.getState().files.deltas.filter((d) => d.id !== id), notice: 'The adapter was deleted.', error: null });
  } catch (error) {
    patchSlice('files', { error: toWireError(error) });
    if (taskId) await loadDeltas(taskId);
  }
}

/** Library → the format name DeltaRecord keeps. */
const FORMATS: Record<string, string> = { peft: 'peft', adapters: 'adapters', none: 'torch' };

/** The labels check: a head's rows are the task's labels, in order. */
function labelMismatch(check: DeltaCheck, taskLabels: string[]): WireError | null {
  const same = check.labels.length === taskLabels.length && check.labels.every((l, i) => l === taskLabels[i]);
  if (same) return null;
  const list = (labels: string[]) => labels.map((l) => `"${l}"`).join(', ');
  const sameSet = check.labels.length === taskLabels.length && [...check.labels].sort().join('\u0000') === [...taskLabels].sort().join('\u0000');
  return {
    name: 'DeltaImportError',
    code: 'other-labels',
    message: sameSet
      ? `This adapter's labels are in another order (${list(check.labels)}) than this task's (${list(taskLabels)}), and its outputs follow that order. Import it into a task whose labels are in its order.`
      : `This adapter was trained for the labels ${list(check.labels)}, but this task has ${list(taskLabels)}. Import it into a task with those labels (in that order), or create one.`,
  };
}

/** Imports an adapter zip into the open task. Nothing is written unless every check passes. */
export async function importAdapter(file: File): Promise<void> {
  const { list, currentId } = store.getState().tasks;
  const task = list.find((t) => t.id === currentId);
  if (!task) return;
  patchSlice('files', { importing: true, importError: null, notice: null });
  try {
    const zip = new Uint8Array(await file.arrayBuffer());
    const check = await getEncoderClient().checkDelta(zip);
    const mismatch = labelMismatch(check, task.labels.map((l) => l.name));
    if (mismatch) {
      patchSlice('files', { importing: false, importError: mismatch });
      return;
    }
    const record: DeltaRecord = {
      id: db.newId(),
      taskId: task.id,
      runId: null,
      source: 'imported',
      createdAt: Date.now(),
      method: check.config.method,
      format: FORMATS[check.library] ?? check.library,
      config: check.config,
      zip,
      encoderFingerprint: check.encoderFingerprint,
      metrics: check.metrics,
    };
    await db.putDelta(record);
    if (store.getState().files.taskId === task.id) patchSlice('files', { deltas: [summariseDelta(record), ...store.getState().files.deltas] });
    patchSlice('files', { importing: false, notice: `Imported "${file.name}" (${check.config.method}) into ${task.name}.` });
  } catch (error) {
    patchSlice('files', { importing: false, importError: toWireError(error) });
  }
}

export function dismissFilesMessages(): void {
  patchSlice('files', { importError: null, notice: null, error: null });
}
