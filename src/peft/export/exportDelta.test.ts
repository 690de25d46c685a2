/**
 * Export -> import round trip on the tiny f32 BERT (cpu): a LoRA classifier trained 2 steps gives identical
 * logits after export, import and loading into a fresh delta; the zip holds what peft reads, under peft's names.
 */
import * as tf from '@tensorflow/tfjs';
import { strFromU8, unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCheckpointDir, TINY_BERT_DIR } from '../../encoder/bert/testing/fixtures';
import { BertWeights } from '../../encoder/bert/weights';
import { WordPieceTokenizer } from '../../encoder/tokenizer';
import { parseSafetensors } from '../../encoder/weights/safetensors';
import { initNodeBackend } from '../../runtime/nodeBackends';
import { PeftClassifier } from '../classifier';
import { LinearHead } from '../head';
import type { LoraConfig } from '../lora';
import { readLoraFixture } from '../testing/peftFixtures';
import { loadDelta, type MethodConfig } from '../registry';
import { DeltaExportError, dataToTensors, exportDelta, importDelta, tensorsToData, type DeltaExportInput } from '.';
import { TINY_LABELS, TINY_POOLING, TINY_TRAINING, trainTinyClassifier } from './testing/tinyTask';

const ckpt = readCheckpointDir(TINY_BERT_DIR);
const batch = WordPieceTokenizer.fromJSON(ckpt.tokenizerJson).encodeBatch(TINY_TRAINING.map(([t]) => t));
const labels = TINY_TRAINING.map(([, l]) => l);
/** The fixture's LoRA (peft target_modules ["query", "value", "dense"] without the pooler). */
const LORA: LoraConfig = { method: 'lora', r: 4, loraAlpha: 8, loraDropout: 0.1, targetModules: ['query', 'value', 'attentionOutput', 'intermediate', 'output'], useRslora: false };
const CREATED = new Date('2026-01-02T03:04:05Z');

async function values(t: tf.Tensor): Promise<Float32Array> {
  const v = (await t.data()) as Float32Array;
  t.dispose();
  return v;
}

describe('exportDelta / importDelta', () => {
  let weights: BertWeights;
  const exported = new Map<string, { clf: PeftClassifier; input: DeltaExportInput; zip: Uint8Array }>();

  async function trained(config: MethodConfig) {
    const known = exported.get(config.method);
    if (known) return known;
    const clf = trainTinyClassifier(weights, ckpt.config, config, batch, labels, 2);
    const input: DeltaExportInput = {
      task: { name: 'Sentiment', labels: [...TINY_LABELS], descriptions: ['It was great.', 'It was bad.', 'It was a fact.'] },
      encoder: ckpt,
      pooling: TINY_POOLING,
      config,
      tensors: await tensorsToData(clf.tensors()),
      metrics: { accuracy: 0.75 },
      createdAt: CREATED,
    };
    const entry = { clf, input, zip: exportDelta(input) };
    exported.set(config.method, entry);
    return entry;
  }

  beforeAll(async () => {
    await initNodeBackend('cpu');
    weights = BertWeights.fromCheckpoint(ckpt);
  });
  afterAll(() => {
    for (const { clf } of exported.values()) clf.dispose();
    weights?.dispose();
  });

  for (const config of [LORA, { method: 'head' } as const]) {
    it(`${config.method}: export -> import -> a fresh delta gives identical logits`, async () => {
      const { clf, zip } = await trained(config);
      const imported = importDelta(zip, ckpt);
      expect(imported.config).toEqual(config);
      expect(imported.task.labels).toEqual(TINY_LABELS);
      expect(imported.metrics).toEqual({ accuracy: 0.75 });
      const saved = dataToTensors(imported.tensors);
      const loaded = new PeftClassifier(weights, imported.encoder.pooling, loadDelta(ckpt.config, imported.config, saved), LinearHead.load(saved));
      tf.dispose(Object.values(saved));
      expect(await values(loaded.logits(batch))).toEqual(await values(clf.logits(batch)));
      loaded.dispose();
    });
  }

  it('lora: writes adapter_config.json and safetensors as peft saves them for BertForSequenceClassification', async () => {
    const { zip } = await trained(LORA);
    const files = unzipSync(zip);
    expect(Object.keys(files).sort()).toEqual(['README.md', 'adapter_config.json', 'adapter_model.safetensors', 'tabtune.json']);
    const cfg = JSON.parse(strFromU8(files['adapter_config.json']));
    expect(cfg).toMatchObject({ peft_type: 'LORA', task_type: 'SEQ_CLS', base_model_name_or_path: 'tiny-bert', r: 4, lora_alpha: 8, inference_mode: true, modules_to_save: ['classifier'], bias: 'none' });
    expect(cfg).not.toHaveProperty('peft_version'); // peft 0.17.1 warns "upgrade peft" on it; tabtune.json has it
    const st = parseSafetensors(files['adapter_model.safetensors'].slice().buffer);
    expect(st.metadata).toEqual({ format: 'pt' });
    expect([...st.tensors.keys()].sort()).toEqual([...readLoraFixture().json.peft_state_dict_keys_seq_cls].sort());
    const manifest = JSON.parse(strFromU8(files['tabtune.json']));
    expect(manifest).toMatchObject({ version: 1, createdAt: CREATED.toISOString(), encoder: { id: 'tiny-bert', fingerprint: ckpt.fingerprint, hiddenSize: 32 }, method: LORA, libraryVersion: '0.17.1' });
    expect(strFromU8(files['README.md'])).toContain('PeftModel.from_pretrained');
  });

  it('head: writes classifier.safetensors as a torch.nn.Linear state dict', async () => {
    const { zip } = await trained({ method: 'head' });
    const files = unzipSync(zip);
    expect(Object.keys(files).sort()).toEqual(['README.md', 'classifier.safetensors', 'tabtune.json']);
    const st = parseSafetensors(files['classifier.safetensors'].slice().buffer);
    expect(Object.fromEntries([...st.tensors].map(([k, v]) => [k, v.shape]))).toEqual({ weight: [3, 32], bias: [3] });
    expect(strFromU8(files['README.md'])).toContain('torch.nn.Linear(32, 3)');
  });

  it('gives the same bytes for the same input', async () => {
    const { input, zip } = await trained(LORA);
    expect(exportDelta(input)).toEqual(zip);
  });

  it('refuses a method without a format, and tensors that do not fit', async () => {
    const { input } = await trained(LORA);
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(DeltaExportError);
        return (e as DeltaExportError).code;
      }
      return 'no error';
    };
    expect(code(() => exportDelta({ ...input, config: { method: 'not-a-method' } as unknown as MethodConfig }))).toBe('no-format');
    expect(code(() => exportDelta({ ...input, task: { ...input.task, labels: ['a', 'b'] } }))).toBe('bad-input');
    const nan = Object.fromEntries(Object.entries(input.tensors).map(([k, t]) => [k, { shape: t.shape, data: t.data.map(() => NaN) }]));
    expect(code(() => exportDelta({ ...input, tensors: nan }))).toBe('bad-input');
  });
});
