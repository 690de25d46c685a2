/**
 * Training in the encoder worker, as a plain class: training, self-training, turning a saved delta back into a
 * classifier, and predicting with it. EncoderHandler owns one and routes the protocol's train/selfTrain/useDelta/
 * predict requests here; tests call it directly in Node (trainHandler.test.ts).
 *
 * Why the encoder's worker and not a second one: a classifier is the frozen encoder plus a small delta, and the
 * frozen weights (22 MB int8 for MiniLM, more once dequantised on a GPU) are already on this worker's backend.
 * A second worker would load and place them again, and on WebGPU would hold a second device. The cost: embed
 * requests wait while a run trains (requests are served one at a time), which the studio shows as "busy".
 *
 * The classifier a run ends with stays here under its delta id, so the Try page and active learning predict
 * without reloading it; after a reload (or a backend switch) the client sends the saved zip back (`useDelta`).
 */
import * as tf from '@tensorflow/tfjs';
import type { BertWeights } from '../encoder/bert/weights';
import type { WordPieceTokenizer } from '../encoder/tokenizer';
import type { BertConfig, PoolingConfig } from '../encoder/types';
import { PeftClassifier } from '../peft/classifier';
import { FrozenEmbeddingCache } from '../peft/featureCache';
import { dataToTensors, exportDelta, formatOf, importDelta, tensorsToData } from '../peft/export';
import { labelTextHead, LinearHead } from '../peft/head';
import type { EncoderParts } from '../peft/method';
import { createDelta, loadDelta, type MethodConfig } from '../peft/registry';
import { resolveSelfTrainConfig } from '../selftrain/config';
import { selfTrain } from '../selftrain/selfTrain';
import { fitClassifier } from '../training/fitClassifier';
import { resolveTrainingConfig, type HeadInit, type TrainingConfig } from '../training/config';
import type {
  EncoderEvent,
  PredictResult,
  SelfTrainJob,
  SelfTrainOutcome,
  TrainCheckpoint,
  TrainedDelta,
  TrainJob,
  TrainOutcome,
} from '../protocol/messages';

/** What training needs of the loaded encoder. */
export interface TrainingModel {
  id: string;
  fingerprint: string;
  config: BertConfig;
  pooling: PoolingConfig;
  weights: BertWeights;
  tokenizer: WordPieceTokenizer;
}

/** Texts per forward when predicting or labelling (no gradient). */
export const PREDICT_BATCH = 32;
/** Seed of a run's fresh delta and head when the training config gives none. */
const DEFAULT_SEED = 42;
/** A plain run sends its checkpoint at most this often (ms) unless the job says otherwise: LoRA on MiniLM is ~1 MB. */
export const CHECKPOINT_MS = 3000;

/** A request named a classifier this worker does not hold (a reload or a backend switch dropped it). */
export class NoClassifierError extends Error {
  override readonly name = 'NoClassifierError';
  readonly code = 'no-classifier';
  constructor(deltaId: string) {
    super(`The classifier ${deltaId.slice(0, 8)} is not loaded in the worker; send its delta (useDelta) first.`);
  }
}

/** A job that cannot be trained as given; the message says what to change. */
export class TrainJobError extends Error {
  override readonly name = 'TrainJobError';
  constructor(
    readonly code: 'too-few-labels' | 'no-examples' | 'bad-label' | 'no-unlabelled' | 'encoder-changed' | 'bad-checkpoint',
    message: string,
  ) {
    super(message);
  }
}

interface Kept {
  deltaId: string;
  classifier: PeftClassifier;
  maxLength: number;
}

export class TrainHandler {
  private readonly runs = new Map<number, AbortController>();
  private kept: Kept | null = null;
  /** Frozen-encoder embeddings for head-only runs, for the encoder loaded now. */
  private features: FrozenEmbeddingCache | null = null;

  constructor(
    /** The loaded encoder; throws (EncoderNotReadyError) when there is none. */
    private readonly model: () => TrainingModel,
    private readonly emit: (event: EncoderEvent) => void,
  ) {}

  /** Aborts the run started by request `target`; false when no such run is going. */
  cancel(target: number): boolean {
    const controller = this.runs.get(target);
    controller?.abort();
    return controller !== undefined;
  }

  /** The delta id of the classifier held now, if any. */
  get keptDeltaId(): string | null {
    return this.kept?.deltaId ?? null;
  }

  /** Frees the held classifier and the kept embeddings: their tensors belong to the backend and encoder they were built on. */
  reset(): void {
    this.kept?.classifier.dispose();
    this.kept = null;
    this.features?.dispose();
    this.features = null;
  }

