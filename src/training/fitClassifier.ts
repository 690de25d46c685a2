/**
 * Trains a PeftClassifier (frozen encoder + a method's delta + head) on labelled texts: the one place where the
 * PEFT layer meets the train loop. Tokenising, batching, the held-out split, AdamW, the schedule, clipping,
 * early stopping and cancellation all come from the loop; this file only says how the classifier is a Trainable.
 */
import type { PeftClassifier } from '../peft/classifier';
import { ExampleBatcher, type BatchTokenizer, type LabelledExample, type TrainBatch } from './batching';
import { resolveTrainingConfig, type TrainingConfig } from './config';
import { train, type Trainable, type TrainEvent, type TrainOptions, type TrainResult } from './trainLoop';

export interface FitClassifierOptions {
  classifier: PeftClassifier;
  tokenizer: BatchTokenizer;
  /** Labelled texts; `label` indexes the classifier's classes. */
  examples: readonly LabelledExample[];
  config?: Partial<TrainingConfig>;
  onEvent?: (event: TrainEvent) => void;
  signal?: AbortSignal;
  resume?: TrainOptions<TrainBatch>['resume'];
  exportOptimizerState?: boolean;
  checkpoint?: TrainOptions<TrainBatch>['checkpoint'];
}

/** The classifier seen by the train loop: its delta and head variables, its loss and its logits. */
export function classifierTrainable(classifier: PeftClassifier): Trainable<TrainBatch> {
  return {
    variables: classifier.trainableVariables(),
    loss: (batch, { training, seed }) => classifier.loss(batch, batch.labels, { training, seed }),
    logits: (batch, { training, seed }) => classifier.logits(batch, { training, seed }),
  };
}

export async function fitClassifier(opts: FitClassifierOptions): Promise<TrainResult> {
  const config = resolveTrainingConfig(opts.config);
  const classes = opts.classifier.head.classes;
  const bad = opts.examples.find((e) => !Number.isInteger(e.label) || e.label < 0 || e.label >= classes);
  if (bad) throw new RangeError(`Example "${bad.text.slice(0, 40)}" has label ${bad.label}, but the classifier has ${classes} classes.`);
  const data = new ExampleBatcher(opts.examples, opts.tokenizer, {
    batchSize: config.batchSize,
    maxLength: config.maxLength,
    classBalanced: config.classBalanced,
    heldOutFraction: config.heldOutFraction,
    bucketBatches: config.bucketBatches,
    seed: config.seed,
  });
  return train({
    model: classifierTrainable(opts.classifier),
    data,
    config,
    onEvent: opts.onEvent,
    signal: opts.signal,
    resume: opts.resume,
    exportOptimizerState: opts.exportOptimizerState,
    checkpoint: opts.checkpoint,
  });
}
