/**
 * The one module that owns the encoder Worker. It turns protocol messages (src/protocol/messages.ts) into
 * promise-returning methods and keeps the store's encoder, backend and tryout slices up to date, so components
 * only read the store and call these methods. Nothing here blocks on model work: all of it runs in the worker.
 */
import {
  assertNever,
  EncoderWorkerError,
  toWireError,
  type BackendPreference,
  type DeltaCheck,
  type EncoderRequest,
  type EncoderRequestType,
  type EncoderResults,
  type LoadProgress,
  type ModelInfo,
  type ModelSource,
  type WireError,
  type WorkerMessage,
} from '../protocol/messages';
import { splitRows } from '../engine/similarity';
import { summariseSource } from '../state/encoderSlice';
import { writeBackendPreference } from '../state/preferences';
import { patchSlice, type StudioState, type StudioStore } from '../state/store';
import { parseTryText } from '../state/trySlice';
import { BUNDLED_MODEL } from './bundledModel';

/** What the client needs of a Worker (a fake in tests). */
export interface WorkerPort {
  postMessage(message: EncoderRequest, transfer: Transferable[]): void;
  onmessage: ((event: MessageEvent<WorkerMessage>) => void) | null;
  onerror: ((event: ErrorEvent) => void) | null;
  terminate(): void;
}

/** Starts the real encoder worker. */
export function startEncoderWorker(): WorkerPort {
  return new Worker(new URL('../../workers/encoder.worker.ts', import.meta.url), { type: 'module', name: 'tabtune-encoder' });
}

/** The worker's events about training runs; the training client (trainingClient.ts) listens to them. */
export type TrainingEvent = Extract<WorkerMessage, { type: 'trainEvent' | 'trainCheckpoint' | 'selfTrainEvent' | 'selfTrainState' }>;

interface Pending {
  type: EncoderRequestType;
  resolve: (result: never) => void;
  reject: (error: EncoderWorkerError) => void;
}

export interface EmbedOptions {
  maxLength?: number;
  batchSize?: number;
}

