/**
 * AdamW exactly as torch.optim.AdamW (amsgrad off, maximize off), per parameter p with gradient g:
 *
 *   t += 1
 *   p  *= 1 - lr * weightDecay                    // decoupled decay, before the Adam update
 *   m   = beta1 * m + (1 - beta1) * g
 *   v   = beta2 * v + (1 - beta2) * g^2
 *   denom = sqrt(v) / sqrt(1 - beta2^t) + eps     // eps after the bias-corrected sqrt, as torch
 *   p  -= lr / (1 - beta1^t) * m / denom
 *
 * A variable without a gradient in a step is skipped entirely (no decay, no moment update, its t stays),
 * as torch skips a parameter whose .grad is None. Moments live in tf.Variables created on a variable's first
 * step; the lr is given to each step (the schedule lives with the loop).
 */
import * as tf from '@tensorflow/tfjs';

export interface AdamWOptions {
  /** Decay of the first moment (torch betas[0]). */
  beta1: number;
  /** Decay of the second moment (torch betas[1]). */
  beta2: number;
  /** Added to the bias-corrected sqrt(v) (torch eps). */
  eps: number;
  /** Decoupled weight decay (torch weight_decay; torch's AdamW default is 0.01). */
  weightDecay: number;
}

export const ADAMW_DEFAULTS: AdamWOptions = { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01 };

/** One variable's optimizer state as plain data (structured-clone and JSON friendly once arrays are copied). */
export interface AdamWSlotState {
  /** The variable's name when exported, for messages only: import matches by position. */
  name: string;
  shape: number[];
  /** Steps this variable has taken (torch state["step"]); 0 means no moments yet. */
  step: number;
  expAvg: Float32Array;
  expAvgSq: Float32Array;
}

export interface AdamWState {
  version: 1;
  options: AdamWOptions;
  /** One entry per variable, in the order the optimizer was built with. */
  slots: AdamWSlotState[];
}

/** Gradients keyed by variable, or by variable name (what tf.variableGrads returns). */
export type GradMap = Map<tf.Variable, tf.Tensor> | tf.NamedTensorMap;

export class OptimizerStateError extends Error {
  override name = 'OptimizerStateError';
}

interface Slot {
  step: number;
  m?: tf.Variable; // like the parameter, first moment
  v?: tf.Variable; // like the parameter, second moment
}

/** A non-trainable variable holding `init`, which it consumes (disposes). */
function variableFrom(init: tf.Tensor): tf.Variable {
  const v = tf.variable(init, false);
  init.dispose();
  return v;
}

export class AdamW {
  readonly options: AdamWOptions;
  private readonly slots: Slot[];
  private disposed = false;

  constructor(
    readonly variables: readonly tf.Variable[],
    options: Partial<AdamWOptions> = {},
  ) {
    this.options = { ...ADAMW_DEFAULTS, ...options };
    const { beta1, beta2, eps, weightDecay } = this.options;
    if (!(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1)) {
      throw new RangeError(`AdamW: betas must be in [0, 1), got ${beta1}, ${beta2}.`);
    }
    if (!(eps >= 0) || !(weightDecay >= 0)) throw new RangeError(`AdamW: eps and weightDecay must be >= 0.`);
    this.slots = variables.map(() => ({ step: 0 }));
  }

  /** Applies one update with learning rate `lr` to every variable that has a gradient in `grads`. */
  step(grads: GradMap, lr: number): void {
    this.assertLive();
    const { beta1, beta2, eps, weightDecay } = this.options;
    this.variables.forEach((p, i) => {
      const g = grads instanceof Map ? grads.get(p) : grads[p.name];
      if (!g) return;
      if (!tf.util.arraysEqual(g.shape, p.shape)) {
        throw new RangeError(`AdamW: gradient of ${p.name} has shape [${g.shape}], the variable [${p.shape}].`);
      }
      const slot = this.slots[i];
      slot.m ??= variableFrom(tf.zerosLike(p));
      slot.v ??= variableFrom(tf.zerosLike(p));
      slot.step += 1;
      const { m, v } = slot;
      const biasCorrection1 = 1 - beta1 ** slot.step;
      const biasCorrection2Sqrt = Math.sqrt(1 - beta2 ** slot.step);
      const stepSize = lr / biasCorrection1;
      tf.tidy(() => {
        const mNew = tf.add(tf.mul(m, beta1), tf.mul(g, 1 - beta1));
        const vNew = tf.add(tf.mul(v, beta2), tf.mul(tf.square(g), 1 - beta2));
        const decayed = weightDecay !== 0 ? tf.mul(p, 1 - lr * weightDecay) : p;
        const denom = tf.add(tf.div(tf.sqrt(vNew), biasCorrection2Sqrt), eps);
        m.assign(mNew);
        v.assign(vNew);
        p.assign(tf.sub(decayed, tf.mul(tf.div(mNew, denom), stepSize)));
      });
    });
  }

  /** The state as plain data, to save in a checkpoint and resume with importState. */
  async exportState(): Promise<AdamWState> {
    this.assertLive();
    const slots = await Promise.all(
      this.slots.map(async (s, i): Promise<AdamWSlotState> => {
        const p = this.variables[i];
        const size = tf.util.sizeFromShape(p.shape);
        return {
          name: p.name,
          shape: [...p.shape],
          step: s.step,
          expAvg: s.m ? Float32Array.from((await s.m.data()) as Float32Array) : new Float32Array(size),
          expAvgSq: s.v ? Float32Array.from((await s.v.data()) as Float32Array) : new Float32Array(size),
        };
      }),
    );
    return { version: 1, options: { ...this.options }, slots };
  }

  /** Replaces the state with one exported from an optimizer over variables of the same shapes, in order. */
  importState(state: AdamWState): void {
    this.assertLive();
    if (state.version !== 1) throw new OptimizerStateError(`AdamW state version ${state.version} is not 1; re-train.`);
    if (state.slots.length !== this.variables.length) {
      throw new OptimizerStateError(
        `AdamW state has ${state.slots.length} slots, the optimizer ${this.variables.length} variables; ` +
          'resume with the same PEFT method and configuration.',
      );
    }
    state.slots.forEach((s, i) => {
      const p = this.variables[i];
      const size = tf.util.sizeFromShape(p.shape);
      if (!tf.util.arraysEqual(s.shape, p.shape) || s.expAvg.length !== size || s.expAvgSq.length !== size) {
        throw new OptimizerStateError(
          `AdamW state slot ${i} (${s.name}) has shape [${s.shape}], variable ${p.name} [${p.shape}]; ` +
            'resume with the same PEFT method and configuration.',
        );
      }
    });
    Object.assign(this.options, state.options);
    state.slots.forEach((s, i) => {
      const p = this.variables[i];
      const slot = this.slots[i];
      slot.step = s.step;
      slot.m?.dispose();
      slot.v?.dispose();
      slot.m = variableFrom(tf.tensor(s.expAvg, p.shape, 'float32'));
      slot.v = variableFrom(tf.tensor(s.expAvgSq, p.shape, 'float32'));
    });
  }

  /** Frees the moment variables; the optimizer cannot be used afterwards. */
  dispose(): void {
    for (const s of this.slots) {
      s.m?.dispose();
      s.v?.dispose();
      s.m = s.v = undefined;
    }
    this.disposed = true;
  }

  private assertLive(): void {
    if (this.disposed) throw new OptimizerStateError('AdamW was disposed; build a new optimizer.');
  }
}
