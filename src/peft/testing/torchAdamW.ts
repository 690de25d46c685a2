/**
 * torch.optim.AdamW's update, exactly (decoupled weight decay, bias corrections, eps outside the sqrt), for the
 * parity test of a training run against PyTorch. Minimal on purpose: src/training/ owns the real optimizer.
 *
 *   p -= lr * wd * p
 *   m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2
 *   p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
 *
 * (tf.train.adam differs: it folds the bias corrections into the step size and so puts eps at another scale.)
 */
import * as tf from '@tensorflow/tfjs';

export interface AdamWOptions {
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
}

export class TorchAdamW {
  private t = 0;
  private readonly m: tf.Variable[];
  private readonly v: tf.Variable[];

  constructor(
    private readonly params: readonly tf.Variable[],
    private readonly opts: AdamWOptions,
  ) {
    this.m = params.map((p) => tf.variable(tf.zerosLike(p), false));
    this.v = params.map((p) => tf.variable(tf.zerosLike(p), false));
  }

  /** One step with `grads[i]` for `params[i]`. */
  step(grads: readonly tf.Tensor[]): void {
    const { lr, betas: [b1, b2], eps, weightDecay } = this.opts;
    this.t++;
    const bc1 = 1 - b1 ** this.t;
    const bc2Sqrt = Math.sqrt(1 - b2 ** this.t);
    tf.tidy(() => {
      this.params.forEach((p, i) => {
        const g = grads[i];
        const decayed = tf.mul(p, 1 - lr * weightDecay);
        const m = tf.add(tf.mul(this.m[i], b1), tf.mul(g, 1 - b1));
        const v = tf.add(tf.mul(this.v[i], b2), tf.mul(tf.square(g), 1 - b2));
        const denom = tf.add(tf.div(tf.sqrt(v), bc2Sqrt), eps);
        this.m[i].assign(m);
        this.v[i].assign(v);
        p.assign(tf.sub(decayed, tf.mul(tf.div(m, denom), lr / bc1)));
      });
    });
  }

  dispose(): void {
    tf.dispose([...this.m, ...this.v]);
  }
}
