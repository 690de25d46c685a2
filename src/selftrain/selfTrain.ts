/**
 * LiST self-training rounds over any PEFT method (Wang et al. 2021). Round 0 fits the first teacher on the
 * labels (fitClassifier). Each round r >= 1: the teacher pseudo-labels a sample of the unlabelled pool; a fresh
 * student (a new delta from createDelta, and the first teacher's starting head, config.studentHead) learns
 * the pseudo-labels (student.ts: warm-up, then meta-reweighting); the student is fine-tuned on the labels and
 * becomes the next teacher. The worker and the headless runner both call selfTrain(); it reports plain events,
 * stops between steps on an AbortSignal, and hands out a plain SelfTrainState after every finished round.
 *
 * Design choice: by default the student's head is the one the first teacher started from (for the few-shot runner,
 * the label-name head), so a fresh student is the untrained model and distillation has a gap to close, as in
 * LiST. With a copy of the teacher's head (studentHead 'teacher') a head-only student would be the teacher itself,
 * with zero KL and zero gradient: the pseudo-labels would teach it nothing.
 */
import * as tf from '@tensorflow/tfjs';
import type { BertWeights } from '../encoder/bert/weights';
import type { BertConfig, PoolingConfig } from '../encoder/types';
import { PeftClassifier } from '../peft/classifier';
import type { FrozenEmbeddingCache } from '../peft/featureCache';
import { LinearHead } from '../peft/head';
import type { EncoderParts } from '../peft/method';
import { createDelta, type MethodConfig } from '../peft/registry';
import { stratifiedSplit, type BatchTokenizer, type LabelledExample } from '../training/batching';
import { fitClassifier } from '../training/fitClassifier';
import { deriveSeed, Rng } from '../training/rng';
import { resolveSelfTrainConfig, type SelfTrainConfig } from './config';
import type { SelfTrainEvent } from './events';
import { pseudoLabels } from './metaWeights';
import { checkState, classifierArrays, classifierFromArrays, type SelfTrainState } from './state';
import { SELF_TRAIN_STREAM, trainStudent } from './student';

export interface SelfTrainOptions {
  /** The frozen encoder (shared, never changed) and what describes it. */
  weights: BertWeights;
  pooling: PoolingConfig;
  encoder: BertConfig;
  tokenizer: BatchTokenizer;
  /** Lets prompt-tuning deltas start from the vocabulary or a text (createDelta's parts). */
  parts?: EncoderParts;
  /** Kept frozen-encoder embeddings for head-only runs (PeftClassifier's `features`); the caller owns it. */
  features?: FrozenEmbeddingCache;
  /**
   * The first teacher's head (e.g. promptInitHead from the label names), and every student's with studentHead
   * 'initial'; copied, so the caller keeps and disposes its own. Default: a seeded random head. On resume it is
   * only the students' (pass the same head again).
   */
  initialHead?: LinearHead;
  method: MethodConfig;
  classes: number;
  labelled: readonly LabelledExample[];
  unlabelled: readonly string[];
  /** Knobs not given take DEFAULT_SELF_TRAIN_CONFIG's; on resume, the state's config with these on top. */
  config?: Partial<SelfTrainConfig>;
  /** Continue after the round the state was saved at. */
  resume?: SelfTrainState;
  onEvent?: (e: SelfTrainEvent) => void;
  /** Called with the state after round 0 and after every finished round (to persist it); awaited when it returns a promise. */
  onState?: (state: SelfTrainState) => void | Promise<void>;
  signal?: AbortSignal;
}

export interface SelfTrainResult {
  reason: 'completed' | 'cancelled';
  /** The state after the last finished round. */
  state: SelfTrainState;
  /** The last teacher; the caller disposes it. */
  classifier: PeftClassifier;
}

/** Share of `examples` the classifier gets right, or null for none. Batched, no gradient. */
export async function accuracy(classifier: PeftClassifier, tokenizer: BatchTokenizer, examples: readonly LabelledExample[], batchSize: number, maxLength: number): Promise<number | null> {
  if (examples.length === 0) return null;
  let correct = 0;
  for (let i = 0; i < examples.length; i += batchSize) {
    const chunk = examples.slice(i, i + batchSize);
    const predicted = tf.tidy(() => tf.argMax(classifier.logits(tokenizer.encodeBatch(chunk.map((e) => e.text), { maxLength })), 1));
    const p = await predicted.data();
    predicted.dispose();
    chunk.forEach((e, j) => (correct += p[j] === e.label ? 1 : 0));
  }
  return correct / examples.length;
}

/**
 * The teacher's targets for `texts`, row-major [texts.length, classes] in the order of `texts` (its softmax, or
 * the one-hot of its argmax with hard labels), each text's label (the argmax) and confidence (the top softmax
 * probability, with hard labels too), and the count per label.
 */
