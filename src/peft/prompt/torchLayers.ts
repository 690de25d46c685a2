/**
 * The few torch.nn pieces the virtual-token methods are built from, in torch's layouts so tensors keep the names
 * and shapes peft gives them: Linear (weight [out, in]), Embedding, and their default initialisations.
 */
import * as tf from '@tensorflow/tfjs';
import { matMul } from '../../encoder/bert/matmul';

/** torch.nn.Linear: x [n, in] @ weight^T + bias. weight [out, in], bias [out]. */
export function torchLinear(x: tf.Tensor2D, weight: tf.Tensor2D, bias: tf.Tensor1D): tf.Tensor2D {
  return tf.add(matMul(x, weight, false, true), bias) as tf.Tensor2D;
}

/** A seeded source of torch's default inits; each draw uses the next seed, so a delta is reproducible. */
export class SeededInit {
  private k = 0;
  constructor(private readonly seed: number) {}

  /** torch.nn.Embedding's init: N(0, 1). */
  normal(shape: number[]): tf.Tensor {
    return tf.randomNormal(shape, 0, 1, 'float32', this.seed + this.k++);
  }

  /** U(-bound, bound): nn.Linear's weight and bias (bound 1/sqrt(in)), nn.LSTM's (bound 1/sqrt(hidden)). */
  uniform(shape: number[], bound: number): tf.Tensor {
    return tf.randomUniform(shape, -bound, bound, 'float32', this.seed + this.k++);
  }

  /** A torch.nn.Linear(inDim, outDim) at its default init. */
  linear(inDim: number, outDim: number): { weight: tf.Tensor; bias: tf.Tensor } {
    const bound = 1 / Math.sqrt(inDim);
    return { weight: this.uniform([outDim, inDim], bound), bias: this.uniform([outDim], bound) };
  }

  /** k distinct-seeded integers in [0, n) (torch.randint), for sampling vocabulary rows. */
  ints(count: number, n: number): tf.Tensor1D {
    return tf.tidy(() => tf.cast(tf.floor(tf.randomUniform([count], 0, n, 'float32', this.seed + this.k++)), 'int32') as tf.Tensor1D);
  }
}

export class MissingTensorError extends Error {
  override name = 'MissingTensorError';
}

/** A copy of saved[key], checked against the shape this config needs. */
export function savedTensor(saved: Record<string, tf.Tensor>, key: string, shape: number[], what: string): tf.Tensor {
  const t = saved[key];
  if (!t) throw new MissingTensorError(`The saved ${what} has no tensor "${key}"; save it with tensors() (peft's get_peft_model_state_dict).`);
  if (t.shape.join() !== shape.join()) {
    throw new MissingTensorError(`"${key}" has shape [${t.shape}] but this encoder and config need [${shape}]; load it with its own config and encoder.`);
  }
  return tf.clone(t);
}

/** Variables under the names torch gives the parameters (peft's module names inside prompt_encoder.default). */
export function namedVariables(init: Record<string, tf.Tensor>): Record<string, tf.Variable> {
  const out: Record<string, tf.Variable> = {};
  for (const [k, t] of Object.entries(init)) out[k] = tf.variable(t);
  return out;
}
