/**
 * Prefix tuning, P-tuning v2, prompt tuning and P-tuning v1 (MLP, LSTM) + linear head against peft + PyTorch
 * (fixtures/prompts/, scripts/py/golden_prompts.py) on the tiny f32 BERT, cpu backend: logits, loss, gradients of
 * every trainable tensor, 10 AdamW steps, the saved `prompt_embeddings`, and TEXT init.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCheckpointDir, REPO_ROOT, TINY_BERT_DIR } from '../../encoder/bert/testing/fixtures';
import { BertWeights } from '../../encoder/bert/weights';
import type { EncodedBatch } from '../../encoder/types';
import { parseSafetensors, tensorData } from '../../encoder/weights/safetensors';
import { initNodeBackend } from '../../runtime/nodeBackends';
import { PeftClassifier } from '../classifier';
import { LinearHead } from '../head';
import type { Delta } from '../method';
import { PrefixDelta, prefixFromPeft } from '../prefix';
import { createDelta } from '../registry';
import { TorchAdamW } from '../testing/torchAdamW';
import { WordPieceTokenizer } from '../../encoder/tokenizer';
import { createPromptTuningDelta, promptTuningDelta, promptTuningFromPeft, ptuningDeltaFromParameters, ptuningFromPeft } from '.';

const TOL_LOGITS = 1e-4;
const TOL_GRAD = 1e-4;
const TOL_ADAMW_LOSS = 1e-3;
const DIR = join(REPO_ROOT, 'fixtures/prompts');
const ckpt = readCheckpointDir(TINY_BERT_DIR);
const pooling = { mode: 'mean', normalize: false } as const;

type Tensors = Map<string, { data: Float32Array; shape: number[] }>;

function readTensors(file: string): Tensors {
  const bytes = readFileSync(join(DIR, file));
  const st = parseSafetensors(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
  const out: Tensors = new Map();
  for (const [k, view] of st.tensors) out.set(k, { data: tensorData(view) as Float32Array, shape: view.shape });
  return out;
}

function readCase(name: string) {
  const json = JSON.parse(readFileSync(join(DIR, `${name}-tiny.json`), 'utf8'));
  const flat = (key: string) => Int32Array.from((json[key] as number[][]).flat());
  const batch: EncodedBatch = { inputIds: flat('input_ids'), attentionMask: flat('attention_mask'), tokenTypeIds: flat('token_type_ids'), batch: json.batch, seqLen: json.seq_len };
  return { json, batch, tensors: readTensors(json.tensors_file) };
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** The delta of each case from the fixture's initial parameters (torch names), with its config read back from peft's. */
const CASES: Record<string, (init: Record<string, tf.Tensor>, adapterConfig: Record<string, unknown>) => Delta & { parameters: Readonly<Record<string, tf.Variable>> }> = {
  prefix: (init, ac) => PrefixDelta.fromParameters('prefix', ckpt.config, prefixFromPeft(ac).numVirtualTokens, init),
  'ptuning-v2': (init, ac) => PrefixDelta.fromParameters('ptuningV2', ckpt.config, prefixFromPeft(ac).numVirtualTokens, init),
  prompt: (init, ac) => promptTuningDelta(ckpt.config, promptTuningFromPeft(ac), init['embedding.weight']),
  'ptuning-mlp': (init, ac) => ptuningDeltaFromParameters(ckpt.config, ptuningFromPeft(ac, ckpt.config.hiddenSize), init),
  'ptuning-lstm': (init, ac) => ptuningDeltaFromParameters(ckpt.config, ptuningFromPeft(ac, ckpt.config.hiddenSize), init),
};

