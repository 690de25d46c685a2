/**
 * The train loop, independent of the PEFT method: for each step, forward + backward through
 * tf.variableGrads, clip by global norm, one AdamW step at the scheduled lr; held-out evaluation with early
 * stopping (the best parameter values are restored at the end); cancellable between steps through an
 * AbortSignal. Between steps it yields a macrotask so a worker can receive a cancel message. One seed
 * (config.seed) fixes the batch order and the dropout seeds, so a run is reproducible; and a run resumed from a
 * LoopCheckpoint (values, AdamW moments, early stopping's memory, the step) ends exactly where the uninterrupted
 * run would have.
 */
import * as tf from '@tensorflow/tfjs';
import { AdamW, type AdamWState } from './adamw';
import type { BatchSource } from './batching';
import { SEED_STREAM } from './batching';
import { clipByGlobalNorm } from './clip';
import { resolveTrainingConfig, TrainingConfigError, type TrainingConfig } from './config';
import { deriveSeed } from './rng';
import { makeSchedule, warmupStepsFromRatio } from './schedule';

/** How a forward pass runs: `training` turns dropout on; `seed` seeds it (fresh per step, from config.seed). */
export interface ForwardContext {
  training: boolean;
  seed: number;
}

/** What the loop trains: the PEFT classifier, or any model with trainable variables and a loss. */
export interface Trainable<B> {
  /** The variables to train (everything else stays frozen). */
  readonly variables: readonly tf.Variable[];
  /** Mean loss over the batch. */
  loss(batch: B, ctx: ForwardContext): tf.Scalar;
  /**
   * Optional class scores [batch, numClasses]. When given, held-out evaluation runs one forward per batch and
   * reports accuracy and the mean softmax cross-entropy; otherwise it reports loss() only.
   */
  logits?(batch: B, ctx: ForwardContext): tf.Tensor2D;
}

/** The loop only needs the labels of a batch (to count examples and score accuracy). */
export interface LabelledBatch {
  labels: ArrayLike<number>;
}

export const DONE_REASONS = ['completed', 'early-stopped', 'cancelled'] as const;
export type DoneReason = (typeof DONE_REASONS)[number];

/** Metric events, plain data, for a UI to chart. `step` counts the optimizer steps taken so far (1-based). */
export type TrainEvent =
  | { kind: 'step'; step: number; totalSteps: number; epoch: number; loss: number; lr: number; gradNorm: number; examplesPerSecond: number }
  | { kind: 'eval'; step: number; heldOutAccuracy: number | null; heldOutLoss: number }
  | { kind: 'done'; reason: DoneReason; bestStep: number; steps: number };

export interface TrainOptions<B extends LabelledBatch> {
  /** Checked against the batches of `data` (B is inferred from data alone). */
  model: Trainable<NoInfer<B>>;
  data: BatchSource<B>;
  /** Knobs not given take DEFAULT_TRAINING_CONFIG's values. */
  config?: Partial<TrainingConfig>;
  onEvent?: (event: TrainEvent) => void;
  /** Checked between steps; an abort ends the run with reason 'cancelled' (the best values are still restored). */
  signal?: AbortSignal;
  /**
   * Continue a run: skip the first `step` steps of the same seeded order, with the optimizer state of then; with
   * `variables` and `early` (a LoopCheckpoint) also the trained values and early stopping's memory.
   */
  resume?: { step: number; optimizer: AdamWState; variables?: readonly Float32Array[]; early?: EarlyStoppingState };
  /**
   * Checkpoints: after each step (its evaluation included) for which `due(step)` is true, and when a cancel stops
   * the run (before the closing evaluation and the restore of the best values), the loop reads its state and hands
   * it to `save`, awaited before the next step.
   */
  checkpoint?: { due: (step: number) => boolean; save: (checkpoint: LoopCheckpoint) => void | Promise<void> };
  /** Return the optimizer state (to resume later); costs one read of the moments. */
  exportOptimizerState?: boolean;
}