  async train(id: number, job: TrainJob): Promise<TrainOutcome> {
    const m = this.modelFor(job);
    checkExamples(job);
    const training = resolveTrainingConfig(job.training); // a bad knob fails here, before anything is built
    const classes = job.task.labels.length;
    if (job.resume) checkCheckpoint(job.resume, job.method, classes);
    const every = job.checkpointMs ?? CHECKPOINT_MS;
    let lastCheckpoint = performance.now();
    return this.running(id, async (signal) => {
      // Built inside the run (it awaits the label names' embeddings), so a cancel sent meanwhile is seen.
      const classifier = await this.freshClassifier(m, job.method, job.task.labels, training);
      try {
        const result = await fitClassifier({
          classifier, tokenizer: m.tokenizer, examples: job.examples, config: training, signal,
          onEvent: (event) => this.emit({ type: 'trainEvent', id, event }),
          ...(job.resume ? { resume: job.resume.loop } : {}),
          checkpoint: {
            due: () => performance.now() - lastCheckpoint >= every,
            save: (loop) => {
              lastCheckpoint = performance.now();
              this.emit({ type: 'trainCheckpoint', id, checkpoint: { version: 1, method: job.method.method, classes, loop } });
            },
          },
        });
        const metrics = {
          heldOutAccuracy: result.best?.heldOutAccuracy ?? null,
          heldOutLoss: result.best?.heldOutLoss ?? null,
          steps: result.steps,
          bestStep: result.bestStep,
        };
        const delta = await this.export(m, job, classifier, metrics);
        this.keep({ deltaId: job.deltaId, classifier, maxLength: training.maxLength });
        return { reason: result.reason, steps: result.steps, bestStep: result.bestStep, delta };
      } catch (err) {
        classifier.dispose();
        throw err;
      }
    });
  }

  async selfTrain(id: number, job: SelfTrainJob): Promise<SelfTrainOutcome> {
    const m = this.modelFor(job);
    checkExamples(job);
    if (job.unlabelled.length === 0) throw new TrainJobError('no-unlabelled', 'Self-training learns from unlabelled texts, and this task has none left. Add texts on the Tasks page.');
    const cfg = resolveSelfTrainConfig(job.resume ? { ...job.resume.config, ...job.selfTrain } : job.selfTrain);
    const classes = job.task.labels.length;
    const headInit = resolveTrainingConfig(cfg.fineTune).headInit;
    return this.running(id, async (signal) => {
      let classifier: PeftClassifier | null = null;
      let initialHead: LinearHead | null = null;
      try {
        initialHead = await this.labelHead(m, job.task.labels, headInit);
        const result = await selfTrain({
          weights: m.weights, pooling: m.pooling, encoder: m.config, tokenizer: m.tokenizer, parts: partsOf(m), features: this.featuresFor(m),
          method: job.method, classes, labelled: job.examples, unlabelled: job.unlabelled, config: job.selfTrain,
          ...(initialHead ? { initialHead } : {}),
          ...(job.resume ? { resume: job.resume } : {}), signal,
          onState: (state) => this.emit({ type: 'selfTrainState', id, state }),
          onEvent: (event) => this.emit({ type: 'selfTrainEvent', id, event }),
        });
        classifier = result.classifier;
        if (result.state.roundsFinished === 0 && result.reason === 'cancelled' && !job.resume) {
          return { reason: result.reason, roundsFinished: 0, delta: null };
        }
        const delta = await this.export(m, job, classifier, { roundsFinished: result.state.roundsFinished });
        this.keep({ deltaId: job.deltaId, classifier, maxLength: cfg.maxLength });
        classifier = null;
        return { reason: result.reason, roundsFinished: result.state.roundsFinished, delta };
      } finally {
        classifier?.dispose();
        initialHead?.dispose();
      }
    });
  }

  /** Rebuilds a classifier from an exported zip (checked against the loaded encoder) and keeps it. */
  useDelta(deltaId: string, zip: Uint8Array): { deltaId: string; method: string; classes: number } {
    const m = this.model();
    const imported = importDelta(zip, { id: m.id, fingerprint: m.fingerprint, config: m.config });
    const saved = dataToTensors(imported.tensors);
    let classifier: PeftClassifier;
    try {
      const pooling = imported.encoder.pooling;
      const features = pooling.mode === m.pooling.mode && pooling.normalize === m.pooling.normalize ? this.featuresFor(m) : undefined;
      classifier = new PeftClassifier(m.weights, pooling, loadDelta(m.config, imported.config, saved), LinearHead.load(saved), features);
    } finally {
      tf.dispose(Object.values(saved));
    }
    this.keep({ deltaId, classifier, maxLength: resolveTrainingConfig().maxLength });
    return { deltaId, method: imported.config.method, classes: classifier.head.classes };
  }

  /** Softmax probabilities of each text under the held classifier `deltaId`. */
  async predict(deltaId: string, texts: string[], maxLength?: number): Promise<PredictResult> {
    const kept = this.kept;
    if (!kept || kept.deltaId !== deltaId) throw new NoClassifierError(deltaId);
    const m = this.model();
    const probabilities = await probabilitiesOf(kept.classifier, m.tokenizer, texts, maxLength ?? kept.maxLength);
    return { count: texts.length, classes: kept.classifier.head.classes, probabilities };
  }

  // ---- helpers -------------------------------------------------------------------------------------------

  private async running<T>(id: number, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    this.runs.set(id, controller);
    try {
      return await work(controller.signal);
    } finally {
      this.runs.delete(id);
    }
  }

