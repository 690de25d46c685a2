/**
 * Bottleneck adapters + linear head against AdapterHub's `adapters` + PyTorch (fixtures/adapters/,
 * scripts/py/golden_adapters.py) on the tiny f32 BERT, cpu backend: for Houlsby, Pfeiffer and a mix of the other
 * placement options, the config read from AdapterHub's adapter_config.json, the saved tensor names, logits, loss,
 * the gradient of every trainable tensor and 10 AdamW steps.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCheckpointDir, TINY_BERT_DIR } from '../../encoder/bert/testing/fixtures';
import { BertWeights } from '../../encoder/bert/weights';
import { initNodeBackend } from '../../runtime/nodeBackends';
import { PeftClassifier } from '../classifier';
import { adapterFixtureKey, PARITY_CASES, PARITY_POOLING } from '../testing/parityCases';
import { expectAdamWLosses, expectGradients, expectLogitsAndLoss, logitsDiff, TOL_LOGITS } from '../testing/parityChecks';
import { ADAPTER_CASES, readAdapterFixture, type AdapterCase } from './testing/adapterFixtures';
import { bottleneckMethod, fromAdapterHubConfig, startsAsIdentity, stringifyAdapterHubConfig, toAdapterHubConfig, type BottleneckConfig } from '.';

const ckpt = readCheckpointDir(TINY_BERT_DIR);

/** Whether a zero up-projection leaves the encoder unchanged (in AdapterHub too): not with residual "post_add". */
const IDENTITY_AT_INIT: Record<AdapterCase, boolean> = { houlsby: true, pfeiffer: true, mixed: false };

describe.each(ADAPTER_CASES)('bottleneck parity with AdapterHub: %s (tiny BERT, cpu)', (name) => {
  const fx = readAdapterFixture(name);
  // The fixture names tensors for its own adapter name; Tabtune's are under ADAPTER_NAME.
  const toFixtureKey = adapterFixtureKey(fx.json.adapter_name);
  const config: BottleneckConfig = fromAdapterHubConfig(fx.json.adapter_config);
  let weights: BertWeights;
  let clf: PeftClassifier;
  let named: [string, tf.Variable][];
  const build = () => PARITY_CASES[name].build(weights, fx);

  beforeAll(async () => {
    await initNodeBackend('cpu');
    weights = BertWeights.fromCheckpoint(ckpt);
    ({ clf, named } = build());
  });

  afterAll(() => {
    clf?.dispose();
    weights?.dispose();
  });

  it("reads AdapterHub's adapter_config.json and writes the same BnConfig back (init_weights aside)", () => {
    const hubConfig = fx.json.adapter_config.config;
    const written = JSON.parse(stringifyAdapterHubConfig(toAdapterHubConfig(config))) as Record<string, unknown>;
    expect({ scaling: 1, ...written }).toEqual({ ...hubConfig, init_weights: config.initWeights });
    expect(clf.delta.variables.length).toBe(fx.json.trainable.length - 2);
  });

  it('names its tensors as save_adapter does (BertAdapterModel: "bert." prefix; BertModel: none)', () => {
    const ours = Object.keys(clf.delta.tensors()).map(toFixtureKey).sort();
    expect(ours).toEqual([...fx.json.saved_keys_bert_adapter_model].sort());
    expect(ours.map((k) => k.replace(/^bert\./, ''))).toEqual([...fx.json.saved_keys_bert_model].sort());
    expect(fx.json.saved_keys_bert_model_bin).toEqual(fx.json.saved_keys_bert_model);
    expect(fx.json.saved_files_safetensors).toEqual(['adapter.safetensors', 'adapter_config.json']);
  });

  it('matches logits and loss', () => expectLogitsAndLoss(name, clf, fx));

  it('matches the gradient of the loss w.r.t. every trainable tensor', () => expectGradients(name, clf, named, fx));

  it('follows torch.optim.AdamW for 10 steps', async () => {
    const run = build().clf;
    await expectAdamWLosses(name, run, fx);
    run.dispose();
  });

  it(`${IDENTITY_AT_INIT[name] ? 'is' : 'is not'} the identity at init with a zero up-projection (mam_adapter)`, async () => {
    const freshConfig: BottleneckConfig = { ...config, initWeights: 'mam_adapter' };
    expect(startsAsIdentity(freshConfig)).toBe(IDENTITY_AT_INIT[name]);
    const head = PARITY_CASES.head.build(weights, fx).clf.head; // the fixture's initial head
    const fresh = new PeftClassifier(weights, PARITY_POOLING, bottleneckMethod.create(ckpt.config, freshConfig, 7), head);
    const diff = await logitsDiff(fresh, fx, 'base.logits');
    expect(diff <= TOL_LOGITS).toBe(IDENTITY_AT_INIT[name]);
    fresh.dispose();
  });
});
