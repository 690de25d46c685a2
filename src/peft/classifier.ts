/**
 * A text classifier: frozen encoder weights + a method's delta (through BertHooks) + pooling + a linear head.
 * Every computation is tf ops on tensors the caller can differentiate through (tf.grad, optimizer.minimize);
 * logits() and loss() keep nothing but their result.
 */
import * as tf from '@tensorflow/tfjs';
import { bertForward, inputsFromBatch } from '../encoder/bert/forward';
import { pool } from '../encoder/bert/pooling';
import type { BertWeights } from '../encoder/bert/weights';
import type { EncodedBatch, PoolingConfig } from '../encoder/types';
import type { FrozenEmbeddingCache } from './featureCache';
import type { LinearHead } from './head/linearHead';
import type { Delta } from './method';

export interface ForwardOptions {
  /** Applies the delta's dropout. Default false. */
  training?: boolean;
  /** Seeds the dropout masks (see DeltaMode.seed). */
  seed?: number;
}

export class PeftClassifier {
  constructor(
    readonly weights: BertWeights,
    /** Pooling of the token states before the head (mean, as the checkpoint says; normalised or not). */
    readonly pooling: PoolingConfig,
    readonly delta: Delta,
    readonly head: LinearHead,
    /**
     * Kept embeddings of the frozen encoder, used when the delta leaves the encoder as it is (Delta.frozenEncoder:
     * head-only); ignored otherwise. The caller owns and disposes it.
     */
    readonly features?: FrozenEmbeddingCache,
  ) {
    if (features && (features.weights !== weights || features.pooling.mode !== pooling.mode || features.pooling.normalize !== pooling.normalize)) {
      throw new Error('The embedding cache belongs to another encoder or pooling than this classifier.');
    }
  }

  /** Sentence embeddings [batch, hidden] through the encoder with the delta. */
  embeddings(batch: EncodedBatch, { training = false, seed }: ForwardOptions = {}): tf.Tensor2D {
    if (this.features && this.delta.frozenEncoder) return this.features.embed(batch);
    return tf.tidy(() => {
      const out = bertForward(this.weights, inputsFromBatch(batch), this.delta.hooks({ training, seed }));
      return pool(out.lastHiddenState, out.attentionMask, this.pooling); // [batch, hidden]
    });
  }

  /** [batch, classes]. */
  logits(batch: EncodedBatch, opts: ForwardOptions = {}): tf.Tensor2D {
    return tf.tidy(() => this.head.forward(this.embeddings(batch, opts)));
  }

  /** Mean cross-entropy of the logits against class indices `labels` [batch] (torch's F.cross_entropy). */
  loss(batch: EncodedBatch, labels: ArrayLike<number>, opts: ForwardOptions = {}): tf.Scalar {
    if (labels.length !== batch.batch) throw new Error(`Got ${labels.length} labels for a batch of ${batch.batch} texts.`);
    return tf.tidy(() => crossEntropy(this.logits(batch, opts), labels));
  }

  /** The delta's variables, then the head's. */
  trainableVariables(): tf.Variable[] {
    return [...this.delta.variables, ...this.head.variables];
  }

  /** Delta and head under peft's saved names. */
  tensors(): Record<string, tf.Tensor> {
    return { ...this.delta.tensors(), ...this.head.tensors() };
  }

  /** Frees the delta and the head (not the encoder weights, which the caller owns). */
  dispose(): void {
    this.delta.dispose();
    this.head.dispose();
  }
}

/** mean_i -log softmax(logits_i)[labels_i]. logits [batch, classes]. */
export function crossEntropy(logits: tf.Tensor2D, labels: ArrayLike<number>): tf.Scalar {
  return tf.tidy(() => {
    const classes = logits.shape[1];
    const target = tf.oneHot(tf.tensor1d(Array.from(labels), 'int32'), classes); // [batch, classes]
    return tf.neg(tf.mean(tf.sum(tf.mul(target, tf.logSoftmax(logits, -1)), -1))) as tf.Scalar;
  });
}