export interface TrainResult {
  reason: DoneReason;
  /** Steps taken in all (resumed ones included). */
  steps: number;
  /** The step whose parameters the model holds now: the best evaluation, or the last step without held-out. */
  bestStep: number;
  /** The evaluation at bestStep, if there was one. */
  best: { heldOutLoss: number; heldOutAccuracy: number | null } | null;
  optimizerState?: AdamWState;
}

interface Evaluation {
  heldOutLoss: number;
  heldOutAccuracy: number | null;
}

/** Early stopping's memory, as plain data. */
export interface EarlyStoppingState {
  best: Evaluation | null;
  bestStep: number | null;
  /** Evaluations since the best one. */
  sinceBest: number;
  /** The values at bestStep, in variable order; null when there is no best yet or it is the current step. */
  snapshot: Float32Array[] | null;
}

/** Everything a run needs to continue from `step` as if it had never stopped; plain, structured-cloneable data. */
export interface LoopCheckpoint {
  /** Optimizer steps taken. */
  step: number;
  /** The trainable variables' values, in `model.variables` order. */
  variables: Float32Array[];
  optimizer: AdamWState;
  early: EarlyStoppingState;
}

/** Resolves after one macrotask, so pending messages (e.g. a worker's cancel) are handled. */
export function yieldToEventLoop(): Promise<void> {
  if (typeof MessageChannel === 'undefined') return new Promise((resolve) => setTimeout(resolve, 0));
  return new Promise((resolve) => {
    const { port1, port2 } = new MessageChannel(); // no 4 ms clamp, unlike nested setTimeout
    port1.onmessage = () => {
      port1.close();
      resolve();
    };
    port2.postMessage(null);
  });
}

/** Runs a training; resolves once it has completed, stopped early or been cancelled. */
export async function train<B extends LabelledBatch>(opts: TrainOptions<B>): Promise<TrainResult> {
  const cfg = resolveTrainingConfig(opts.config);
  const { model, data, onEvent = () => {}, signal } = opts;
  const variables = [...model.variables];
  if (variables.length === 0) throw new TrainingConfigError('The model has no trainable variables.');
  if (cfg.monitor === 'heldOutAccuracy' && !model.logits) {
    throw new TrainingConfigError("monitor 'heldOutAccuracy' needs a model with logits(); use 'heldOutLoss'.");
  }
  const perEpoch = data.batchesPerEpoch;
  const totalSteps = cfg.maxSteps > 0 ? cfg.maxSteps : cfg.epochs * perEpoch;
  const multiplier = makeSchedule(cfg.schedule, warmupStepsFromRatio(cfg.warmupRatio, totalSteps), totalSteps);
  const heldOut = [...data.heldOut()];
  const early = new BestKeeper(variables, cfg);
  const optimizer = new AdamW(variables, { beta1: cfg.beta1, beta2: cfg.beta2, eps: cfg.eps, weightDecay: cfg.weightDecay });
  let step = opts.resume?.step ?? 0;
  let reason: DoneReason = 'completed';
  try {
    if (opts.resume) {
      optimizer.importState(opts.resume.optimizer);
      if (opts.resume.variables) assignValues(variables, opts.resume.variables);
      if (opts.resume.early) early.importState(opts.resume.early, opts.resume.step);
    }
    const capture = async (): Promise<LoopCheckpoint> => ({
      step, variables: await readValues(variables), optimizer: await optimizer.exportState(), early: await early.exportState(step),
    });
    let evaluatedAt = -1;
    const evaluate = async () => {
      const ev = await evaluateHeldOut(model, heldOut);
      evaluatedAt = step;
      onEvent({ kind: 'eval', step, ...ev });
      return early.observe(step, ev);
    };
    run: for (let epoch = Math.floor(step / perEpoch); step < totalSteps; epoch++) {
      let inEpoch = 0;
      const skip = epoch === Math.floor(step / perEpoch) ? step % perEpoch : 0;
      for (const batch of data.epoch(epoch)) {
        if (inEpoch++ < skip) continue;
        if (step >= totalSteps) break;
        if (signal?.aborted) {
          reason = 'cancelled';
          if (opts.checkpoint && step > 0) await opts.checkpoint.save(await capture());
          break run;
        }
        const started = performance.now();
        const lr = cfg.lr * multiplier(step);
        const ctx: ForwardContext = { training: true, seed: deriveSeed(cfg.seed, SEED_STREAM.dropout, step) };
        const { loss, gradNorm } = trainStep(model, variables, optimizer, batch, ctx, lr, cfg.maxGradNorm);
        const [lossValue, normValue] = await Promise.all([loss.data(), gradNorm.data()]);
        loss.dispose();
        gradNorm.dispose();
        step += 1;
        const seconds = (performance.now() - started) / 1000;
        onEvent({
          kind: 'step', step, totalSteps, epoch, loss: lossValue[0], lr, gradNorm: normValue[0],
          examplesPerSecond: batch.labels.length / Math.max(seconds, 1e-9),
        });
        const due = cfg.evalEvery > 0 ? step % cfg.evalEvery === 0 : inEpoch === perEpoch;
        if (heldOut.length > 0 && (due || step === totalSteps) && (await evaluate()) === 'stop') {
          reason = 'early-stopped';
          break run;
        }
        if (opts.checkpoint?.due(step) && step < totalSteps) await opts.checkpoint.save(await capture());
        await yieldToEventLoop();
      }
    }
    if (reason === 'cancelled' && heldOut.length > 0 && evaluatedAt !== step && step > 0) await evaluate();
    const bestStep = early.restore() ?? step;
    const optimizerState = opts.exportOptimizerState ? await optimizer.exportState() : undefined;
    onEvent({ kind: 'done', reason, bestStep, steps: step });
    return { reason, steps: step, bestStep, best: early.best, optimizerState };
  } finally {
    early.dispose();
    optimizer.dispose();
  }
}

