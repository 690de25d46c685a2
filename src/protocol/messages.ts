/**
 * The encoder worker's protocol: every message that crosses between the main thread (src/client/) and the
 * worker (src/engine/encoderHandler.ts), as discriminated unions. Both sides switch on `type` exhaustively and
 * end in `assertNever`, so adding a message is a compile error until both sides handle it.
 *
 * Rules: every request carries an `id`, answered by exactly one response with the same id; events carry the
 * id of the request they belong to. Errors cross as plain `{name, code?, message, file?}` objects. Big arrays
 * (embeddings, similarity matrices) are Float32Arrays whose buffers are transferred, not copied.
 */
import type { ModelSource } from '../encoder/loader/source';
import type { LoadProgress } from '../encoder/types';
import type { GpuAdapterSummary } from '../runtime/backends';
import type { MalformedLine } from '../engine/parseTexts';
import type { TextItem } from '../storage/db';
import type { MethodConfig } from '../peft/registry';
import type { SelfTrainConfig } from '../selftrain/config';
import type { SelfTrainEvent } from '../selftrain/events';
import type { SelfTrainState } from '../selftrain/state';
import type { TrainingConfig } from '../training/config';
import type { DoneReason, LoopCheckpoint, TrainEvent } from '../training/trainLoop';

export type { ModelSource, LoadProgress };

/** The backends a person can ask for; 'auto' lets the runtime choose (WebGPU, then WASM, then CPU). */
export const BACKEND_PREFERENCES = ['auto', 'webgpu', 'wasm', 'cpu'] as const;
export type BackendPreference = (typeof BACKEND_PREFERENCES)[number];

export function isBackendPreference(value: unknown): value is BackendPreference {
  return typeof value === 'string' && (BACKEND_PREFERENCES as readonly string[]).includes(value);
}

/** A WebGPU adapter, described with plain strings (GPUAdapterInfo is not cloneable in every browser). */
export type AdapterSummary = GpuAdapterSummary;

/** The backend the worker is running on, after initialisation. */
export interface BackendInfo {
  /** The tfjs backend name in use: 'webgpu' | 'wasm' | 'cpu' (a string: tfjs may report others). */
  backend: string;
  /** What was asked for. */
  preference: BackendPreference;
  adapter?: AdapterSummary;
  /** WASM threads in use (1 when the page is not cross-origin isolated). */
  threads?: number;
  /** Why the preferred backend was not used, when the runtime fell back. */
  fallbackReason?: string;
}

/** The loaded encoder, as the UI shows it. */
export interface ModelInfo {
  id: string;
  sourceKind: ModelSource['kind'];
  modelType: string;
  layers: number;
  hiddenSize: number;
  heads: number;
  vocabSize: number;
  maxPositions: number;
  quantization: 'int8' | 'f32';
  pooling: 'mean' | 'cls';
  normalize: boolean;
  /** sha256 hex of model.safetensors. */
  fingerprint: string;
  bytes: number;
  /** True when the weights (model.safetensors) came from the model cache rather than the network. */
  fromCache: boolean;
  loadMs: number;
}

/** An error as it crosses the boundary. `code` is ModelLoadError's code when there is one. */
export interface WireError {
  name: string;
  code?: string;
  message: string;
  file?: string;
  /** Why the worker itself stopped ('worker-crashed': what the browser said; 'worker-stopped'), for messages that wrap it. */
  reason?: string;
}

// ---------------------------------------------------------------------------------------------------------
// Requests (main -> worker)

export type EncoderRequest =
  /** Initialise (or switch) the tfjs backend; a loaded model is rebuilt on the new backend. */
  | { type: 'setBackend'; id: number; preference: BackendPreference }
  /** Load a checkpoint. The previous model stays in use until the new one is fully built. */
  | { type: 'loadModel'; id: number; source: ModelSource }
  /** Embed texts with the current model; optionally also return their cosine similarity matrix. */
  | { type: 'embed'; id: number; texts: string[]; maxLength?: number; batchSize?: number; similarity?: boolean }
  /** Abort the request with id `target` (a load, a training or a self-training). */
  | { type: 'cancel'; id: number; target: number }
  /** Train a classifier (frozen encoder + a PEFT delta + head) on labelled texts; events stream as 'train'. */
  | { type: 'train'; id: number; job: TrainJob }
  /** LiST self-training over labelled and unlabelled texts, from scratch or from a saved state. */
  | { type: 'selfTrain'; id: number; job: SelfTrainJob }
  /** Make a saved delta (an exported zip) the worker's classifier, under `deltaId`. */
  | { type: 'useDelta'; id: number; deltaId: string; zip: Uint8Array }
  /** Class probabilities of texts under the classifier `deltaId` (error code 'no-classifier' if it is not loaded). */
  | { type: 'predict'; id: number; deltaId: string; texts: string[]; maxLength?: number }
  /** Check an exported delta's zip against the loaded encoder (src/peft/export importDelta) before keeping it. */
  | { type: 'checkDelta'; id: number; zip: Uint8Array };

