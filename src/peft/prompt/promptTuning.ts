/**
 * Prompt tuning (Lester et al. 2021) as peft's PROMPT_TUNING: the prompt is a trainable [p, hidden] embedding.
 * Its start (peft's PromptEmbedding): RANDOM is torch.nn.Embedding's N(0, 1); SAMPLE_VOCAB copies the word
 * embeddings of p random vocabulary ids (newer peft); TEXT copies the word embeddings of the tokenized init text,
 * special tokens included ([CLS] ... [SEP], as peft calls the tokenizer), repeated then cut to p tokens.
 * SAMPLE_VOCAB and TEXT need the encoder's word embeddings (and TEXT a tokenizer): createPromptTuningDelta.
 */
import * as tf from '@tensorflow/tfjs';
import type { BertWeights } from '../../encoder/bert/weights';
import type { BertConfig } from '../../encoder/types';
import type { PromptTuningConfig } from './config';
import { PROMPT_EMBEDDINGS, SoftPromptDelta } from './softPromptDelta';
import { SeededInit, savedTensor } from './torchLayers';

export class PromptInitNeedsEncoderError extends Error {
  override name = 'PromptInitNeedsEncoderError';
}

function checkTokens(n: number): void {
  if (!(Number.isInteger(n) && n >= 1)) throw new Error(`numVirtualTokens must be a positive integer, got ${n}.`);
}

/** A delta holding a copy of `init` [p, hidden] as its prompt. */
export function promptTuningDelta(encoder: BertConfig, config: PromptTuningConfig, init: tf.Tensor): SoftPromptDelta {
  checkTokens(config.numVirtualTokens);
  const shape = [config.numVirtualTokens, encoder.hiddenSize];
  if (init.shape.join() !== shape.join()) throw new Error(`A prompt of shape [${init.shape}] does not fit [${shape}].`);
  const embedding = tf.tidy(() => tf.variable(tf.cast(init, 'float32'))) as tf.Variable<tf.Rank.R2>; // tidy frees the cast copy
  return new SoftPromptDelta('prompt', { 'embedding.weight': embedding }, () => embedding, true);
}

/** The token ids peft starts a TEXT prompt from: the text's ids repeated, then cut to p. */
export function textInitIds(textIds: readonly number[], numVirtualTokens: number): number[] {
  if (textIds.length === 0) throw new Error('The prompt init text has no tokens; give a non-empty text.');
  const reps = Math.ceil(numVirtualTokens / textIds.length);
  return Array.from({ length: reps }, () => textIds).flat().slice(0, numVirtualTokens);
}

/**
 * A fresh prompt-tuning delta for any init. `tokenize` returns the ids of a text with its special tokens
 * (WordPieceTokenizer.encode(text).ids); it is only called for TEXT.
 */
export function createPromptTuningDelta(
  weights: BertWeights,
  config: PromptTuningConfig,
  seed: number,
  tokenize: (text: string) => number[],
): SoftPromptDelta {
  checkTokens(config.numVirtualTokens);
  const rng = new SeededInit(seed);
  const init = tf.tidy(() => {
    if (config.promptTuningInit === 'RANDOM') return rng.normal([config.numVirtualTokens, weights.config.hiddenSize]);
    const ids =
      config.promptTuningInit === 'TEXT'
        ? tf.tensor1d(textInitIds(tokenize(config.promptTuningInitText), config.numVirtualTokens), 'int32')
        : rng.ints(config.numVirtualTokens, weights.config.vocabSize);
    return weights.embedWords(ids as tf.Tensor1D); // [p, hidden]
  });
  try {
    return promptTuningDelta(weights.config, config, init);
  } finally {
    init.dispose();
  }
}

/** PeftMethod.create without the encoder's parts: RANDOM only, as the others copy its word embeddings. */
export function createRandomPromptTuningDelta(encoder: BertConfig, config: PromptTuningConfig, seed: number): SoftPromptDelta {
  if (config.promptTuningInit !== 'RANDOM') {
    throw new PromptInitNeedsEncoderError(
      `Prompt init ${config.promptTuningInit} copies the encoder's word embeddings; pass the encoder's weights and tokenizer to createDelta.`,
    );
  }
  checkTokens(config.numVirtualTokens);
  const init = new SeededInit(seed).normal([config.numVirtualTokens, encoder.hiddenSize]);
  try {
    return promptTuningDelta(encoder, config, init);
  } finally {
    init.dispose();
  }
}

/** A delta from peft's saved `prompt_embeddings`. */
export function loadPromptTuningDelta(encoder: BertConfig, config: PromptTuningConfig, saved: Record<string, tf.Tensor>): SoftPromptDelta {
  checkTokens(config.numVirtualTokens);
  const t = savedTensor(saved, PROMPT_EMBEDDINGS, [config.numVirtualTokens, encoder.hiddenSize], 'prompt');
  try {
    return promptTuningDelta(encoder, config, t);
  } finally {
    t.dispose();
  }
}