export async function labelTexts(teacher: PeftClassifier, tokenizer: BatchTokenizer, texts: readonly string[], cfg: SelfTrainConfig, classes: number) {
  const targets = new Float32Array(texts.length * classes);
  const labels = new Array<number>(texts.length);
  const confidences = new Array<number>(texts.length);
  // Batches of texts of similar length (by characters), so little of each batch is padding; rows go back in place.
  const order = texts.map((_, i) => i).sort((a, b) => texts[a].length - texts[b].length || a - b);
  for (let i = 0; i < order.length; i += cfg.labelBatchSize) {
    const rows = order.slice(i, i + cfg.labelBatchSize);
    const batch = tokenizer.encodeBatch(rows.map((r) => texts[r]), { maxLength: cfg.maxLength });
    const probs = pseudoLabels(teacher, batch, true); // [rows, classes]
    const values = (await probs.data()) as Float32Array;
    probs.dispose();
    rows.forEach((r, j) => {
      const row = values.subarray(j * classes, (j + 1) * classes);
      const top = row.indexOf(Math.max(...row));
      labels[r] = top;
      confidences[r] = row[top];
      if (cfg.softLabels) targets.set(row, r * classes);
      else targets[r * classes + top] = 1;
    });
  }
  return withCounts(targets, labels, confidences, classes);
}

/** Pseudo-labelled rows with their count per label and mean confidence. */
function withCounts(targets: Float32Array, labels: number[], confidences: number[], classes: number) {
  const classCounts = new Array<number>(classes).fill(0);
  for (const top of labels) classCounts[top] += 1;
  const meanConfidence = labels.length > 0 ? confidences.reduce((a, b) => a + b, 0) / labels.length : 0;
  return { targets, labels, confidences, classCounts, meanConfidence };
}

/**
 * The sample positions the student keeps under config.confidentShare, in sample order: for each label, the
 * ceil(share x count) texts the teacher gave that label with the highest confidence (ties: earlier first).
 */
export function keepConfident(labels: readonly number[], confidences: readonly number[], classes: number, share: number): number[] {
  if (share >= 1) return labels.map((_, i) => i);
  const kept: number[] = [];
  for (let c = 0; c < classes; c++) {
    const mine = labels.flatMap((label, i) => (label === c ? [i] : []));
    mine.sort((a, b) => confidences[b] - confidences[a] || a - b);
    kept.push(...mine.slice(0, Math.ceil(share * mine.length)));
  }
  return kept.sort((a, b) => a - b);
}

/** labelTexts' result for the rows `keep` only (counts and mean recomputed). */
function selectRows(all: ReturnType<typeof withCounts>, keep: readonly number[], classes: number) {
  const targets = new Float32Array(keep.length * classes);
  keep.forEach((r, j) => targets.set(all.targets.subarray(r * classes, (r + 1) * classes), j * classes));
  return withCounts(targets, keep.map((r) => all.labels[r]), keep.map((r) => all.confidences[r]), classes);
}

