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
import { initNodeBackend } from '../../runtime/nodeBackends';
import { PeftClassifier } from '../classifier';
import { LinearHead } from '../head';
import type { Delta } from '../method';
import { PrefixDelta, prefixFromPeft } from '../prefix';
import { createDelta } from '../registry';
import { expectAdamWLosses, expectGradients, expectLogitsAndLoss, maxAbsDiff, TOL_LOGITS } from '../testing/parityChecks';
import { initTensors, readFixtureTensors, readParityFixture, type ParityFixtureJson } from '../testing/parityFixture';
import { WordPieceTokenizer } from '../../encoder/tokenizer';
import { createPromptTuningDelta, promptTuningDelta, promptTuningFromPeft, ptuningDeltaFromParameters, ptuningFromPeft } from '.';

const DIR = 'fixtures/prompts';
const ckpt = readCheckpointDir(TINY_BERT_DIR);
const pooling = { mode: 'mean', normalize: false } as const;

interface PromptFixtureJson extends ParityFixtureJson {
  /** adapter_config.json as peft writes it. */
  adapter_config: Record<string, unknown>;
  peft_state_dict_keys: string[];
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
  const fx = readParityFixture<PromptFixtureJson>(DIR, `${name}-tiny`);
  let weights: BertWeights;
  let init: Record<string, tf.Tensor>;
  const build = () => {
    const delta = CASES[name](init, fx.json.adapter_config);
    return { delta, clf: new PeftClassifier(weights, pooling, delta, new LinearHead({ weight: init['classifier.weight'] as tf.Tensor2D, bias: init['classifier.bias'] as tf.Tensor1D })) };
  };

  beforeAll(async () => {
    await initNodeBackend('cpu');
    weights = BertWeights.fromCheckpoint(ckpt);
    init = initTensors(fx);
  });

  afterAll(() => {
    tf.dispose(Object.values(init ?? {}));
    weights?.dispose();
  });

  it('matches logits, loss, the gradient of every trainable tensor, and the saved prompt_embeddings', async () => {
    const { delta, clf } = build();
    await expectLogitsAndLoss(name, clf, fx);
    // The delta's parameters keep peft's torch names (the fixture's), not the saved ones.
    await expectGradients(name, clf, [...Object.entries(delta.parameters), ['classifier.weight', clf.head.weight], ['classifier.bias', clf.head.bias]], fx);
    const saved = delta.tensors();
    expect(Object.keys(saved)).toEqual(fx.json.peft_state_dict_keys);
    const dSaved = maxAbsDiff(await saved.prompt_embeddings.data(), fx.tensors.get('saved.prompt_embeddings')!.data);
    console.info(`${name} parity: prompt_embeddings max |diff| ${dSaved.toExponential(2)}`);
    expect(dSaved).toBeLessThanOrEqual(TOL_LOGITS);
    clf.dispose();
  });

  it('follows torch.optim.AdamW for 10 steps', async () => {
    const { clf } = build();
    await expectAdamWLosses(name, clf, fx);
    clf.dispose();
  });
});

describe('prompt tuning TEXT init', () => {
  it('starts from the word embeddings of [CLS] text [SEP], repeated and cut as peft does', async () => {
    await initNodeBackend('cpu');
    const json = JSON.parse(readFileSync(join(REPO_ROOT, DIR, 'prompt-text-init.json'), 'utf8'));
    const ref = readFixtureTensors(DIR, json.tensors_file).get('prompt_embeddings')!;
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