export type EncoderRequestType = EncoderRequest['type'];

/** Embeddings for `count` texts of width `dim`, flattened row-major: [count * dim]. */
export interface EmbedResult {
  count: number;
  dim: number;
  embeddings: Float32Array;
  /** Cosine similarities, row-major [count * count], when asked for. */
  similarity?: Float32Array;
  elapsedMs: number;
  backend: string;
}

/** What an adapter zip holds, once importDelta has accepted it for the loaded encoder (tabtune.json's facts). */
export interface DeltaCheck {
  labels: string[];
  /** The method's config (its `method` tag names it). */
  config: { method: string } & Record<string, unknown>;
  library: string;
  metrics: Record<string, number>;
  createdAt: string;
  encoderId: string;
  encoderFingerprint: string;
}

/** The task a classifier is trained for, as the export needs it. */
export interface JobTask {
  name: string;
  /** Class names, in the order of the head's rows (label index = row). */
  labels: string[];
}

/** A labelled text; `label` indexes JobTask.labels. */
export interface JobExample {
  text: string;
  label: number;
}

/** What a training request carries: all plain data. */
export interface TrainJob {
  task: JobTask;
  method: MethodConfig;
  training: Partial<TrainingConfig>;
  examples: JobExample[];
  /** The id the finished classifier is kept under in the worker (the DeltaRecord's id). */
  deltaId: string;
  /** sha256 of the encoder the run must use; a different loaded encoder is refused ('encoder-changed'). */
  encoderFingerprint?: string;
  /** Continue from this checkpoint (a 'trainCheckpoint' event of an earlier request of the same job). */
  resume?: TrainCheckpoint;
  /** Send a 'trainCheckpoint' at most this often, in ms (0: after every step); default CHECKPOINT_MS. */
  checkpointMs?: number;
}

/**
 * Where a plain training run stands, to resume it: the train loop's state (the delta's and head's values as flat
 * Float32Arrays in variable order, AdamW's moments, early stopping's memory, the step) and what it must fit.
 */
export interface TrainCheckpoint {
  version: 1;
  /** The PEFT method's name; resuming with another method is refused. */
  method: string;
  classes: number;
  loop: LoopCheckpoint;
}

export interface SelfTrainJob extends Omit<TrainJob, 'training' | 'resume' | 'checkpointMs'> {
  selfTrain: Partial<SelfTrainConfig>;
  unlabelled: string[];
  /** Continue after the round this state was saved at. */
  resume?: SelfTrainState;
}

/** A finished (or cancelled) run's delta: the exported zip Python loads, and what describes it. */
export interface TrainedDelta {
  deltaId: string;
  /** exportDelta's zip; its buffer is transferred. */
  zip: Uint8Array;
  /** The export's library (peft, adapters, none). */
  format: string;
  encoderFingerprint: string;
  metrics: Record<string, number | null>;
}

export interface TrainOutcome {
  reason: DoneReason;
  steps: number;
  bestStep: number;
  delta: TrainedDelta;
}

export interface SelfTrainOutcome {
  reason: 'completed' | 'cancelled';
  roundsFinished: number;
  /** Null when cancelled before the first teacher was trained (nothing worth keeping). */
  delta: TrainedDelta | null;
}

/** Probabilities [count * classes], row-major. */
export interface PredictResult {
  count: number;
  classes: number;
  probabilities: Float32Array;
}

/** The result each request type resolves to. */
export interface EncoderResults {
  setBackend: { backend: BackendInfo; model: ModelInfo | null };
  loadModel: ModelInfo;
  embed: EmbedResult;
  cancel: { cancelled: boolean };
  checkDelta: DeltaCheck;
  train: TrainOutcome;
  selfTrain: SelfTrainOutcome;
  useDelta: { deltaId: string; method: string; classes: number };
  predict: PredictResult;
}

// ---------------------------------------------------------------------------------------------------------
// Responses and events (worker -> main)

export type EncoderResponse =
  | { [K in EncoderRequestType]: { type: 'result'; id: number; request: K; result: EncoderResults[K] } }[EncoderRequestType]
  | { type: 'error'; id: number; error: WireError };

export type EncoderEvent =
  /** Bytes loaded so far for the loadModel request `id`. */
  | { type: 'progress'; id: number; progress: LoadProgress }
  /** The worker started and can take requests. */
  | { type: 'ready' }
  /** A step, evaluation or end of the 'train' request `id`. */
  | { type: 'trainEvent'; id: number; event: TrainEvent }
  /** The resumable state of the 'train' request `id` (every checkpointMs, and when it is cancelled). */
  | { type: 'trainCheckpoint'; id: number; checkpoint: TrainCheckpoint }
  /** A self-training event of the 'selfTrain' request `id` (round 0 is the first teacher). */
  | { type: 'selfTrainEvent'; id: number; event: SelfTrainEvent }
  /** The resumable state after a finished round (to save as the run's checkpoint). */
  | { type: 'selfTrainState'; id: number; state: SelfTrainState };

