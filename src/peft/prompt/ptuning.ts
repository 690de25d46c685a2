/**
 * P-tuning v1 (Liu et al. 2021, "GPT Understands, Too") as peft's P_TUNING PromptEncoder: a trainable embedding
 * [p, hidden] goes through a prompt encoder, whose output is the prompt placed before the text.
 *
 *   MLP:  Linear(hidden, e) -> ReLU -> Linear(e, e) -> ReLU -> Linear(e, hidden)            mlp_head.{0,2,4}
 *   LSTM: a bidirectional LSTM (hidden -> e per direction, encoderNumLayers layers, dropout between layers)
 *         -> Linear(2e, 2e) -> ReLU -> Linear(2e, hidden)                                     lstm_head, mlp_head.{0,2}
 *
 * Parameters keep torch's names and layouts (LSTM gates stacked i, f, g, o; weight_ih_l{k}[_reverse]) and init
 * (Embedding N(0, 1); Linear and LSTM U(-1/sqrt(fan), 1/sqrt(fan))). peft saves only the encoder's output
 * (`prompt_embeddings`), so a loaded P-tuning delta is that prompt, trained directly from then on (as peft loads it).
 */
import * as tf from '@tensorflow/tfjs';
import type { BertConfig } from '../../encoder/types';
import type { PtuningConfig } from './config';
import { PROMPT_EMBEDDINGS, SoftPromptDelta } from './softPromptDelta';
import { namedVariables, SeededInit, savedTensor, torchLinear } from './torchLayers';

type Params = Readonly<Record<string, tf.Variable>>;

function checkConfig(c: PtuningConfig): void {
  for (const [k, v] of [['numVirtualTokens', c.numVirtualTokens], ['encoderHiddenSize', c.encoderHiddenSize], ['encoderNumLayers', c.encoderNumLayers]] as const) {
    if (!(Number.isInteger(v) && v >= 1)) throw new Error(`P-tuning ${k} must be a positive integer, got ${v}.`);
  }
}

/** Fresh parameters at torch's default init. */
function initParams(encoder: BertConfig, c: PtuningConfig, seed: number): Record<string, tf.Tensor> {
  const rng = new SeededInit(seed);
  const h = encoder.hiddenSize;
  const e = c.encoderHiddenSize;
  const out: Record<string, tf.Tensor> = { 'embedding.weight': rng.normal([c.numVirtualTokens, h]) };
  const linear = (name: string, inDim: number, outDim: number) => {
    const { weight, bias } = rng.linear(inDim, outDim);
    out[`${name}.weight`] = weight;
    out[`${name}.bias`] = bias;
  };
  if (c.encoderReparameterizationType === 'MLP') {
    linear('mlp_head.0', h, e);
    linear('mlp_head.2', e, e);
    linear('mlp_head.4', e, h);
    return out;
  }
  const bound = 1 / Math.sqrt(e);
  for (let k = 0; k < c.encoderNumLayers; k++) {
    for (const dir of ['', '_reverse']) {
      const inDim = k === 0 ? h : 2 * e;
      out[`lstm_head.weight_ih_l${k}${dir}`] = rng.uniform([4 * e, inDim], bound);
      out[`lstm_head.weight_hh_l${k}${dir}`] = rng.uniform([4 * e, e], bound);
      out[`lstm_head.bias_ih_l${k}${dir}`] = rng.uniform([4 * e], bound);
      out[`lstm_head.bias_hh_l${k}${dir}`] = rng.uniform([4 * e], bound);
    }
  }
  linear('mlp_head.0', 2 * e, 2 * e);
  linear('mlp_head.2', 2 * e, h);
  return out;
}