/** One optimizer step; returns the loss and the pre-clip global gradient norm, scalars the caller disposes. */
function trainStep<B>(
  model: Trainable<B>, variables: tf.Variable[], optimizer: AdamW, batch: B, ctx: ForwardContext, lr: number, maxGradNorm: number,
): { loss: tf.Scalar; gradNorm: tf.Scalar } {
  return tf.tidy(() => {
    const { value, grads } = tf.variableGrads(() => model.loss(batch, ctx), variables);
    const withGrad = variables.filter((v) => grads[v.name] !== undefined);
    const clipped = clipByGlobalNorm(withGrad.map((v) => grads[v.name]), maxGradNorm);
    optimizer.step(new Map(withGrad.map((v, i) => [v, clipped.grads[i]])), lr);
    return { loss: value, gradNorm: clipped.totalNorm };
  });
}

/** Mean held-out loss (softmax cross-entropy when the model gives logits) and accuracy, weighted by rows. */
async function evaluateHeldOut<B extends LabelledBatch>(model: Trainable<B>, batches: B[]): Promise<Evaluation> {
  const ctx: ForwardContext = { training: false, seed: 0 };
  let lossSum = 0;
  let correct = 0;
  let rows = 0;
  for (const batch of batches) {
    const n = batch.labels.length;
    let loss: tf.Scalar;
    let predicted: tf.Tensor1D | null = null;
    if (model.logits) {
      const logitsOf = model.logits.bind(model);
      const out = tf.tidy(() => {
        const logits = logitsOf(batch, ctx); // [n, classes]
        const onehot = tf.oneHot(tf.tensor1d(Array.from(batch.labels), 'int32'), logits.shape[1]);
        const nll = tf.neg(tf.sum(tf.mul(onehot, tf.logSoftmax(logits)))) as tf.Scalar; // summed over rows
        return { nll, argmax: tf.argMax(logits, 1) as tf.Tensor1D };
      });
      loss = out.nll;
      predicted = out.argmax;
    } else {
      loss = tf.tidy(() => tf.mul(model.loss(batch, ctx), n) as tf.Scalar);
    }
    lossSum += (await loss.data())[0];
    loss.dispose();
    if (predicted) {
      const p = await predicted.data();
      predicted.dispose();
      for (let i = 0; i < n; i++) correct += p[i] === batch.labels[i] ? 1 : 0;
    }
    rows += n;
  }
  return { heldOutLoss: lossSum / rows, heldOutAccuracy: model.logits ? correct / rows : null };
}

