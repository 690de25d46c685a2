/**
 * The encoder worker's brain, as a plain class: it owns the tfjs backend, the loaded checkpoint and the
 * SentenceEncoder built from it, and answers protocol requests (src/protocol/messages.ts). The worker entry
 * (workers/encoder.worker.ts) only wires `postMessage` to it; tests call `handle()` directly in Node.
 *
 * Invariants:
 * - `handle()` never throws: every failure becomes an `{type:'error'}` response naming the problem.
 * - A failed load leaves the previous model in place; a new model replaces the old one only once it is built.
 * - Backend switches, model swaps and forward passes run one at a time (`exclusive`); file downloads do not,
 *   so a person can keep embedding with the current model while another one downloads.
 */
import { loadCheckpoint, WEIGHTS_FILE } from '../encoder/loader/loadCheckpoint';
import type { ModelSource } from '../encoder/loader/source';
import { SentenceEncoder } from '../encoder/sentenceEncoder';
import { WordPieceTokenizer } from '../encoder/tokenizer';
import type { Checkpoint, LoadProgress } from '../encoder/types';
import { initBackend } from '../runtime/backends';
import type { ModelCache } from '../storage/modelCache';
import {
  assertNever,
  toWireError,
  type BackendInfo,
  type BackendPreference,
  type DeltaCheck,
  type EncoderEvent,
  type EncoderRequest,
  type EncoderResponse,
  type EncoderResults,
  type ModelInfo,
} from '../protocol/messages';
import { formatOf, importDelta } from '../peft/export';
import { cosineSimilarityMatrix, flattenRows } from './similarity';
import { TrainHandler, type TrainingModel } from './trainHandler';

export interface EncoderHandlerOptions {
  /** Sends an event (progress) to the main thread. */
  emit: (event: EncoderEvent) => void;
  /** URLs of the tfjs WASM binaries, keyed by file name (the worker entry resolves them with Vite `?url`). */
  wasmPaths?: Record<string, string>;
  /** Where downloaded model files are kept between sessions; a promise so the worker can open it lazily. */
  cache?: ModelCache | Promise<ModelCache | undefined>;
  /** Fetch for model files; defaults to the global fetch (tests pass a fake). */
  fetch?: typeof fetch;
}

/** A reply plus the buffers to transfer with it. */
export interface HandledResponse {
  response: EncoderResponse;
  transfer: Transferable[];
}

/** Raised when a request needs a model and none is loaded yet. */
export class EncoderNotReadyError extends Error {
  override readonly name = 'EncoderNotReadyError';
  readonly code = 'no-model';
  constructor() {
    super('No encoder is loaded yet. Load a model first (the bundled MiniLM loads at start-up).');
  }
}

interface LoadedModel {
  checkpoint: Checkpoint;
  tokenizer: WordPieceTokenizer;
  encoder: SentenceEncoder;
  info: ModelInfo;
}

export class EncoderHandler {
  private backend: BackendInfo | null = null;
  private model: LoadedModel | null = null;
  private readonly loads = new Map<number, AbortController>();
  private queue: Promise<unknown> = Promise.resolve();
  /** Training, self-training and prediction on top of the loaded encoder (see trainHandler.ts). */
  readonly training: TrainHandler;

  constructor(private readonly options: EncoderHandlerOptions) {
    this.training = new TrainHandler(() => this.trainingModel(), options.emit);
  }

  /** Answers one request. Never throws. */
  async handle(request: EncoderRequest): Promise<HandledResponse> {
    try {
      return await this.dispatch(request);
    } catch (err) {
      return { response: { type: 'error', id: request.id, error: toWireError(err) }, transfer: [] };
    }
  }

  /** The current backend and model, for tests and diagnostics. */
  get state(): { backend: BackendInfo | null; model: ModelInfo | null } {
    return { backend: this.backend, model: this.model?.info ?? null };
  }

  /** Frees the model's tensors. */
  dispose(): void {
    for (const controller of this.loads.values()) controller.abort();
    this.training.reset();
    this.model?.encoder.dispose();
    this.model = null;
  }