/** One direction of one LSTM layer over a sequence of one row: x [T, in] -> [T, e]. */
function lstmDirection(p: Params, layer: number, dir: '' | '_reverse', x: tf.Tensor2D, e: number): tf.Tensor2D {
  const w = (n: string) => p[`lstm_head.${n}_l${layer}${dir}`];
  const steps = x.shape[0];
  const inputGates = torchLinear(x, w('weight_ih') as tf.Tensor2D, w('bias_ih') as tf.Tensor1D); // [T, 4e]
  let h: tf.Tensor2D = tf.zeros([1, e]);
  let c: tf.Tensor2D = tf.zeros([1, e]);
  const outs: tf.Tensor2D[] = new Array(steps);
  const order = dir === '' ? [...Array(steps).keys()] : [...Array(steps).keys()].reverse();
  for (const t of order) {
    const gates = tf.add(tf.slice(inputGates, [t, 0], [1, 4 * e]), torchLinear(h, w('weight_hh') as tf.Tensor2D, w('bias_hh') as tf.Tensor1D)); // [1, 4e]
    const [i, f, g, o] = tf.split(gates, 4, 1); // torch's gate order
    c = tf.add(tf.mul(tf.sigmoid(f), c), tf.mul(tf.sigmoid(i), tf.tanh(g))) as tf.Tensor2D;
    h = tf.mul(tf.sigmoid(o), tf.tanh(c)) as tf.Tensor2D;
    outs[t] = h;
  }
  return tf.concat(outs, 0); // [T, e]
}

/** The prompt [p, hidden] from the parameters. */
function encode(p: Params, c: PtuningConfig, training: boolean): tf.Tensor2D {
  const x = p['embedding.weight'] as tf.Tensor2D; // [p, hidden]
  const lin = (name: string, v: tf.Tensor2D) => torchLinear(v, p[`${name}.weight`] as tf.Tensor2D, p[`${name}.bias`] as tf.Tensor1D);
  if (c.encoderReparameterizationType === 'MLP') {
    return lin('mlp_head.4', tf.relu(lin('mlp_head.2', tf.relu(lin('mlp_head.0', x)))));
  }
  let seq = x;
  for (let k = 0; k < c.encoderNumLayers; k++) {
    if (k > 0 && training && c.encoderDropout > 0) seq = tf.dropout(seq, c.encoderDropout) as tf.Tensor2D;
    const e = c.encoderHiddenSize;
    seq = tf.concat([lstmDirection(p, k, '', seq, e), lstmDirection(p, k, '_reverse', seq, e)], 1); // [p, 2e]
  }
  return lin('mlp_head.2', tf.relu(lin('mlp_head.0', seq)));
}

/** A delta whose prompt comes from a prompt encoder with these parameters (copies are taken). */
function ptuningDelta(c: PtuningConfig, init: Record<string, tf.Tensor>): SoftPromptDelta {
  const params = namedVariables(init);
  return new SoftPromptDelta('ptuning', params, (training) => encode(params, c, training), false);
}

export function createPtuningDelta(encoder: BertConfig, config: PtuningConfig, seed: number): SoftPromptDelta {
  checkConfig(config);
  const init = initParams(encoder, config, seed);
  try {
    return ptuningDelta(config, init);
  } finally {
    tf.dispose(Object.values(init));
  }
}

/** A delta from the encoder's parameters under torch's names (as in prompt_encoder.default), e.g. a fixture's. */
export function ptuningDeltaFromParameters(encoder: BertConfig, config: PtuningConfig, params: Record<string, tf.Tensor>): SoftPromptDelta {
  checkConfig(config);
  const fresh = initParams(encoder, config, 0);
  try {
    const init: Record<string, tf.Tensor> = {};
    for (const [k, t] of Object.entries(fresh)) init[k] = savedTensor(params, k, t.shape, 'P-tuning encoder');
    try {
      return ptuningDelta(config, init);
    } finally {
      tf.dispose(Object.values(init));
    }
  } finally {
    tf.dispose(Object.values(fresh));
  }
}

/** A delta from peft's saved `prompt_embeddings` (the encoder's output): the prompt, trained directly. */
export function loadPtuningDelta(encoder: BertConfig, config: PtuningConfig, saved: Record<string, tf.Tensor>): SoftPromptDelta {
  checkConfig(config);
  const t = savedTensor(saved, PROMPT_EMBEDDINGS, [config.numVirtualTokens, encoder.hiddenSize], 'P-tuning prompt');
  const embedding = tf.variable(t) as tf.Variable<tf.Rank.R2>; // [p, hidden]
  t.dispose();
  return new SoftPromptDelta('ptuning', { 'embedding.weight': embedding }, () => embedding, true);
}
