/**
 * Sharing a task: make a link (src/share codec) or a task file for the open task, and recreate a task from a
 * link or a task file. Opening never overwrites anything: it always makes a new task (a name already taken gets
 * " (shared)", " (shared 2)"...), written in one transaction with its examples and delta; a link or file that
 * fails any check changes nothing.
 */
import { toWireError } from '../protocol/messages';
import { decodeSharedTask, decodeShareLink, encodeSharedTask, makeShareLink, taskFileName, type SharedTask } from '../share';
import { navigate, patchSlice, useStudio } from '../state/store';
import { formFromSettings, settingsOfForm } from '../state/trainingSlice';
import * as db from '../storage/db';
import type { DeltaRecord, Task, TextItem } from '../storage/db';
import { downloadBytes } from './download';
import { selectTask } from './studioData';

const store = useStudio;

/** The open task as a SharedTask: labelled examples, the latest run's settings, the latest delta. */
async function sharedTaskOf(task: Task): Promise<SharedTask> {
  const [texts, runs, deltas] = await Promise.all([db.listTexts(task.id), db.listRuns(task.id), db.listDeltas(task.id)]);
  const latestRun = runs[runs.length - 1];
  const latest = deltas[deltas.length - 1];
  return {
    name: task.name,
    labels: task.labels.map((l) => ({ name: l.name, description: l.description })),
    examples: texts.filter((t) => t.label !== null).map((t) => ({ text: t.text, label: t.label as number })),
    settings: latestRun ? { method: latestRun.config.method, training: latestRun.config.training, ...(latestRun.config.selfTrain !== undefined ? { selfTrain: latestRun.config.selfTrain } : {}) } as Record<string, unknown> : ((task.settings as Record<string, unknown> | undefined) ?? null),
    delta: latest
      ? { method: latest.method, format: latest.format, config: latest.config, encoderFingerprint: latest.encoderFingerprint, metrics: latest.metrics, createdAt: latest.createdAt, zip: latest.zip }
      : null,
  };
}

function openTask(): Task | null {
  const { list, currentId } = store.getState().tasks;
  return list.find((t) => t.id === currentId) ?? null;
}

/** The studio's address without a fragment: where a link leads. */
function studioBase(): string {
  return `${location.origin}${location.pathname}${location.search}`;
}

export async function makeLink(): Promise<void> {
  const task = openTask();
  if (!task) return;
  patchSlice('sharing', { making: true, link: null, tooLarge: null, makeError: null });
  try {
    const shared = await sharedTaskOf(task);
    const result = makeShareLink(shared, studioBase());
    if (result.kind === 'link') {
      patchSlice('sharing', { making: false, link: { taskId: task.id, url: result.url, withDelta: result.withDelta, hasDelta: shared.delta !== null, examples: shared.examples.length } });
    } else {
      patchSlice('sharing', { making: false, tooLarge: { taskId: task.id, chars: result.chars, limit: result.limit } });
    }
  } catch (error) {
    patchSlice('sharing', { making: false, makeError: toWireError(error) });
  }
}

export async function downloadTaskFile(): Promise<void> {
  const task = openTask();
  if (!task) return;
  try {
    downloadBytes(encodeSharedTask(await sharedTaskOf(task)), taskFileName(task.name), 'application/octet-stream');
  } catch (error) {
    patchSlice('sharing', { makeError: toWireError(error) });
  }
}

/** A name no task has yet: the shared one, else "name (shared)", "name (shared 2)"... */
function freeName(name: string): string {
  const taken = new Set(store.getState().tasks.list.map((t) => t.name));
  if (!taken.has(name)) return name;
  for (let n = 1; ; n++) {
    const candidate = `${name} (shared${n > 1 ? ` ${n}` : ''})`;
    if (!taken.has(candidate)) return candidate;
  }
}

/** Writes a shared task as a new task, in one transaction, and opens it. */
async function recreate(shared: SharedTask, medium: 'link' | 'file'): Promise<void> {
  const now = Date.now();
  const name = freeName(shared.name);
  // The settings become the new task's training form; ones naming no known method are dropped.
  const form = formFromSettings(shared.settings);
  const task: Task = {
    id: db.newId(), name, labels: shared.labels.map((l) => ({ ...l })), createdAt: now, updatedAt: now,
    ...(form ? { settings: settingsOfForm(form) } : {}),
  };
  const texts: TextItem[] = shared.examples.map((e, order) => ({ id: db.newId(), taskId: task.id, text: e.text, label: e.label, order, labelledAt: now }));
  const deltas: DeltaRecord[] = shared.delta
    ? [{ id: db.newId(), taskId: task.id, runId: null, source: medium === 'link' ? 'link' : 'imported', createdAt: shared.delta.createdAt, method: shared.delta.method, format: shared.delta.format, config: shared.delta.config, zip: shared.delta.zip, encoderFingerprint: shared.delta.encoderFingerprint, metrics: shared.delta.metrics }]
    : [];
  await db.copyTask(task, texts, deltas);
  patchSlice('tasks', { list: [...store.getState().tasks.list, task] });
  await selectTask(task.id);
  patchSlice('sharing', { opened: { taskId: task.id, name, sharedName: shared.name, examples: texts.length, withDelta: deltas.length > 0, medium }, openError: null });
  navigate('tasks');
}

async function openWith(medium: 'link' | 'file', decode: () => Promise<SharedTask> | SharedTask): Promise<boolean> {
  patchSlice('sharing', { opened: null, openError: null });
  try {
    await recreate(await decode(), medium);
    return true;
  } catch (error) {
    patchSlice('sharing', { openError: toWireError(error) });
    navigate('tasks');
    return false;
  }
}

/** Opens a pasted share link (or the page's own address). */
export function openShareLink(text: string): Promise<boolean> {
  return openWith('link', () => decodeShareLink(text));
}

export function openTaskFile(file: File): Promise<boolean> {
  return openWith('file', async () => decodeSharedTask(new Uint8Array(await file.arrayBuffer()), 'file'));
}

/**
 * Opens the share in the page's address, once the studio has loaded, then drops the fragment (without a new
 * history entry) so a reload does not open it again.
 */
export async function openShareInAddress(): Promise<void> {
  const href = location.href;
  history.replaceState(null, '', `${location.pathname}${location.search}#/tasks`);
  await openShareLink(href);
}

export function dismissShareMessages(): void {
  patchSlice('sharing', { opened: null, openError: null });
}