export async function selfTrain(opts: SelfTrainOptions): Promise<SelfTrainResult> {
  const { weights, pooling, encoder, tokenizer, method, classes, features, onEvent = () => {}, onState = () => {}, signal } = opts;
  if (opts.resume) checkState(opts.resume, method, classes);
  const cfg = resolveSelfTrainConfig(opts.resume ? { ...opts.resume.config, ...opts.config } : opts.config);
  if (cfg.rounds > 0 && opts.unlabelled.length === 0) throw new RangeError('Self-training needs unlabelled texts; add some to the pool.');
  const split = stratifiedSplit(Int32Array.from(opts.labelled, (e) => e.label), cfg.evalFraction, deriveSeed(cfg.seed, SELF_TRAIN_STREAM.split));
  const train = split.train.map((i) => opts.labelled[i]);
  const evalSlice = split.heldOut.map((i) => opts.labelled[i]);
  const score = (c: PeftClassifier) => accuracy(c, tokenizer, evalSlice, cfg.labelBatchSize, cfg.maxLength);
  const fit = (classifier: PeftClassifier, round: number) =>
    fitClassifier({
      classifier, tokenizer, examples: train, signal,
      config: {
        ...cfg.fineTune, maxLength: cfg.maxLength, seed: deriveSeed(cfg.seed, SELF_TRAIN_STREAM.fit, round),
        ...(round > 0 && cfg.studentFineTuneSteps > 0 ? { maxSteps: cfg.studentFineTuneSteps } : {}),
      },
      onEvent: (event) => onEvent({ kind: 'fit', round, event }),
    });
  const stateOf = async (teacher: PeftClassifier, roundsFinished: number): Promise<SelfTrainState> => ({
    version: 1, roundsFinished, config: cfg, method, classes, teacher: await classifierArrays(teacher),
  });

  /** The first teacher's starting head: a fresh copy each call. */
  const startHead = () => opts.initialHead
    ? new LinearHead({ weight: opts.initialHead.weight, bias: opts.initialHead.bias })
    : LinearHead.random(encoder.hiddenSize, classes, deriveSeed(cfg.seed, SELF_TRAIN_STREAM.head, 0));

  let teacher: PeftClassifier;
  let state: SelfTrainState;
  if (opts.resume) {
    state = opts.resume;
    teacher = classifierFromArrays(weights, pooling, encoder, method, state.teacher, features);
  } else {
    const delta = createDelta(encoder, method, deriveSeed(cfg.seed, SELF_TRAIN_STREAM.delta, 0), opts.parts);
    teacher = new PeftClassifier(weights, pooling, delta, startHead(), features);
    const result = await fit(teacher, 0);
    if (result.reason === 'cancelled') {
      // No finished round 0: hand back the fresh teacher's state so the caller still gets a consistent object.
      state = await stateOf(teacher, 0);
      onEvent({ kind: 'done', reason: 'cancelled', roundsFinished: 0 });
      return { reason: 'cancelled', state, classifier: teacher };
    }
    state = await stateOf(teacher, 0);
    await onState(state);
  }

  for (let round = state.roundsFinished + 1; round <= cfg.rounds; round++) {
    if (signal?.aborted) break;
    const started = performance.now();
    const pool = opts.unlabelled.map((_, i) => i);
    const take = cfg.unlabeledPerRound > 0 ? Math.min(cfg.unlabeledPerRound, pool.length) : pool.length;
    const poolIndices = new Rng(deriveSeed(cfg.seed, SELF_TRAIN_STREAM.sample, round)).shuffle(pool).slice(0, take);
    const sampled = poolIndices.map((i) => opts.unlabelled[i]);
    const all = await labelTexts(teacher, tokenizer, sampled, cfg, classes);
    const keep = keepConfident(all.labels, all.confidences, classes, cfg.confidentShare);
    const labelled = keep.length === sampled.length ? all : selectRows(all, keep, classes);
    const texts = keep.map((i) => sampled[i]);
    const studentPool = keep.map((i) => poolIndices[i]);
    const labelledAt = performance.now();
    const items = studentPool.map((poolIndex, i) => ({ poolIndex, label: labelled.labels[i], confidence: labelled.confidences[i] }));
    onEvent({
      kind: 'pseudoLabels', round, count: texts.length, dropped: sampled.length - texts.length,
      classCounts: labelled.classCounts, meanConfidence: labelled.meanConfidence, items,
    });

    const delta = createDelta(encoder, method, deriveSeed(cfg.seed, SELF_TRAIN_STREAM.delta, round), opts.parts);
    const head = cfg.studentHead === 'initial' ? startHead()
      : cfg.studentHead === 'teacher' ? new LinearHead({ weight: teacher.head.weight, bias: teacher.head.bias })
      : LinearHead.random(encoder.hiddenSize, classes, deriveSeed(cfg.seed, SELF_TRAIN_STREAM.head, round));
    const student = new PeftClassifier(weights, pooling, delta, head, features);
    const steps = await trainStudent({
      student, tokenizer, texts, poolIndices: studentPool, targets: labelled.targets, classes, labelled: train, round, config: cfg, onEvent, signal,
    });
    const studentDoneAt = performance.now();
    const fitted = steps === cfg.studentSteps && !signal?.aborted ? await fit(student, round) : null;
    const fittedAt = performance.now();
    if (!fitted || fitted.reason === 'cancelled') {
      student.dispose(); // an unfinished round is dropped: the state stays at the last finished one
      break;
    }
    const [teacherAccuracy, studentAccuracy] = [await score(teacher), await score(student)];
    teacher.dispose();
    teacher = student;
    state = await stateOf(teacher, round);
    await onState(state);
    onEvent({
      kind: 'round', round, teacherAccuracy, studentAccuracy, pseudoLabelClassCounts: labelled.classCounts,
      studentStepsTaken: steps, seconds: (performance.now() - started) / 1000,
      phaseSeconds: {
        pseudoLabel: (labelledAt - started) / 1000, student: (studentDoneAt - labelledAt) / 1000,
        fineTune: (fittedAt - studentDoneAt) / 1000, score: (performance.now() - fittedAt) / 1000,
      },
    });
  }
  const reason = state.roundsFinished >= cfg.rounds ? 'completed' : 'cancelled';
  onEvent({ kind: 'done', reason, roundsFinished: state.roundsFinished });
  return { reason, state, classifier: teacher };
}