describe.each(Object.keys(CASES))('%s parity with peft (tiny BERT, cpu)', (name) => {
  const fx = readCase(name);
  let weights: BertWeights;
  let init: Record<string, tf.Tensor>;
  const build = () => {
    const delta = CASES[name](init, fx.json.adapter_config);
    return { delta, clf: new PeftClassifier(weights, pooling, delta, new LinearHead({ weight: init['classifier.weight'] as tf.Tensor2D, bias: init['classifier.bias'] as tf.Tensor1D })) };
  };

  beforeAll(async () => {
    await initNodeBackend('cpu');
    weights = BertWeights.fromCheckpoint(ckpt);
    init = {};
    for (const [k, t] of fx.tensors) if (k.startsWith('init.')) init[k.slice(5)] = tf.tensor(t.data, t.shape);
  });

  afterAll(() => {
    tf.dispose(Object.values(init ?? {}));
    weights?.dispose();
  });

  it('matches logits, loss, the gradient of every trainable tensor, and the saved prompt_embeddings', async () => {
    const { delta, clf } = build();
    const logits = clf.logits(fx.batch);
    const dLogits = maxAbsDiff(await logits.data(), fx.tensors.get('logits')!.data);
    logits.dispose();
    const named: [string, tf.Variable][] = [...Object.entries(delta.parameters), ['classifier.weight', clf.head.weight], ['classifier.bias', clf.head.bias]];
    expect(named.map(([k]) => k).sort()).toEqual([...fx.json.trainable].sort());
    const { value, grads } = tf.variableGrads(() => clf.loss(fx.batch, fx.json.labels), named.map(([, v]) => v));
    const loss = (await value.data())[0];
    let dGrad = 0;
    for (const [k, v] of named) {
      const d = maxAbsDiff(await grads[v.name].data(), fx.tensors.get(`grad.${k}`)!.data);
      expect(d, k).toBeLessThanOrEqual(TOL_GRAD);
      dGrad = Math.max(dGrad, d);
    }
    tf.dispose([value, ...Object.values(grads)]);
    const saved = delta.tensors();
    expect(Object.keys(saved)).toEqual(fx.json.peft_state_dict_keys);
    const dSaved = maxAbsDiff(await saved.prompt_embeddings.data(), fx.tensors.get('saved.prompt_embeddings')!.data);
    console.info(`${name} parity: logits ${dLogits.toExponential(2)}, loss ${loss} vs ${fx.json.loss}, ${named.length} grads ${dGrad.toExponential(2)}, prompt_embeddings ${dSaved.toExponential(2)}`);
    expect(dLogits).toBeLessThanOrEqual(TOL_LOGITS);
    expect(Math.abs(loss - fx.json.loss)).toBeLessThanOrEqual(TOL_LOGITS);
    expect(dSaved).toBeLessThanOrEqual(TOL_LOGITS);
    clf.dispose();
  });

  it('follows torch.optim.AdamW for 10 steps', async () => {
    const { clf } = build();
    const vars = clf.trainableVariables();
    const a = fx.json.adamw;
    const opt = new TorchAdamW(vars, { lr: a.lr, betas: a.betas, eps: a.eps, weightDecay: a.weight_decay });
    const losses: number[] = [];
    for (let step = 0; step <= a.steps; step++) {
      const { value, grads } = tf.variableGrads(() => clf.loss(fx.batch, fx.json.labels), vars);
      losses.push((await value.data())[0]);
      if (step < a.steps) opt.step(vars.map((v) => grads[v.name]));
      tf.dispose([value, ...Object.values(grads)]);
    }
    opt.dispose();
    clf.dispose();
    const diff = maxAbsDiff(losses, fx.json.adamw_losses);
    console.info(`${name} parity: AdamW losses ${losses.map((l) => l.toFixed(4)).join(' ')}; max |diff| ${diff.toExponential(2)}`);
    expect(diff).toBeLessThanOrEqual(TOL_ADAMW_LOSS);
  });
});

describe('prompt tuning TEXT init', () => {
  it('starts from the word embeddings of [CLS] text [SEP], repeated and cut as peft does', async () => {
    await initNodeBackend('cpu');
    const json = JSON.parse(readFileSync(join(DIR, 'prompt-text-init.json'), 'utf8'));
    const ref = readTensors(json.tensors_file).get('prompt_embeddings')!;
    const weights = BertWeights.fromCheckpoint(ckpt);
    const config = { method: 'prompt', numVirtualTokens: json.num_virtual_tokens, promptTuningInit: 'TEXT', promptTuningInitText: json.init_text } as const;
    const delta = createPromptTuningDelta(weights, config, 0, () => json.token_ids);
    expect(maxAbsDiff(await delta.tensors().prompt_embeddings.data(), ref.data)).toBeLessThanOrEqual(1e-7);
    delta.dispose();

    // The same through the registry, with our tokenizer doing what peft's did; nothing is left behind.
    const tokenizer = WordPieceTokenizer.fromJSON(ckpt.tokenizerJson);
    const before = tf.memory().numTensors;
    const viaRegistry = createDelta(ckpt.config, config, 0, { weights, tokenize: (text) => tokenizer.encode(text).ids });
    expect(maxAbsDiff(await viaRegistry.tensors().prompt_embeddings.data(), ref.data)).toBeLessThanOrEqual(1e-7);
    viaRegistry.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(() => createDelta(ckpt.config, config, 0)).toThrow(/pass the encoder's weights and tokenizer/);
    weights.dispose();
  });
});
