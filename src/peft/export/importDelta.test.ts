/**
 * importDelta refuses every kind of bad zip with its DeltaImportError code, and leaves nothing behind: crafted
 * from good exports on the tiny BERT (corrupt bytes, truncation, another encoder, edited files), one per layout:
 * LoRA (peft SEQ_CLS), bottleneck (AdapterHub + classifier.safetensors), prefix (peft FEATURE_EXTRACTION + classifier).
 */
import * as tf from '@tensorflow/tfjs';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';
import { readCheckpointDir, TINY_BERT_DIR } from '../../encoder/bert/testing/fixtures';
import { parseSafetensors, tensorData, writeSafetensors, type TensorToWrite } from '../../encoder/weights/safetensors';
import { initNodeBackend } from '../../runtime/nodeBackends';
import { HOULSBY } from '../bottleneck';
import { createDelta, type MethodConfig } from '../registry';
import type { LoraConfig } from '../lora';
import { LinearHead } from '../head';
import { DeltaImportError, exportDelta, importDelta, tensorsToData, type DeltaImportErrorCode, type ImportTarget } from '.';
import { TINY_LABELS, TINY_POOLING } from './testing/tinyTask';

const ckpt = readCheckpointDir(TINY_BERT_DIR);
const LORA: LoraConfig = { method: 'lora', r: 2, loraAlpha: 4, loraDropout: 0, targetModules: ['query', 'value'], useRslora: false };
const WEIGHTS = 'adapter_model.safetensors';
const ADAPTER = 'adapter.safetensors';
const CLASSIFIER = 'classifier.safetensors';
const A0 = 'base_model.model.bert.encoder.layer.0.attention.self.query.lora_A.weight';
const UP0 = 'bert.encoder.layer.0.output.adapters.tabtune.adapter_up.weight';

/** The good exports the cases edit, one per layout. */
const CONFIGS = {
  lora: LORA,
  bottleneck: { ...HOULSBY, reductionFactor: 8 },
  prefix: { method: 'prefix', numVirtualTokens: 4, encoderHiddenSize: 16 },
} as const satisfies Record<string, MethodConfig>;
type Good = keyof typeof CONFIGS;
const goods = {} as Record<Good, Uint8Array>;
let good: Uint8Array; // goods.lora

/** A copy of a good zip with its files edited. */
function edit(change: (files: Record<string, Uint8Array>) => void, from: Good = 'lora'): Uint8Array {
  const files = unzipSync(goods[from]);
  change(files);
  return zipSync(files);
}
function editJson(name: string, change: (json: Record<string, any>) => void, from: Good = 'lora'): Uint8Array {
  return edit((files) => {
    const json = JSON.parse(strFromU8(files[name]));
    change(json);
    files[name] = strToU8(JSON.stringify(json));
  }, from);
}
function editTensors(change: (tensors: Record<string, TensorToWrite>) => void, from: Good = 'lora', file = WEIGHTS): Uint8Array {
  return edit((files) => {
    const st = parseSafetensors(files[file].slice().buffer);
    const tensors: Record<string, TensorToWrite> = {};
    for (const [k, v] of st.tensors) tensors[k] = { dtype: 'F32', shape: v.shape, data: tensorData(v) };
    change(tensors);
    files[file] = writeSafetensors(tensors, st.metadata);
  }, from);
}

function importError(zip: Uint8Array, target: ImportTarget = ckpt): DeltaImportError {
  const before = tf.memory().numTensors;
  const copy = zip.slice();
  try {
    importDelta(zip, target);
  } catch (e) {
    expect(e).toBeInstanceOf(DeltaImportError);
    expect(tf.memory().numTensors).toBe(before); // nothing created on the backend
    expect(zip).toEqual(copy); // the input is untouched
    return e as DeltaImportError;
  }
  throw new Error('importDelta accepted a bad zip');
}