  private async dispatch(request: EncoderRequest): Promise<HandledResponse> {
    switch (request.type) {
      case 'setBackend': {
        const result = await this.exclusive(() => this.setBackend(request.preference));
        return this.reply(request.id, 'setBackend', result);
      }
      case 'loadModel':
        return this.reply(request.id, 'loadModel', await this.loadModel(request.id, request.source));
      case 'embed': {
        const result = await this.exclusive(() => this.embed(request));
        const transfer: Transferable[] = [result.embeddings.buffer as ArrayBuffer];
        if (result.similarity) transfer.push(result.similarity.buffer as ArrayBuffer);
        return { response: { type: 'result', id: request.id, request: 'embed', result }, transfer };
      }
      case 'cancel': {
        const controller = this.loads.get(request.target);
        controller?.abort(new DOMException('The load was cancelled.', 'AbortError'));
        const run = this.training.cancel(request.target);
        return this.reply(request.id, 'cancel', { cancelled: controller !== undefined || run });
      }
      // Training shares the encoder's weights: it runs exclusively, so no backend switch or model swap frees them mid-run.
      case 'train': {
        const result = await this.exclusive(() => this.training.train(request.id, request.job));
        return { ...this.reply(request.id, 'train', result), transfer: result.delta ? [result.delta.zip.buffer as ArrayBuffer] : [] };
      }
      case 'selfTrain': {
        const result = await this.exclusive(() => this.training.selfTrain(request.id, request.job));
        return { ...this.reply(request.id, 'selfTrain', result), transfer: result.delta ? [result.delta.zip.buffer as ArrayBuffer] : [] };
      }
      case 'useDelta':
        return this.reply(request.id, 'useDelta', await this.exclusive(async () => this.training.useDelta(request.deltaId, request.zip)));
      case 'predict': {
        const result = await this.exclusive(() => this.training.predict(request.deltaId, request.texts, request.maxLength));
        return { ...this.reply(request.id, 'predict', result), transfer: [result.probabilities.buffer as ArrayBuffer] };
      }
      case 'checkDelta': {
        if (!this.model) throw new EncoderNotReadyError();
        const imported = importDelta(request.zip, this.model.checkpoint);
        return this.reply(request.id, 'checkDelta', {
          labels: [...imported.task.labels],
          config: imported.config as DeltaCheck['config'],
          library: formatOf(imported.config)?.library ?? 'none',
          metrics: imported.metrics ?? {},
          createdAt: imported.createdAt,
          encoderId: imported.encoder.id,
          encoderFingerprint: imported.encoder.fingerprint,
        });
      }
      default:
        return assertNever(request, 'encoder request');
    }
  }

  private reply<K extends keyof EncoderResults>(id: number, request: K, result: EncoderResults[K]): HandledResponse {
    // The mapped union in EncoderResponse pairs `request` with its result type; TS cannot see that through K.
    const response = { type: 'result', id, request, result } as EncoderResponse;
    return { response, transfer: [] };
  }

  /** Runs `task` after every earlier exclusive task has settled. */
  private exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async setBackend(preference: BackendPreference): Promise<EncoderResults['setBackend']> {
    const previous = this.backend;
    const checkpoint = this.model?.checkpoint;
    const tokenizer = this.model?.tokenizer;
    // Tensors belong to the backend that made them: free them before switching, rebuild after.
    this.training.reset();
    this.model?.encoder.dispose();
    try {
      this.backend = await this.initBackend(preference);
      if (this.model && checkpoint && tokenizer) {
        this.model = { ...this.model, encoder: SentenceEncoder.fromCheckpoint(checkpoint, tokenizer) };
      }
    } catch (err) {
      // Put things back as they were, so the studio stays usable, then report the failure.
      if (previous) this.backend = await this.initBackend(previous.preference).catch(() => null);
      if (this.model && checkpoint && tokenizer && this.backend) {
        this.model = { ...this.model, encoder: SentenceEncoder.fromCheckpoint(checkpoint, tokenizer) };
      } else {
        this.model = null;
      }
      throw err;
    }
    return { backend: this.backend, model: this.model?.info ?? null };
  }

