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
import { HEAD_TENSOR_NAMES } from '../head';
import { PARITY_CASES, PARITY_POOLING, loraConfigOf } from '../testing/parityCases';
import { expectAdamWLosses, expectGradients, expectLogitsAndLoss, logitsDiff, TOL_LOGITS } from '../testing/parityChecks';
import { readLoraFixture } from '../testing/peftFixtures';
import { loraMethod } from '.';

const fx = readLoraFixture();
const ckpt = readCheckpointDir(TINY_BERT_DIR);
const config = loraConfigOf(fx.json);

describe('LoRA parity with peft (tiny BERT, cpu)', () => {
  let weights: BertWeights;
  let clf: PeftClassifier;
  let named: [string, tf.Variable][];
  const build = () => PARITY_CASES.lora.build(weights, fx);

  beforeAll(async () => {
    await initNodeBackend('cpu');
    weights = BertWeights.fromCheckpoint(ckpt);
    ({ clf, named } = build());
  });

  afterAll(() => {
    clf?.dispose();
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

  it('matches logits and loss', () => expectLogitsAndLoss('lora', clf, fx));

  it('matches the gradient of the loss w.r.t. every trainable tensor', () => expectGradients('lora', clf, named, fx));

  it('follows torch.optim.AdamW for 10 steps', async () => {
    // A fresh classifier from the same initial tensors, so the other tests' order does not matter.
    const run = build().clf;
    await expectAdamWLosses('lora', run, fx);
    run.dispose();
  });

  it('is the identity at init: a fresh LoRA gives the frozen encoder logits', async () => {
    const head = PARITY_CASES.head.build(weights, fx).clf.head; // the fixture's initial head
    const fresh = new PeftClassifier(weights, PARITY_POOLING, loraMethod.create(ckpt.config, config, 7), head);
    expect(await logitsDiff(fresh, fx, 'base.logits')).toBeLessThanOrEqual(TOL_LOGITS);
    fresh.dispose();
  });
});
