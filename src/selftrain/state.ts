/**
 * The state after a finished round, as plain data (structured-clone and JSON friendly once arrays are copied):
 * the teacher's delta and head tensors under peft's names, how many rounds are done, the config and the seed.
 * Every random choice of round r is derived from (config.seed, r), so (seed, roundsFinished) is the whole rng
 * state: resuming from it repeats the rounds an uninterrupted run would have taken.
 */
import * as tf from '@tensorflow/tfjs';
import type { BertWeights } from '../encoder/bert/weights';
import type { BertConfig, PoolingConfig } from '../encoder/types';
import { PeftClassifier } from '../peft/classifier';
import type { FrozenEmbeddingCache } from '../peft/featureCache';
import { LinearHead } from '../peft/head';
import { loadDelta, type MethodConfig } from '../peft/registry';
import type { SelfTrainConfig } from './config';

export interface NamedArray {
  name: string;
  shape: number[];
  data: Float32Array;
}

export interface SelfTrainState {
  version: 1;
  /** Rounds completed; 0 means only the first teacher (trained on the labels) exists. */
  roundsFinished: number;
  config: SelfTrainConfig;
  method: MethodConfig;
  classes: number;
  /** The current teacher: its delta's tensors, then its head's. */
  teacher: NamedArray[];
}

export class SelfTrainStateError extends Error {
  override name = 'SelfTrainStateError';
}

/** Copies a classifier's delta and head tensors out as named Float32Arrays. */
export async function classifierArrays(classifier: PeftClassifier): Promise<NamedArray[]> {
  const entries = Object.entries(classifier.tensors());
  return Promise.all(
    entries.map(async ([name, t]) => ({ name, shape: [...t.shape], data: Float32Array.from((await t.data()) as Float32Array) })),
  );
}

/** A classifier from saved arrays (the encoder weights are the caller's and stay shared). */
export function classifierFromArrays(
  weights: BertWeights, pooling: PoolingConfig, encoder: BertConfig, method: MethodConfig, arrays: readonly NamedArray[],
  features?: FrozenEmbeddingCache,
): PeftClassifier {
  const saved: Record<string, tf.Tensor> = Object.fromEntries(arrays.map((a) => [a.name, tf.tensor(a.data, a.shape, 'float32')]));
  try {
    return new PeftClassifier(weights, pooling, loadDelta(encoder, method, saved), LinearHead.load(saved), features);
  } finally {
    tf.dispose(Object.values(saved));
  }
}

/** Checks a state before resuming from it; throws SelfTrainStateError saying what does not fit. */
export function checkState(state: SelfTrainState, method: MethodConfig, classes: number): void {
  if (state.version !== 1) throw new SelfTrainStateError(`Self-training state version ${String(state.version)} is not supported; start a new run.`);
  if (state.method.method !== method.method) {
    throw new SelfTrainStateError(`The state was saved by a ${state.method.method} run; resume it with that method, not ${method.method}.`);
  }
  if (state.classes !== classes) throw new SelfTrainStateError(`The state has ${state.classes} classes, the task ${classes}; resume with the same labels.`);
}
