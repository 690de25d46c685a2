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
import { HEAD_TENSOR_NAMES, LinearHead } from '../head';
import { TorchAdamW } from '../testing/torchAdamW';
import { ADAPTER_CASES, readAdapterFixture, type AdapterCase } from './testing/adapterFixtures';
import { ADAPTER_NAME, bottleneckMethod, fromAdapterHubConfig, fromAdapterHubTensors, startsAsIdentity, stringifyAdapterHubConfig, toAdapterHubConfig, type BottleneckConfig } from '.';

const TOL_LOGITS = 1e-4;
const TOL_GRAD = 1e-4;
const TOL_ADAMW_LOSS = 1e-3;

const ckpt = readCheckpointDir(TINY_BERT_DIR);

/** Whether a zero up-projection leaves the encoder unchanged (in AdapterHub too): not with residual "post_add". */
const IDENTITY_AT_INIT: Record<AdapterCase, boolean> = { houlsby: true, pfeiffer: true, mixed: false };

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe.each(ADAPTER_CASES)('bottleneck parity with AdapterHub: %s (tiny BERT, cpu)', (name) => {
  const fx = readAdapterFixture(name);
  const pooling = { mode: 'mean', normalize: fx.json.head.normalize } as const;
  // The fixture names tensors for its own adapter name; Tabtune's are under ADAPTER_NAME.
  const toFixtureKey = (key: string) =>
    key === HEAD_TENSOR_NAMES.weight ? 'classifier.weight' : key === HEAD_TENSOR_NAMES.bias ? 'classifier.bias' : key.replace(`.adapters.${ADAPTER_NAME}.`, `.adapters.${fx.json.adapter_name}.`);
  let config: BottleneckConfig;
  let weights: BertWeights;
  let clf: PeftClassifier;
  let saved: Record<string, tf.Tensor>;

  beforeAll(async () => {
    await initNodeBackend('cpu');
    config = fromAdapterHubConfig(fx.json.adapter_config);
    weights = BertWeights.fromCheckpoint(ckpt);
    const hub: Record<string, tf.Tensor> = {};
    for (const [k, t] of fx.tensors) if (k.startsWith('init.')) hub[k.slice(5)] = tf.tensor(t.data, t.shape);
    saved = {
      ...fromAdapterHubTensors(hub, fx.json.adapter_name),
      [HEAD_TENSOR_NAMES.weight]: hub['classifier.weight'],
      [HEAD_TENSOR_NAMES.bias]: hub['classifier.bias'],
    };
    clf = new PeftClassifier(weights, pooling, bottleneckMethod.load(ckpt.config, config, saved), LinearHead.load(saved));
  });

  afterAll(() => {
    clf?.dispose();
    tf.dispose(Object.values(saved ?? {}));
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

  it('matches logits and loss', async () => {
    const logits = clf.logits(fx.batch);
    const diff = maxAbsDiff(await logits.data(), fx.tensors.get('logits')!.data);
    logits.dispose();
    const loss = clf.loss(fx.batch, fx.json.labels);
    const lossValue = (await loss.data())[0];
    loss.dispose();
    console.info(`${name} parity: logits max |diff| ${diff.toExponential(2)}, loss ${lossValue} vs ${fx.json.loss}`);
    expect(diff).toBeLessThanOrEqual(TOL_LOGITS);
    expect(Math.abs(lossValue - fx.json.loss)).toBeLessThanOrEqual(TOL_LOGITS);
  });

  it('matches the gradient of the loss w.r.t. every trainable tensor', async () => {
    const byVariable = new Map<tf.Tensor, string>(Object.entries(clf.tensors()).map(([k, v]) => [v, k]));
    const vars = clf.trainableVariables();
    const { value, grads } = tf.variableGrads(() => clf.loss(fx.batch, fx.json.labels), vars);
    let worst = 0;
    for (const v of vars) {
      const key = toFixtureKey(byVariable.get(v)!);
      const ref = fx.tensors.get(`grad.${key}`);
      expect(ref, key).toBeDefined();
      const d = maxAbsDiff(await grads[v.name].data(), ref!.data);
      expect(d, key).toBeLessThanOrEqual(TOL_GRAD);
      worst = Math.max(worst, d);
    }
    expect(vars.length).toBe(fx.json.trainable.length);
    console.info(`${name} parity: ${vars.length} gradients, max |diff| ${worst.toExponential(2)}`);
    tf.dispose([value, ...Object.values(grads)]);
  });

  it('follows torch.optim.AdamW for 10 steps', async () => {
    const run = new PeftClassifier(weights, pooling, bottleneckMethod.load(ckpt.config, config, saved), LinearHead.load(saved));
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
    console.info(`${name} parity: AdamW losses ${losses.map((l) => l.toFixed(4)).join(' ')}; max |diff| ${diff.toExponential(2)}`);
    expect(diff).toBeLessThanOrEqual(TOL_ADAMW_LOSS);
  });

  it(`${IDENTITY_AT_INIT[name] ? 'is' : 'is not'} the identity at init with a zero up-projection (mam_adapter)`, async () => {
    const freshConfig: BottleneckConfig = { ...config, initWeights: 'mam_adapter' };
    expect(startsAsIdentity(freshConfig)).toBe(IDENTITY_AT_INIT[name]);
    const fresh = new PeftClassifier(weights, pooling, bottleneckMethod.create(ckpt.config, freshConfig, 7), LinearHead.load(saved));
    const logits = fresh.logits(fx.batch);
    const diff = maxAbsDiff(await logits.data(), fx.tensors.get('base.logits')!.data);
    expect(diff <= TOL_LOGITS).toBe(IDENTITY_AT_INIT[name]);
    logits.dispose();
    fresh.dispose();
  });
});
