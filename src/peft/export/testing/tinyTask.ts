/**
 * A small labelled task and a briefly trained classifier on the tiny f32 BERT, shared by the export tests and
 * scripts/interop/export.ts (which hands the result to Python's peft).
 */
import * as tf from '@tensorflow/tfjs';
import type { BertWeights } from '../../../encoder/bert/weights';
import type { BertConfig, EncodedBatch, PoolingConfig } from '../../../encoder/types';
import { PeftClassifier } from '../../classifier';
import { LinearHead } from '../../head';
import { createDelta, type MethodConfig } from '../../registry';

export const TINY_LABELS = ['positive', 'negative', 'neutral'] as const;

/** [text, label index]. */
export const TINY_TRAINING: ReadonlyArray<readonly [string, number]> = [
  ['the movie was great and i love it', 0],
  ['what a wonderful day at the beach', 0],
  ['a bad film , i hate the story', 1],
  ['the food was cold and the staff rude', 1],
  ['the hotel is near the station', 2],
  ['i read the book on tuesday', 2],
];

/** Mean pooling, not normalised: the pooling the peft parity fixtures use. */
export const TINY_POOLING: PoolingConfig = { mode: 'mean', normalize: false };

/**
 * A classifier with a fresh delta of `config` and a random head, after `steps` SGD steps on `batch`
 * (with the delta's dropout), so every delta tensor and the head differ from their init.
 */
export function trainTinyClassifier(weights: BertWeights, encoder: BertConfig, config: MethodConfig, batch: EncodedBatch, labels: readonly number[], steps: number, seed = 5): PeftClassifier {
  const clf = new PeftClassifier(weights, TINY_POOLING, createDelta(encoder, config, seed), LinearHead.random(encoder.hiddenSize, TINY_LABELS.length, seed));
  const opt = tf.train.sgd(0.5);
  for (let i = 0; i < steps; i++) tf.dispose(opt.minimize(() => clf.loss(batch, labels, { training: true }), true, clf.trainableVariables()) ?? []);
  opt.dispose();
  return clf;
}