describe('importDelta errors', () => {
  beforeAll(async () => {
    await initNodeBackend('cpu');
    for (const [name, config] of Object.entries(CONFIGS) as [Good, MethodConfig][]) {
      const delta = createDelta(ckpt.config, config, 1);
      const head = LinearHead.random(ckpt.config.hiddenSize, TINY_LABELS.length, 1);
      tf.tidy(() => delta.variables.forEach((v) => v.assign(tf.randomNormal(v.shape, 0, 0.1, 'float32', 2))));
      const tensors = await tensorsToData({ ...delta.tensors(), ...head.tensors() });
      delta.dispose();
      head.dispose();
      goods[name] = exportDelta({ task: { name: 'Sentiment', labels: [...TINY_LABELS] }, encoder: ckpt, pooling: TINY_POOLING, config, tensors, createdAt: new Date(0) });
      expect(importDelta(goods[name], ckpt).config).toEqual(config);
    }
    good = goods.lora;
  });

  const cases: Array<[string, () => Uint8Array, DeltaImportErrorCode, RegExp, ImportTarget?]> = [
    ['bytes that are not a zip', () => strToU8('{"not": "a zip"}'), 'not-a-zip', /not a zip/],
    ['an empty file', () => new Uint8Array(0), 'not-a-zip', /not a zip/],
    ['a zip cut in half', () => good.slice(0, good.length >> 1), 'truncated', /cut short/],
    ['a corrupt byte in the weights', () => {
      const bad = good.slice();
      bad[200] ^= 0xff; // inside the first file's deflated data
      return bad;
    }, 'truncated', /damaged/],
    ['a flipped byte that only the CRC-32 catches (an uncompressed entry)', () => {
      const files = unzipSync(good);
      const stored = zipSync(Object.fromEntries(Object.entries(files).map(([k, v]) => [k, [v, { level: 0 }]])));
      const at = stored.length >> 1; // inside the stored bytes of some file
      stored[at] ^= 0x01;
      return stored;
    }, 'truncated', /fails its checksum/],
    ['a zip without tabtune.json (a plain peft folder)', () => edit((f) => delete f['tabtune.json']), 'missing-file', /plain peft adapter/],
    ['a zip without the weights', () => edit((f) => delete f[WEIGHTS]), 'missing-file', /adapter_model\.safetensors/],
    ['a manifest from a newer Tabtune', () => editJson('tabtune.json', (j) => (j.version = 99)), 'newer-version', /Update Tabtune/],
    ['an unknown method', () => editJson('tabtune.json', (j) => (j.method = { method: 'ia3' })), 'unknown-method', /"ia3"/],
    ['a peft setting Tabtune lacks', () => editJson('adapter_config.json', (j) => (j.use_dora = true)), 'bad-config', /use_dora/],
    ['unknown tensor names', () => editTensors((t) => (t['base_model.model.bert.encoder.layer.0.attention.self.key.lora_A.weight'] = t[A0])), 'unknown-keys', /attention\.self\.key/],
    ['a missing tensor', () => editTensors((t) => delete t[A0]), 'missing-tensor', /query\.lora_A/],
    ['a tensor of another shape', () => editTensors((t) => (t[A0] = { dtype: 'F32', shape: [1, 64], data: new Float32Array(64) })), 'bad-shape', /\[1,64\]/],
    ['NaN values', () => editTensors((t) => (t[A0] = { ...t[A0], data: new Float32Array(64).fill(NaN) })), 'non-finite', /NaN/],
    ['Inf values', () => editTensors((t) => (t['base_model.model.classifier.bias'] = { dtype: 'F32', shape: [3], data: Float32Array.of(0, Infinity, 0) })), 'non-finite', /classifier\.bias/],
    ['a corrupt safetensors file', () => edit((f) => (f[WEIGHTS] = f[WEIGHTS].slice(0, 100))), 'corrupt', /safetensors/],
    // AdapterHub and classifier.safetensors layouts
    ['an AdapterHub setting Tabtune lacks', () => editJson('adapter_config.json', (j) => (j.config.use_gating = true), 'bottleneck'), 'bad-config', /use_gating/],
    ['a plain AdapterHub folder', () => edit((f) => delete f['tabtune.json'], 'bottleneck'), 'missing-file', /plain AdapterHub adapter/],
    ['an AdapterHub zip without its classifier', () => edit((f) => delete f[CLASSIFIER], 'bottleneck'), 'missing-file', /classifier\.safetensors/],
    ['an adapter tensor moved into classifier.safetensors', () => edit((f) => {
      const st = parseSafetensors(f[ADAPTER].slice().buffer);
      const head = parseSafetensors(f[CLASSIFIER].slice().buffer);
      const tensors: Record<string, TensorToWrite> = {};
      for (const [k, v] of [...head.tensors, [UP0, st.tensors.get(UP0)!] as const]) tensors[k] = { dtype: 'F32', shape: v.shape, data: tensorData(v) };
      f[CLASSIFIER] = writeSafetensors(tensors);
    }, 'bottleneck'), 'unknown-keys', /classifier\.safetensors holds .*adapter_up/],
    ['an adapter without one of its tensors', () => editTensors((t) => delete t[UP0], 'bottleneck', ADAPTER), 'missing-tensor', /adapter\.safetensors lacks .*layer\.0\.output\.adapters\.tabtune\.adapter_up\.weight/],
    ['a classifier without its bias', () => editTensors((t) => delete t.bias, 'prefix', CLASSIFIER), 'missing-tensor', /classifier\.safetensors lacks the tensor "bias"/],
    ['a P-tuning v2 config in a prefix-tuning zip', () => editJson('adapter_config.json', (j) => (j.prefix_projection = false), 'prefix'), 'bad-config', /P-tuning v2.*not prefix/],
    ['a prefix of the wrong length', () => editTensors((t) => (t.prompt_embeddings = { ...t.prompt_embeddings, shape: [2, 256], data: (t.prompt_embeddings.data as Float32Array).slice(0, 512) }), 'prefix'), 'bad-shape', /prompt_embeddings.*\[4,128\]/],
  ];
  for (const [what, make, code, message] of cases) {
    it(`refuses ${what} (${code})`, () => {
      const e = importError(make());
      expect(e.code).toBe(code);
      expect(e.message).toMatch(message);
    });
  }

  it('refuses another encoder with the same hidden size (other-encoder), naming the one it was trained for', () => {
    const e = importError(good, { ...ckpt, id: 'my-bert', fingerprint: 'f'.repeat(64) });
    expect(e.code).toBe('other-encoder');
    expect(e.message).toMatch(/trained for the encoder "tiny-bert".*"my-bert" has other weights.*Load tiny-bert/);
  });

  it('refuses an encoder of another hidden size (other-encoder)', () => {
    const e = importError(good, { ...ckpt, config: { ...ckpt.config, hiddenSize: 384 } });
    expect(e.code).toBe('other-encoder');
    expect(e.message).toMatch(/hidden size 32.*has hidden size 384/);
  });
});
