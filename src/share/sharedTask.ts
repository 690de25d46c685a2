/**
 * What a share link or task file carries: a task's name, labels (with descriptions), its labelled examples, the
 * settings of its latest run, and optionally its latest trained delta (the exported zip, byte for byte).
 * Unlabelled texts stay home: the point of sharing is the teaching, and they are what makes a link long.
 * Plain data; `parseSharedTask` checks a decoded value field by field before anything is created from it.
 */
import { ShareError } from './errors';

export interface SharedLabel {
  name: string;
  description: string;
}

export interface SharedExample {
  text: string;
  /** Index into `labels`. */
  label: number;
}

export interface SharedDelta {
  /** The PEFT method's name and its export format, as DeltaRecord keeps them. */
  method: string;
  format: string;
  config: unknown;
  /** sha256 hex of the encoder's weights it was trained on. */
  encoderFingerprint: string;
  metrics: Record<string, number | null>;
  createdAt: number;
  /** The exported zip (src/peft/export), as downloaded. */
  zip: Uint8Array;
}

export interface SharedTask {
  name: string;
  labels: SharedLabel[];
  examples: SharedExample[];
  /** The latest run's config ({method, training, ...}) as plain JSON, or null when the task was never trained. */
  settings: Record<string, unknown> | null;
  delta: SharedDelta | null;
}

/** The JSON part of the payload: everything but the delta's zip bytes, which follow the JSON. */
export interface SharedTaskJson {
  name: string;
  labels: SharedLabel[];
  /** [text, label index] pairs: shorter than objects, and a link's length is what limits it. */
  examples: Array<[string, number]>;
  settings: Record<string, unknown> | null;
  delta: (Omit<SharedDelta, 'zip'> & { zipBytes: number }) | null;
}

export function toSharedJson(task: SharedTask): SharedTaskJson {
  const { delta } = task;
  return {
    name: task.name,
    labels: task.labels.map((l) => ({ name: l.name, description: l.description })),
    examples: task.examples.map((e) => [e.text, e.label]),
    settings: task.settings,
    delta: delta
      ? { method: delta.method, format: delta.format, config: delta.config, encoderFingerprint: delta.encoderFingerprint, metrics: delta.metrics, createdAt: delta.createdAt, zipBytes: delta.zip.byteLength }
      : null,
  };
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Checks a decoded payload and rebuilds the task from it. `zip` is the bytes after the JSON. Throws
 * ShareError('damaged') naming the first field that is wrong: a checksum-valid payload that fails here was
 * written by a broken or hostile tool, not by Tabtune.
 */
export function parseSharedTask(value: unknown, zip: Uint8Array, what: string): SharedTask {
  const bad = (why: string): never => {
    throw new ShareError('damaged', `This ${what} does not describe a task Tabtune can open (${why}). Ask whoever sent it to share the task again.`);
  };
  if (!isRecord(value)) return bad('no task in it');
  const { name, labels, examples, settings, delta } = value;
  if (typeof name !== 'string' || !name.trim()) bad('the task has no name');
  if (!Array.isArray(labels) || labels.length === 0) return bad('the task has no labels');
  const parsedLabels = labels.map((l): SharedLabel => {
    if (!isRecord(l) || typeof l.name !== 'string' || !l.name.trim() || typeof l.description !== 'string') return bad('a label has no name');
    return { name: l.name, description: l.description };
  });
  if (new Set(parsedLabels.map((l) => l.name.toLowerCase())).size !== parsedLabels.length) bad('two labels have the same name');
  if (!Array.isArray(examples)) return bad('the examples are missing');
  const parsedExamples = examples.map((e): SharedExample => {
    if (!Array.isArray(e) || typeof e[0] !== 'string' || !e[0].trim() || !Number.isInteger(e[1]) || e[1] < 0 || e[1] >= parsedLabels.length) return bad('an example has no text or an unknown label');
    return { text: e[0], label: e[1] };
  });
  if (settings !== null && !isRecord(settings)) bad('the settings are not an object');
  let parsedDelta: SharedDelta | null = null;
  if (delta !== null) {
    if (!isRecord(delta)) return bad('the adapter is not described');
    const { method, format, config, encoderFingerprint, metrics, createdAt, zipBytes } = delta;
    if (typeof method !== 'string' || typeof format !== 'string' || typeof encoderFingerprint !== 'string' || typeof createdAt !== 'number' || !isRecord(metrics)) bad('the adapter is not described');
    if (!Object.values(metrics as Record<string, unknown>).every((m) => m === null || typeof m === 'number')) bad('the adapter metrics are not numbers');
    if (zipBytes !== zip.byteLength) bad(`the adapter should be ${String(zipBytes)} bytes, ${zip.byteLength} are there`);
    parsedDelta = { method: method as string, format: format as string, config, encoderFingerprint: encoderFingerprint as string, metrics: metrics as Record<string, number | null>, createdAt: createdAt as number, zip };
  } else if (zip.byteLength > 0) bad('there are bytes after the task that belong to nothing');
  return { name: (name as string).trim(), labels: parsedLabels, examples: parsedExamples, settings: (settings as Record<string, unknown> | null) ?? null, delta: parsedDelta };
}