/** Copies of the variables' values, in order. */
async function readValues(variables: readonly tf.Tensor[]): Promise<Float32Array[]> {
  return Promise.all(variables.map(async (v) => Float32Array.from((await v.data()) as Float32Array)));
}

/** Sets each variable to saved values, checking sizes (a checkpoint of another method or config is refused). */
function assignValues(variables: readonly tf.Variable[], values: readonly Float32Array[]): void {
  if (values.length !== variables.length || values.some((a, i) => a.length !== tf.util.sizeFromShape(variables[i].shape))) {
    throw new TrainingConfigError('The checkpoint does not fit this model (another method or configuration); start a new run.');
  }
  variables.forEach((v, i) => {
    const value = tf.tensor(values[i], v.shape, 'float32');
    v.assign(value);
    value.dispose(); // the variable keeps its own reference to the data
  });
}

/** Early stopping: remembers the best evaluation and a copy of the variables then; restores it at the end. */
class BestKeeper {
  best: Evaluation | null = null;
  private bestStep: number | null = null;
  private snapshot: tf.Tensor[] = [];
  private sinceBest = 0;

  constructor(
    private readonly variables: tf.Variable[],
    private readonly cfg: Pick<TrainingConfig, 'monitor' | 'patience'>,
  ) {}

  /** Records an evaluation at `step`; 'stop' once `patience` evaluations in a row did not improve. */
  observe(step: number, ev: Evaluation): 'continue' | 'stop' {
    if (this.best === null || this.score(ev) < this.score(this.best)) {
      this.best = ev;
      this.bestStep = step;
      this.sinceBest = 0;
      tf.dispose(this.snapshot);
      this.snapshot = this.variables.map((v) => v.clone()); // shares data until v is next assigned
      return 'continue';
    }
    this.sinceBest += 1;
    return this.cfg.patience > 0 && this.sinceBest >= this.cfg.patience ? 'stop' : 'continue';
  }

  /** Puts the best values back into the variables; the best step, or null without evaluations. */
  restore(): number | null {
    this.snapshot.forEach((t, i) => this.variables[i].assign(t));
    return this.bestStep;
  }

  dispose(): void {
    tf.dispose(this.snapshot);
    this.snapshot = [];
  }

  /** The memory as plain data; the snapshot is left out when it is the values at `step` (the current ones). */
  async exportState(step: number): Promise<EarlyStoppingState> {
    const snapshot = this.bestStep === null || this.bestStep === step ? null : await readValues(this.snapshot);
    return { best: this.best, bestStep: this.bestStep, sinceBest: this.sinceBest, snapshot };
  }

  /** Takes back exportState's memory, once the variables hold the values at `step`. */
  importState(state: EarlyStoppingState, step: number): void {
    this.best = state.best;
    this.bestStep = state.bestStep;
    this.sinceBest = state.sinceBest;
    tf.dispose(this.snapshot);
    this.snapshot = [];
    if (state.bestStep === null) return;
    if (state.snapshot === null && state.bestStep !== step) throw new TrainingConfigError('The checkpoint lacks the values of its best step; start a new run.');
    this.snapshot = state.snapshot
      ? this.variables.map((v, i) => tf.tensor(state.snapshot![i], v.shape, 'float32'))
      : this.variables.map((v) => v.clone());
  }

  /** Lower is better; NaN losses never win. */
  private score(ev: Evaluation): number {
    const s = this.cfg.monitor === 'heldOutAccuracy' ? -(ev.heldOutAccuracy ?? 0) : ev.heldOutLoss;
    return Number.isNaN(s) ? Infinity : s;
  }
}