export class EncoderClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private activeLoad: number | null = null;
  /** The last source that failed to load, kept here (not in the store) because it may hold file Blobs. */
  private failedSource: ModelSource | null = null;
  private trainingListener: ((event: TrainingEvent) => void) | null = null;

  constructor(
    private readonly worker: WorkerPort,
    private readonly store: StudioStore,
  ) {
    worker.onmessage = (event) => this.receive(event.data);
    worker.onerror = (event) => {
      event.preventDefault?.();
      const reason = event.message || 'no reason given';
      this.failAll({ name: 'WorkerError', code: 'worker-crashed', message: `The encoder worker stopped: ${reason}. Reload the page.`, reason });
    };
  }

  /** Picks the stored backend preference, then loads the bundled encoder. Failures land in the store. */
  async start(): Promise<void> {
    await this.setBackend(this.store.getState().backend.preference).catch(() => undefined);
    await this.loadModel(BUNDLED_MODEL).catch(() => undefined);
  }

  /** Switches the worker's backend (the loaded model is rebuilt on it) and remembers the choice. */
  async setBackend(preference: BackendPreference): Promise<EncoderResults['setBackend']> {
    const before = this.slice('backend');
    this.patch('backend', { preference, switching: true, error: null });
    try {
      const result = await this.send({ type: 'setBackend', id: this.nextId++, preference });
      writeBackendPreference(preference);
      this.patch('backend', { info: result.backend, switching: false });
      if (result.model) this.patch('encoder', { model: result.model });
      return result;
    } catch (err) {
      // The worker put the previous backend back; show what is still in use.
      this.patch('backend', { preference: before.info?.preference ?? before.preference, switching: false, error: toWireError(err) });
      throw err;
    }
  }

  /** Loads a checkpoint; the current model stays in use until this one is ready. A second load cancels the first. */
  async loadModel(source: ModelSource): Promise<ModelInfo> {
    if (this.activeLoad !== null) this.cancelLoad();
    const summary = summariseSource(source);
    const id = this.nextId++;
    this.activeLoad = id;
    this.patch('encoder', { loading: { requestId: id, source: summary, progress: null, files: [] }, error: null });
    try {
      const info = await this.send({ type: 'loadModel', id, source });
      this.failedSource = null;
      const done: LoadProgress = { file: 'all files', loaded: info.bytes, total: info.bytes, fromCache: info.fromCache };
      if (this.activeLoad === id) this.patch('encoder', { model: info, loading: null, lastLoad: { source: summary, progress: done } });
      return info;
    } catch (err) {
      const wire = toWireError(err);
      if (this.activeLoad === id) {
        const cancelled = wire.name === 'AbortError';
        this.failedSource = cancelled ? this.failedSource : source;
        this.patch('encoder', { loading: null, ...(cancelled ? {} : { error: { source: summary, error: wire } }) });
      }
      throw err;
    } finally {
      if (this.activeLoad === id) this.activeLoad = null;
    }
  }

  /** Loads again the source whose load failed last. */
  retryLoad(): Promise<ModelInfo> | undefined {
    return this.failedSource ? this.loadModel(this.failedSource) : undefined;
  }

  /** Stops the load in progress, if any; the current model stays. */
  cancelLoad(): void {
    if (this.activeLoad === null) return;
    void this.send({ type: 'cancel', id: this.nextId++, target: this.activeLoad }).catch(() => undefined);
  }

  dismissLoadError(): void {
    this.patch('encoder', { error: null });
  }

  /** Embeds texts with the current model: one Float32Array per text. */
  async embed(texts: string[], options: EmbedOptions = {}): Promise<Float32Array[]> {
    const result = await this.send({ type: 'embed', id: this.nextId++, texts, ...options });
    return splitRows(result.embeddings, result.count, result.dim);
  }

  /** Checks an adapter zip against the loaded encoder; rejects with the DeltaImportError (its code) when it does not fit. */
  checkDelta(zip: Uint8Array): Promise<DeltaCheck> {
    const copy = zip.slice(); // transferred: the caller keeps its bytes
    return this.send({ type: 'checkDelta', id: this.nextId++, zip: copy }, [copy.buffer]);
  }

  /** Embeds the "try the encoder" texts and stores their cosine similarity matrix. */
  async runTry(): Promise<void> {
    const texts = parseTryText(this.slice('tryout').text);
    if (texts.length === 0) {
      this.patch('tryout', { error: { name: 'InputError', code: 'no-text', message: 'Type at least one line of text to embed.' } });
      return;
    }
    this.patch('tryout', { running: true, error: null });
    try {
      const result = await this.send({ type: 'embed', id: this.nextId++, texts, similarity: true });
      const n = result.count;
      const flat = result.similarity ?? new Float32Array(n * n);
      const similarity = Array.from({ length: n }, (_, i) => Array.from(flat.subarray(i * n, (i + 1) * n)));
      const modelId = this.slice('encoder').model?.id ?? '';
      this.patch('tryout', {
        running: false,
        result: { texts, similarity, dim: result.dim, elapsedMs: result.elapsedMs, backend: result.backend, modelId },
      });
    } catch (err) {
      this.patch('tryout', { running: false, error: toWireError(err) });
    }
  }

  /** Sends one of the training requests (train, selfTrain, useDelta, predict); `id` identifies it for cancel(). */
  request<T extends 'train' | 'selfTrain' | 'useDelta' | 'predict'>(
    build: (id: number) => Extract<EncoderRequest, { type: T }>,
    transfer: Transferable[] = [],
  ): { id: number; result: Promise<EncoderResults[T]> } {
    const id = this.nextId++;
    const request: EncoderRequest = build(id);
    return { id, result: this.send(request, transfer) as Promise<EncoderResults[T]> };
  }

  /** Asks the worker to stop the run started by request `target` (it stops between steps). */
  cancelRequest(target: number): void {
    void this.send({ type: 'cancel', id: this.nextId++, target }).catch(() => undefined);
  }

  /** Training events go to one listener (the training client). */
  onTrainingEvent(listener: ((event: TrainingEvent) => void) | null): void {
    this.trainingListener = listener;
  }

  /** Stops the worker; pending requests reject. */
  dispose(): void {
    this.worker.terminate();
    this.failAll({ name: 'WorkerError', code: 'worker-stopped', message: 'The encoder worker was stopped.', reason: 'the page stopped it' });
  }

  // ---- plumbing ------------------------------------------------------------------------------------------

  /** Sends a request; resolves with its typed result, rejects with an EncoderWorkerError. */
  private send<R extends EncoderRequest>(request: R, transfer: Transferable[] = []): Promise<EncoderResults[R['type']]> {
    return new Promise<EncoderResults[R['type']]>((resolve, reject) => {
      this.pending.set(request.id, { type: request.type, resolve: resolve as (result: never) => void, reject });
      this.worker.postMessage(request, transfer);
    });
  }

  private receive(message: WorkerMessage): void {
    switch (message.type) {
      case 'ready':
        return;
      case 'trainEvent':
      case 'trainCheckpoint':
      case 'selfTrainEvent':
      case 'selfTrainState':
        this.trainingListener?.(message);
        return;
      case 'progress':
        if (message.id === this.activeLoad) this.recordProgress(message.progress);
        return;
      case 'result': {
        const pending = this.take(message.id);
        if (!pending) return;
        if (pending.type !== message.request) {
          pending.reject(new EncoderWorkerError({ name: 'ProtocolError', message: `Asked for ${pending.type}, got ${message.request}.` }));
          return;
        }
        (pending.resolve as (result: unknown) => void)(message.result);
        return;
      }
      case 'error':
        this.take(message.id)?.reject(new EncoderWorkerError(message.error));
        return;
      default:
        assertNever(message, 'worker message');
    }
  }

  private recordProgress(progress: LoadProgress): void {
    const loading = this.slice('encoder').loading;
    if (!loading) return;
    const files = loading.files.includes(progress.file) ? loading.files : [...loading.files, progress.file];
    this.patch('encoder', { loading: { ...loading, progress, files } });
  }

  private take(id: number): Pending | undefined {
    const pending = this.pending.get(id);
    this.pending.delete(id);
    return pending;
  }

  private failAll(error: WireError): void {
    for (const [id, pending] of this.pending) {
      this.pending.delete(id);
      pending.reject(new EncoderWorkerError(error));
    }
  }

  private slice<K extends keyof StudioState>(key: K): StudioState[K] {
    return this.store.getState()[key];
  }

  private patch<K extends keyof StudioState>(key: K, patch: Partial<StudioState[K]>): void {
    patchSlice(key, patch, this.store);
  }
}