  private modelFor(job: { encoderFingerprint?: string }): TrainingModel {
    const m = this.model();
    if (job.encoderFingerprint && job.encoderFingerprint !== m.fingerprint) {
      throw new TrainJobError(
        'encoder-changed',
        `This run was trained on another encoder (${job.encoderFingerprint.slice(0, 12)}) than the one loaded now (${m.id}, ${m.fingerprint.slice(0, 12)}). Load that encoder on the Encoder page, then resume.`,
      );
    }
    return m;
  }

  private async freshClassifier(m: TrainingModel, method: MethodConfig, labels: string[], training: TrainingConfig): Promise<PeftClassifier> {
    const seed = training.seed ?? DEFAULT_SEED;
    const head = (await this.labelHead(m, labels, training.headInit)) ?? LinearHead.random(m.config.hiddenSize, labels.length, seed);
    try {
      return new PeftClassifier(m.weights, m.pooling, createDelta(m.config, method, seed, partsOf(m)), head, this.featuresFor(m));
    } catch (err) {
      head.dispose(); // a config createDelta refuses must not leave the head's variables behind
      throw err;
    }
  }

  /**
   * The zero-shot head from the label names (headInit 'labels'), or null for a random one: also when the encoder's
   * pooling does not normalise, since promptInitHead's scale assumes unit-length embeddings.
   */
  private async labelHead(m: TrainingModel, labels: string[], headInit: HeadInit): Promise<LinearHead | null> {
    if (headInit !== 'labels' || !m.pooling.normalize) return null;
    return labelTextHead(m.weights, m.pooling, m.tokenizer, labels);
  }

  /** The embedding cache of the loaded encoder (a new one after the encoder changed). Only head-only classifiers read it. */
  private featuresFor(m: TrainingModel): FrozenEmbeddingCache {
    if (this.features?.weights !== m.weights) {
      this.features?.dispose();
      this.features = new FrozenEmbeddingCache(m.weights, m.pooling);
    }
    return this.features;
  }

  private keep(next: Kept): void {
    if (this.kept && this.kept.classifier !== next.classifier) this.kept.classifier.dispose();
    this.kept = next;
  }

  private async export(m: TrainingModel, job: TrainJob | SelfTrainJob, classifier: PeftClassifier, metrics: Record<string, number | null>): Promise<TrainedDelta> {
    const finite = Object.fromEntries(Object.entries(metrics).filter((e): e is [string, number] => typeof e[1] === 'number' && Number.isFinite(e[1])));
    const zip = exportDelta({
      task: { name: job.task.name, labels: job.task.labels },
      encoder: { id: m.id, fingerprint: m.fingerprint, config: m.config },
      pooling: classifier.pooling,
      config: job.method,
      tensors: await tensorsToData(classifier.tensors()),
      metrics: finite,
      createdAt: new Date(),
    });
    return { deltaId: job.deltaId, zip, format: formatOf(job.method)?.library ?? 'unknown', encoderFingerprint: m.fingerprint, metrics };
  }
}

function partsOf(m: TrainingModel): EncoderParts {
  return { weights: m.weights, tokenize: (text) => m.tokenizer.encode(text).ids };
}

/** Refuses a checkpoint that another method, label set or version wrote (the loop checks the array sizes). */
function checkCheckpoint(checkpoint: TrainCheckpoint, method: MethodConfig, classes: number): void {
  const problem = checkpoint.version !== 1 ? `version ${String(checkpoint.version)} is not supported`
    : checkpoint.method !== method.method ? `it was saved by a ${checkpoint.method} run, not ${method.method}`
      : checkpoint.classes !== classes ? `it has ${checkpoint.classes} classes, the task ${classes}` : null;
  if (problem) throw new TrainJobError('bad-checkpoint', `This run cannot resume from its checkpoint (${problem}); start a new run.`);
}

function checkExamples(job: TrainJob | SelfTrainJob): void {
  const classes = job.task.labels.length;
  if (classes < 2) throw new TrainJobError('too-few-labels', 'A classifier needs at least two labels; add one to the task.');
  if (job.examples.length === 0) throw new TrainJobError('no-examples', 'Label a few texts first (at least one per label); training learns from them.');
  const bad = job.examples.find((e) => !Number.isInteger(e.label) || e.label < 0 || e.label >= classes);
  if (bad) throw new TrainJobError('bad-label', `The text "${bad.text.slice(0, 40)}" has label ${bad.label}, but the task has ${classes} labels.`);
}

/** Softmax rows, [texts.length * classes], in batches; every tensor made here is freed. */
async function probabilitiesOf(classifier: PeftClassifier, tokenizer: WordPieceTokenizer, texts: readonly string[], maxLength: number): Promise<Float32Array> {
  const classes = classifier.head.classes;
  const out = new Float32Array(texts.length * classes);
  for (let i = 0; i < texts.length; i += PREDICT_BATCH) {
    const batch = tokenizer.encodeBatch(texts.slice(i, i + PREDICT_BATCH) as string[], { maxLength });
    const probs = tf.tidy(() => tf.softmax(classifier.logits(batch)));
    try {
      out.set((await probs.data()) as Float32Array, i * classes);
    } finally {
      probs.dispose();
    }
  }
  return out;
}
