/**
 * A head that is a sensible zero-shot classifier before any training: class c's weight row is the encoder's
 * (L2-normalised) embedding of a label description ("It was great."), times a scale, and the bias is 0. On
 * L2-normalised sentence embeddings the logits are then scale * cosine(sentence, description).
 *
 * Scale 20 (temperature 0.05) is the scale all-MiniLM-L6-v2 was trained with (sentence-transformers'
 * MultipleNegativesRankingLoss default): cosines between its embeddings of related sentences differ by roughly
 * 0.05-0.3, so logit gaps are 1-6 and softmax is confident where the cosines differ and flat where they do not.
 * Such a head expects normalised input: use it with a classifier whose pooling normalises.
 */
import * as tf from '@tensorflow/tfjs';
import { bertForward, inputsFromBatch } from '../../encoder/bert/forward';
import { pool } from '../../encoder/bert/pooling';
import type { BertWeights } from '../../encoder/bert/weights';
import type { PoolingConfig } from '../../encoder/types';
import type { BatchTokenizer } from '../../training/batching';
import { LinearHead } from './linearHead';

export const PROMPT_HEAD_SCALE = 20;

/** `descriptions[c]` is the pooled embedding of class c's description, [hidden] each. */
export function promptInitHead(descriptions: readonly Float32Array[], scale = PROMPT_HEAD_SCALE): LinearHead {
  if (descriptions.length < 2) throw new Error(`A classifier needs at least 2 classes, got ${descriptions.length} label descriptions.`);
  const hidden = descriptions[0].length;
  const init = tf.tidy(() => {
    const e = tf.tensor2d(descriptions.flatMap((d) => Array.from(d)), [descriptions.length, hidden]); // [classes, hidden]
    const unit = tf.div(e, tf.maximum(tf.norm(e, 2, -1, true), 1e-12));
    return { weight: tf.mul(unit, scale) as tf.Tensor2D, bias: tf.zeros([descriptions.length]) as tf.Tensor1D };
  });
  try {
    return new LinearHead(init);
  } finally {
    tf.dispose(init);
  }
}

/**
 * promptInitHead from the frozen encoder's embeddings of the class names (`texts[c]`: a name, or a short
 * description). Runs the encoder once on the names; no delta.
 */
export async function labelTextHead(
  weights: BertWeights, pooling: PoolingConfig, tokenizer: BatchTokenizer, texts: readonly string[], scale = PROMPT_HEAD_SCALE,
): Promise<LinearHead> {
  const pooled = tf.tidy(() => {
    const out = bertForward(weights, inputsFromBatch(tokenizer.encodeBatch([...texts], { maxLength: 32 })));
    return pool(out.lastHiddenState, out.attentionMask, pooling);
  });
  const flat = (await pooled.data()) as Float32Array;
  pooled.dispose();
  const hidden = weights.config.hiddenSize;
  return promptInitHead(texts.map((_, c) => flat.slice(c * hidden, (c + 1) * hidden)), scale);
}
