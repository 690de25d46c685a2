/**
 * The classification head every method trains: logits = pooled @ W^T + b on the sentence embedding.
 * W is kept in torch's nn.Linear layout [classes, hidden] and saved under peft's modules_to_save name for
 * BertForSequenceClassification (`base_model.model.classifier.weight`), though Tabtune's head reads the mean-pooled
 * embedding (as the checkpoint's pooling says) rather than BERT's CLS pooler.
 */
import * as tf from '@tensorflow/tfjs';
import { matMul } from '../../encoder/bert/matmul';

export const HEAD_TENSOR_NAMES = { weight: 'base_model.model.classifier.weight', bias: 'base_model.model.classifier.bias' } as const;

export interface LinearHeadInit {
  weight: tf.Tensor2D; // [classes, hidden]
  bias: tf.Tensor1D; // [classes]
}

export class LinearHead {
  readonly weight: tf.Variable<tf.Rank.R2>; // [classes, hidden]
  readonly bias: tf.Variable<tf.Rank.R1>; // [classes]

  /** Takes copies of `init`; the caller keeps (and disposes) its tensors. */
  constructor(init: LinearHeadInit) {
    if (init.weight.shape[0] !== init.bias.shape[0]) {
      throw new Error(`Head weight has ${init.weight.shape[0]} classes but bias has ${init.bias.shape[0]}.`);
    }
    this.weight = tf.variable(init.weight);
    this.bias = tf.variable(init.bias);
  }

  /** torch nn.Linear's default init, from a seeded generator: W, b ~ U(-1/sqrt(hidden), 1/sqrt(hidden)). */
  static random(hidden: number, classes: number, seed: number): LinearHead {
    const bound = 1 / Math.sqrt(hidden);
    const init = tf.tidy(() => ({
      weight: tf.randomUniform([classes, hidden], -bound, bound, 'float32', seed) as tf.Tensor2D,
      bias: tf.randomUniform([classes], -bound, bound, 'float32', seed + 1) as tf.Tensor1D,
    }));
    try {
      return new LinearHead(init);
    } finally {
      tf.dispose(init);
    }
  }

  /** A head from saved tensors (HEAD_TENSOR_NAMES). */
  static load(saved: Record<string, tf.Tensor>): LinearHead {
    const weight = saved[HEAD_TENSOR_NAMES.weight];
    const bias = saved[HEAD_TENSOR_NAMES.bias];
    if (!weight || !bias) throw new Error(`Saved tensors lack the head (${HEAD_TENSOR_NAMES.weight}, ${HEAD_TENSOR_NAMES.bias}); save the classifier, not only its delta.`);
    return new LinearHead({ weight: weight as tf.Tensor2D, bias: bias as tf.Tensor1D });
  }

  get classes(): number {
    return this.weight.shape[0];
  }

  get variables(): tf.Variable[] {
    return [this.weight, this.bias];
  }

  /** pooled [batch, hidden] -> logits [batch, classes]. */
  forward(pooled: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => tf.add(matMul(pooled, this.weight, false, true), this.bias) as tf.Tensor2D);
  }

  tensors(): Record<string, tf.Tensor> {
    return { [HEAD_TENSOR_NAMES.weight]: this.weight, [HEAD_TENSOR_NAMES.bias]: this.bias };
  }

  dispose(): void {
    tf.dispose([this.weight, this.bias]);
  }
}
