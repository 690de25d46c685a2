/**
 * LoRA + linear head against peft + PyTorch (fixtures/peft/lora-tiny.*, scripts/py/golden_peft.py) on the tiny
 * f32 BERT, cpu backend: logits, loss, gradients of every trainable tensor, 10 AdamW steps, and peft's names.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCheckpointDir, TINY_BERT_DIR } from '../../encoder/bert/testing/fixtures';
import { BertWeights } from '../../encoder/bert/weights';
import { initNodeBackend } from '../../runtime/nodeBackends';
import { PeftClassifier } from '../classifier';
import { HEAD_TENSOR_NAMES, LinearHead } from '../head';
import { readLoraFixture } from '../testing/peftFixtures';
import { TorchAdamW } from '../testing/torchAdamW';
import { LORA_DEFAULTS, loraMethod, resolvePeftTargets, type LoraConfig } from '.';

const TOL_LOGITS = 1e-4;
const TOL_GRAD = 1e-4;
const TOL_ADAMW_LOSS = 1e-3;

const fx = readLoraFixture();
const ckpt = readCheckpointDir(TINY_BERT_DIR);
const c = fx.json.lora_config;
const config: LoraConfig = {
  ...LORA_DEFAULTS,
  r: c.r,
  loraAlpha: c.lora_alpha,
  loraDropout: c.lora_dropout,
  useRslora: c.use_rslora,
  targetModules: resolvePeftTargets(c.target_modules),
};
const pooling = { mode: 'mean', normalize: fx.json.head.normalize } as const;
/** Fixture key of the head's tensors -> the classifier's saved name. */
const headName = (key: string) => (key === 'classifier.weight' ? HEAD_TENSOR_NAMES.weight : key === 'classifier.bias' ? HEAD_TENSOR_NAMES.bias : key);

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('LoRA parity with peft (tiny BERT, cpu)', () => {
  let weights: BertWeights;
  let clf: PeftClassifier;
  let saved: Record<string, tf.Tensor>;

  beforeAll(async () => {
    await initNodeBackend('cpu');
    weights = BertWeights.fromCheckpoint(ckpt);
    saved = {};
    for (const [k, t] of fx.tensors) if (k.startsWith('init.')) saved[headName(k.slice(5))] = tf.tensor(t.data, t.shape);
    clf = new PeftClassifier(weights, pooling, loraMethod.load(ckpt.config, config, saved), LinearHead.load(saved));
  });

  afterAll(() => {
    clf?.dispose();
    tf.dispose(Object.values(saved ?? {}));
    weights?.dispose();
  });

  it('resolves peft target_modules ["query", "value", "dense"] to the encoder layers peft wraps', () => {
    expect(config.targetModules).toEqual(['query', 'value', 'attentionOutput', 'intermediate', 'output']);
  });

  it('names its tensors as get_peft_model_state_dict does', () => {
    expect(Object.keys(clf.delta.tensors()).sort()).toEqual([...fx.json.peft_state_dict_keys].sort());
    const seqCls = fx.json.peft_state_dict_keys_seq_cls;
    expect(seqCls).toContain(HEAD_TENSOR_NAMES.weight);
    expect(seqCls).toContain(HEAD_TENSOR_NAMES.bias);
  });

  it('matches logits and loss', async () => {
    const logits = clf.logits(fx.batch);
    const diff = maxAbsDiff(await logits.data(), fx.tensors.get('logits')!.data);
    logits.dispose();
    const loss = clf.loss(fx.batch, fx.json.labels);
    const lossValue = (await loss.data())[0];
    loss.dispose();
    console.info(`lora parity: logits max |diff| ${diff.toExponential(2)}, loss ${lossValue} vs ${fx.json.loss}`);
    expect(diff).toBeLessThanOrEqual(TOL_LOGITS);
    expect(Math.abs(lossValue - fx.json.loss)).toBeLessThanOrEqual(TOL_LOGITS);
  });

  it('matches the gradient of the loss w.r.t. every trainable tensor', async () => {
    const byVariable = new Map<tf.Tensor, string>(Object.entries(clf.tensors()).map(([k, v]) => [v, k]));
    const vars = clf.trainableVariables();
    const { value, grads } = tf.variableGrads(() => clf.loss(fx.batch, fx.json.labels), vars);
    let worst = 0;
    for (const v of vars) {
      const key = byVariable.get(v)!;
      const fixtureKey = key === HEAD_TENSOR_NAMES.weight ? 'classifier.weight' : key === HEAD_TENSOR_NAMES.bias ? 'classifier.bias' : key;
      const ref = fx.tensors.get(`grad.${fixtureKey}`)!;
      const d = maxAbsDiff(await grads[v.name].data(), ref.data);
      expect(d, key).toBeLessThanOrEqual(TOL_GRAD);
      worst = Math.max(worst, d);
    }
    expect(vars.length).toBe(fx.json.trainable.length);
    console.info(`lora parity: ${vars.length} gradients, max |diff| ${worst.toExponential(2)}`);
    tf.dispose([value, ...Object.values(grads)]);
  });

  it('follows torch.optim.AdamW for 10 steps', async () => {
    // A fresh classifier from the same initial tensors, so the other tests' order does not matter.
    const run = new PeftClassifier(weights, pooling, loraMethod.load(ckpt.config, config, saved), LinearHead.load(saved));
    const vars = run.trainableVariables();
    const a = fx.json.adamw;
    const opt = new TorchAdamW(vars, { lr: a.lr, betas: a.betas, eps: a.eps, weightDecay: a.weight_decay });
    const losses: number[] = [];
    for (let step = 0; step <= a.steps; step++) {
      const { value, grads } = tf.variableGrads(() => run.loss(fx.batch, fx.json.labels), vars);
      losses.push((await value.data())[0]);
      if (step < a.steps) opt.step(vars.map((v) => grads[v.name]));
      tf.dispose([value, ...Object.values(grads)]);
    }
    opt.dispose();
    run.dispose();
    const diff = maxAbsDiff(losses, fx.json.adamw_losses);
    console.info(`lora parity: AdamW losses ${losses.map((l) => l.toFixed(4)).join(' ')}; max |diff| ${diff.toExponential(2)}`);
    expect(diff).toBeLessThanOrEqual(TOL_ADAMW_LOSS);
  });

  it('is the identity at init: a fresh LoRA gives the frozen encoder logits', async () => {
    const fresh = new PeftClassifier(weights, pooling, loraMethod.create(ckpt.config, config, 7), LinearHead.load(saved));
    const logits = fresh.logits(fx.batch);
    expect(maxAbsDiff(await logits.data(), fx.tensors.get('base.logits')!.data)).toBeLessThanOrEqual(TOL_LOGITS);
    logits.dispose();
    fresh.dispose();
  });
});
