/**
 * importDelta refuses every kind of bad zip with its DeltaImportError code, and leaves nothing behind: crafted
 * from one good LoRA export on the tiny BERT (corrupt bytes, truncation, another encoder, edited files).
 */
import * as tf from '@tensorflow/tfjs';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';
import { readCheckpointDir, TINY_BERT_DIR } from '../../encoder/bert/testing/fixtures';
import { parseSafetensors, tensorData, writeSafetensors, type TensorToWrite } from '../../encoder/weights/safetensors';
import { initNodeBackend } from '../../runtime/nodeBackends';
import { createDelta } from '../registry';
import type { LoraConfig } from '../lora';
import { LinearHead } from '../head';
import { DeltaImportError, exportDelta, importDelta, tensorsToData, type DeltaImportErrorCode, type ImportTarget } from '.';
import { TINY_LABELS, TINY_POOLING } from './testing/tinyTask';

const ckpt = readCheckpointDir(TINY_BERT_DIR);
const LORA: LoraConfig = { method: 'lora', r: 2, loraAlpha: 4, loraDropout: 0, targetModules: ['query', 'value'], useRslora: false };
const WEIGHTS = 'adapter_model.safetensors';
const A0 = 'base_model.model.bert.encoder.layer.0.attention.self.query.lora_A.weight';

let good: Uint8Array;

/** A copy of the good zip with its files edited. */
function edit(change: (files: Record<string, Uint8Array>) => void): Uint8Array {
  const files = unzipSync(good);
  change(files);
  return zipSync(files);
}
function editJson(name: string, change: (json: Record<string, any>) => void): Uint8Array {
  return edit((files) => {
    const json = JSON.parse(strFromU8(files[name]));
    change(json);
    files[name] = strToU8(JSON.stringify(json));
  });
}
function editTensors(change: (tensors: Record<string, TensorToWrite>) => void): Uint8Array {
  return edit((files) => {
    const st = parseSafetensors(files[WEIGHTS].slice().buffer);
    const tensors: Record<string, TensorToWrite> = {};
    for (const [k, v] of st.tensors) tensors[k] = { dtype: 'F32', shape: v.shape, data: tensorData(v) };
    change(tensors);
    files[WEIGHTS] = writeSafetensors(tensors, st.metadata);
  });
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
    const delta = createDelta(ckpt.config, LORA, 1);
    const head = LinearHead.random(ckpt.config.hiddenSize, TINY_LABELS.length, 1);
    tf.tidy(() => delta.variables.forEach((v) => v.assign(tf.randomNormal(v.shape, 0, 0.1, 'float32', 2))));
    const tensors = await tensorsToData({ ...delta.tensors(), ...head.tensors() });
    delta.dispose();
    head.dispose();
    good = exportDelta({ task: { name: 'Sentiment', labels: [...TINY_LABELS] }, encoder: ckpt, pooling: TINY_POOLING, config: LORA, tensors, createdAt: new Date(0) });
    expect(importDelta(good, ckpt).config).toEqual(LORA);
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