export type WorkerMessage = EncoderResponse | EncoderEvent;

/** Ends an exhaustive switch: a new union member without a case is a compile error here. */
export function assertNever(value: never, what = 'message'): never {
  throw new Error(`Unhandled ${what}: ${JSON.stringify(value)}`);
}

/** Turns anything thrown into a WireError, keeping ModelLoadError's code and file. */
export function toWireError(err: unknown): WireError {
  if (err instanceof Error) {
    const { code, file } = err as Error & { code?: unknown; file?: unknown };
    return {
      name: err.name,
      message: err.message,
      ...(typeof code === 'string' ? { code } : {}),
      ...(typeof file === 'string' ? { file } : {}),
    };
  }
  if (typeof err === 'object' && err !== null && 'message' in err) {
    const e = err as { name?: unknown; code?: unknown; message: unknown };
    return {
      name: typeof e.name === 'string' ? e.name : 'Error',
      message: String(e.message),
      ...(typeof e.code === 'string' ? { code: e.code } : {}),
    };
  }
  return { name: 'Error', message: String(err) };
}

/** The error a client rejects with: an Error carrying the wire error's name, code and file. */
export class EncoderWorkerError extends Error {
  readonly code?: string;
  readonly file?: string;
  constructor(readonly wire: WireError) {
    super(wire.message);
    this.name = wire.name;
    this.code = wire.code;
    this.file = wire.file;
  }
}

// =========================================================================================================
// The text-parsing worker (workers/parse.worker.ts, src/engine/parseHandler.ts, src/client/parseClient.ts).
// Same rules as the encoder's: every request has an `id` answered by exactly one response; errors cross as plain
// WireError objects. The worker also stores the texts (through src/storage/db.ts, a transaction per chunk), so a
// 100,000-line file costs the main thread only small `saved` events: each carries the chunk just written.

/**
 * What every request that ends in texts needs to know about the task they go into. The texts the task holds
 * already (repeats of which are counted, not added) the worker reads from IndexedDB itself: 100,000 of them
 * would be a long task for the main thread to send.
 */
export interface ParseTarget {
  taskId: string;
  /** The `order` of the first new text (one past the task's last). */
  firstOrder: number;
  /** The task's label names, in order: labels in the source are matched to these. */
  labels: string[];
}

export type ParseRequest =
  /** Reads a picked file: plain lines and JSONL come back as texts, a CSV/TSV as a table waiting for columns. */
  | ({ type: 'readFile'; id: number; file: Blob; fileName: string } & ParseTarget)
  /** Reads pasted text, one text per line. */
  | ({ type: 'readText'; id: number; text: string; source: string } & ParseTarget)
  /** Takes the chosen columns out of a table the worker holds from readFile. */
  | ({ type: 'importTable'; id: number; tableId: number; textColumn: number; labelColumn: number } & ParseTarget)
  /** Forgets a table (the person cancelled). */
  | { type: 'dropTable'; id: number; tableId: number };

export type ParseRequestType = ParseRequest['type'];

/** What was read, and what was not added and why (ImportReport without the count added). */
export interface ParseReport {
  source: string;
  labelled: number;
  empty: number;
  duplicates: number;
  unmatchedLabels: number;
  malformed: MalformedLine[];
}

/** Texts read and stored: how many were added, and the report. */
export interface StoredTexts {
  kind: 'texts';
  added: number;
  report: ParseReport;
}

/** A table the worker holds until its columns are chosen. */
export interface TableSummary {
  kind: 'table';
  tableId: number;
  fileName: string;
  header: string[];
  rowCount: number;
  /** The first data row's cells, for a preview. */
  firstRow: string[] | null;
  /** Columns guessed from the header (or the longest cells); labelColumn -1 for none. */
  textColumn: number;
  labelColumn: number;
}

export interface ParseResults {
  readFile: StoredTexts | TableSummary;
  readText: StoredTexts;
  importTable: StoredTexts;
  dropTable: { dropped: boolean };
}

export type ParseResponse =
  | { [K in ParseRequestType]: { type: 'result'; id: number; request: K; result: ParseResults[K] } }[ParseRequestType]
  | { type: 'error'; id: number; error: WireError };

export type ParseEvent =
  /** The texts of request `id` are parsed: `total` will be stored. */
  | { type: 'parsed'; id: number; total: number }
  /** A chunk of request `id`'s texts is stored: here it is, with the count so far. */
  | { type: 'saved'; id: number; items: TextItem[]; done: number; total: number };

export type ParseWorkerMessage = ParseResponse | ParseEvent;