  private async initBackend(preference: BackendPreference): Promise<BackendInfo> {
    const result = await initBackend({ preference, wasmPaths: this.options.wasmPaths });
    return {
      backend: String(result.backend),
      preference,
      ...(result.adapter ? { adapter: { ...result.adapter } } : {}),
      ...(result.threads !== undefined ? { threads: result.threads } : {}),
      ...(result.fallbackReason ? { fallbackReason: result.fallbackReason } : {}),
    };
  }

  private async loadModel(id: number, source: ModelSource): Promise<ModelInfo> {
    const controller = new AbortController();
    this.loads.set(id, controller);
    const started = performance.now();
    // The weights are what a cache saves; small files (a 'url' source's manifest.json) are always re-fetched.
    let weightsFromCache = false;
    try {
      const cache = (await this.options.cache) ?? undefined;
      const checkpoint = await loadCheckpoint(source, {
        cache,
        signal: controller.signal,
        ...(this.options.fetch ? { fetch: this.options.fetch } : {}),
        onProgress: (progress: LoadProgress) => {
          if (progress.file === WEIGHTS_FILE) weightsFromCache = progress.fromCache;
          this.options.emit({ type: 'progress', id, progress });
        },
      });
      controller.signal.throwIfAborted();
      const tokenizer = WordPieceTokenizer.fromJSON(checkpoint.tokenizerJson);
      return await this.exclusive(async () => {
        if (!this.backend) this.backend = await this.initBackend('auto');
        const encoder = SentenceEncoder.fromCheckpoint(checkpoint, tokenizer);
        const info = describeModel(checkpoint, source, weightsFromCache && source.kind !== 'files', performance.now() - started);
        this.training.reset();
        this.model?.encoder.dispose();
        this.model = { checkpoint, tokenizer, encoder, info };
        return info;
      });
    } finally {
      this.loads.delete(id);
    }
  }

  /** The loaded encoder as training needs it; throws EncoderNotReadyError without one. */
  private trainingModel(): TrainingModel {
    const model = this.model;
    if (!model || !this.backend) throw new EncoderNotReadyError();
    const { checkpoint, tokenizer, encoder } = model;
    return { id: checkpoint.id, fingerprint: checkpoint.fingerprint, config: checkpoint.config, pooling: checkpoint.pooling, weights: encoder.frozenWeights, tokenizer };
  }

  private async embed(request: Extract<EncoderRequest, { type: 'embed' }>): Promise<EncoderResults['embed']> {
    const model = this.model;
    if (!model || !this.backend) throw new EncoderNotReadyError();
    const started = performance.now();
    const rows = await model.encoder.embed(request.texts, {
      ...(request.maxLength !== undefined ? { maxLength: request.maxLength } : {}),
      ...(request.batchSize !== undefined ? { batchSize: request.batchSize } : {}),
    });
    const dim = rows[0]?.length ?? model.info.hiddenSize;
    return {
      count: rows.length,
      dim,
      embeddings: flattenRows(rows, dim),
      ...(request.similarity ? { similarity: cosineSimilarityMatrix(rows) } : {}),
      elapsedMs: performance.now() - started,
      backend: this.backend.backend,
    };
  }
}

function describeModel(checkpoint: Checkpoint, source: ModelSource, fromCache: boolean, loadMs: number): ModelInfo {
  const { config, pooling } = checkpoint;
  return {
    id: checkpoint.id,
    sourceKind: source.kind,
    modelType: config.modelType,
    layers: config.numHiddenLayers,
    hiddenSize: config.hiddenSize,
    heads: config.numAttentionHeads,
    vocabSize: config.vocabSize,
    maxPositions: config.maxPositionEmbeddings,
    quantization: checkpoint.quantization,
    pooling: pooling.mode,
    normalize: pooling.normalize,
    fingerprint: checkpoint.fingerprint,
    bytes: checkpoint.bytes,
    fromCache,
    loadMs,
  };
}
