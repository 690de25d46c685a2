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
import { createDelta } from '../registry';
import { PARITY_CASES, type ParityCaseName } from '../testing/parityCases';
import { expectAdamWLosses, expectGradients, expectLogitsAndLoss, maxAbsDiff, TOL_LOGITS } from '../testing/parityChecks';
import { readFixtureTensors, readParityFixture, type ParityFixtureJson } from '../testing/parityFixture';
import { WordPieceTokenizer } from '../../encoder/tokenizer';
import { createPromptTuningDelta } from '.';

const DIR = 'fixtures/prompts';
const ckpt = readCheckpointDir(TINY_BERT_DIR);

interface PromptFixtureJson extends ParityFixtureJson {
  /** adapter_config.json as peft writes it. */
  adapter_config: Record<string, unknown>;
  peft_state_dict_keys: string[];
}

/** The rows of the parity table whose fixtures live here (their deltas keep peft's torch parameter names). */
const CASES = (Object.keys(PARITY_CASES) as ParityCaseName[]).filter((name) => PARITY_CASES[name].dir === DIR);

describe.each(CASES)('%s parity with peft (tiny BERT, cpu)', (name) => {
  const row = PARITY_CASES[name];
  const fx = readParityFixture<PromptFixtureJson>(DIR, row.stem);
  let weights: BertWeights;

  beforeAll(async () => {
    await initNodeBackend('cpu');
    weights = BertWeights.fromCheckpoint(ckpt);
  });

  afterAll(() => {
    weights?.dispose();
  });

  it('matches logits, loss, the gradient of every trainable tensor, and the saved prompt_embeddings', async () => {
    const { clf, named } = row.build(weights, fx);
    await expectLogitsAndLoss(name, clf, fx);
    await expectGradients(name, clf, named, fx);
    const saved = clf.delta.tensors();
    expect(Object.keys(saved)).toEqual(fx.json.peft_state_dict_keys);
    const dSaved = maxAbsDiff(await saved.prompt_embeddings.data(), fx.tensors.get('saved.prompt_embeddings')!.data);
    console.info(`${name} parity: prompt_embeddings max |diff| ${dSaved.toExponential(2)}`);
    expect(dSaved).toBeLessThanOrEqual(TOL_LOGITS);
    clf.dispose();
  });

  it('follows torch.optim.AdamW for 10 steps', async () => {
    const { clf } = row.build(weights, fx);
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
