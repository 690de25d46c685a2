/**
 * Export -> import round trip on the tiny f32 BERT (cpu), one row per registry method: a classifier trained 2
 * steps gives identical logits after export, import and loading into a fresh delta; the zip holds the files its
 * library reads (peft, AdapterHub's adapters, plain torch), under the names the library writes (fixtures/).
 */
import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { strFromU8, unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCheckpointDir, REPO_ROOT, TINY_BERT_DIR } from '../../encoder/bert/testing/fixtures';
import { BertWeights } from '../../encoder/bert/weights';
import { WordPieceTokenizer } from '../../encoder/tokenizer';
import { parseSafetensors } from '../../encoder/weights/safetensors';
import { initNodeBackend } from '../../runtime/nodeBackends';
import { PeftClassifier } from '../classifier';
import { LinearHead } from '../head';
import { HOULSBY, LIST_LINEAR } from '../bottleneck';
import { readAdapterFixture } from '../bottleneck/testing/adapterFixtures';
import type { LoraConfig } from '../lora';
import { METHOD_NAMES, type MethodName } from '../method';
import { readLoraFixture } from '../testing/peftFixtures';
import { loadDelta, type MethodConfig } from '../registry';
import { DeltaExportError, dataToTensors, exportDelta, importDelta, tensorsToData, type DeltaExportInput } from '.';
import { TINY_LABELS, TINY_POOLING, TINY_TRAINING, trainTinyClassifier } from './testing/tinyTask';

const ckpt = readCheckpointDir(TINY_BERT_DIR);
const PROMPT_FIXTURES = join(REPO_ROOT, 'fixtures/prompts');
const batch = WordPieceTokenizer.fromJSON(ckpt.tokenizerJson).encodeBatch(TINY_TRAINING.map(([t]) => t));
const labels = TINY_TRAINING.map(([, l]) => l);
/** The fixture's LoRA (peft target_modules ["query", "value", "dense"] without the pooler). */
const LORA: LoraConfig = { method: 'lora', r: 4, loraAlpha: 8, loraDropout: 0.1, targetModules: ['query', 'value', 'attentionOutput', 'intermediate', 'output'], useRslora: false };
const CREATED = new Date('2026-01-02T03:04:05Z');
const PEFT_FILES = ['adapter_config.json', 'adapter_model.safetensors'];
const README_AND_MANIFEST = ['README.md', 'tabtune.json'];
const CLASSIFIER = ['classifier.safetensors'];
/** A peft prompt-learning fixture's adapter_config.json (fixtures/prompts/, as peft 0.17.1 writes it). */
const promptFixtureConfig = (name: string) => JSON.parse(readFileSync(join(PROMPT_FIXTURES, `${name}-tiny.json`), 'utf8')).adapter_config as Record<string, unknown>;

interface Row {
  config: MethodConfig;
  /** Every file in the zip. */
  files: string[];
  /** What the library's config file must hold (partially). */
  libraryConfig?: Record<string, unknown>;
  /** A config file of the same kind written by the library itself: each key Tabtune writes must be one it knows. */
  knownKeys?: () => Record<string, unknown>;
  /** The tensor names of the library's weights file, as the library saves them. */
  weightNames?: () => string[];
  /** A phrase of the README's Python. */
  readme: string;
}

/** One row per method, with small configs (4 virtual tokens; Houlsby at reduction 8 as the AdapterHub fixture). */
const ROWS: Record<MethodName, Row> = {
  head: { config: { method: 'head' }, files: [...CLASSIFIER, ...README_AND_MANIFEST], readme: 'torch.nn.Linear(32, 3)' },
  lora: {
    config: LORA,
    files: [...PEFT_FILES, ...README_AND_MANIFEST],
    libraryConfig: { peft_type: 'LORA', task_type: 'SEQ_CLS', base_model_name_or_path: 'tiny-bert', r: 4, lora_alpha: 8, inference_mode: true, modules_to_save: ['classifier'], bias: 'none' },
    weightNames: () => readLoraFixture().json.peft_state_dict_keys_seq_cls,
    readme: 'PeftModel.from_pretrained(base',
  },
  bottleneck: {
    config: { ...HOULSBY, reductionFactor: 8, scaling: 2 },
    files: ['adapter.safetensors', 'adapter_config.json', ...CLASSIFIER, ...README_AND_MANIFEST],
    libraryConfig: { name: 'tabtune', model_type: 'bert', model_name: 'tiny-bert', hidden_size: 32, version: 'adapters.1.2.0', config: { mh_adapter: true, output_adapter: true, reduction_factor: 8, scaling: 2 } },
    knownKeys: () => readAdapterFixture('houlsby').json.adapter_config.config,
    weightNames: () => readAdapterFixture('houlsby').json.saved_keys_bert_adapter_model.map((k) => k.replace('.adapters.houlsby.', '.adapters.tabtune.')),
    readme: 'load_adapter("path/to/this/folder", use_safetensors=True)',
  },
  prefix: {
    config: { method: 'prefix', numVirtualTokens: 4, encoderHiddenSize: 16 },
    files: [...PEFT_FILES, ...CLASSIFIER, ...README_AND_MANIFEST],
    libraryConfig: { peft_type: 'PREFIX_TUNING', task_type: 'FEATURE_EXTRACTION', inference_mode: true, num_virtual_tokens: 4, prefix_projection: true },
    knownKeys: () => promptFixtureConfig('prefix'),
    weightNames: () => ['prompt_embeddings'],
    readme: 'PeftModel.from_pretrained(AutoModel',
  },
  ptuningV2: {
    config: { method: 'ptuningV2', numVirtualTokens: 4 },
    files: [...PEFT_FILES, ...CLASSIFIER, ...README_AND_MANIFEST],
    libraryConfig: { peft_type: 'PREFIX_TUNING', task_type: 'FEATURE_EXTRACTION', prefix_projection: false },
    knownKeys: () => promptFixtureConfig('ptuning-v2'),
    weightNames: () => ['prompt_embeddings'],
    readme: 'PeftModel.from_pretrained(AutoModel',
  },
  prompt: {
    config: { method: 'prompt', numVirtualTokens: 4, promptTuningInit: 'RANDOM', promptTuningInitText: 'Classify the text:' },
    files: [...PEFT_FILES, ...CLASSIFIER, ...README_AND_MANIFEST],
    libraryConfig: { peft_type: 'PROMPT_TUNING', task_type: 'FEATURE_EXTRACTION', num_virtual_tokens: 4 },
    knownKeys: () => promptFixtureConfig('prompt'),
    weightNames: () => ['prompt_embeddings'],
    readme: 'virtual = hidden.shape[1] - mask.shape[1]',
  },
  ptuning: {
    config: { method: 'ptuning', numVirtualTokens: 4, encoderReparameterizationType: 'LSTM', encoderHiddenSize: 16, encoderNumLayers: 2, encoderDropout: 0 },
    files: [...PEFT_FILES, ...CLASSIFIER, ...README_AND_MANIFEST],
    libraryConfig: { peft_type: 'P_TUNING', task_type: 'FEATURE_EXTRACTION', encoder_reparameterization_type: 'LSTM', encoder_hidden_size: 16 },
    knownKeys: () => promptFixtureConfig('ptuning-lstm'),
    weightNames: () => ['prompt_embeddings'],
    readme: 'virtual = hidden.shape[1] - mask.shape[1]',
  },
};

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

  for (const method of METHOD_NAMES) {
    const row = ROWS[method];
    it(`${method}: export -> import -> a fresh delta gives identical logits`, async () => {
      const { clf, zip } = await trained(row.config);
      const imported = importDelta(zip, ckpt);
      expect(imported.config).toEqual(row.config);
      expect(imported.task.labels).toEqual(TINY_LABELS);
      expect(imported.metrics).toEqual({ accuracy: 0.75 });
      const saved = dataToTensors(imported.tensors);
      const loaded = new PeftClassifier(weights, imported.encoder.pooling, loadDelta(ckpt.config, imported.config, saved), LinearHead.load(saved));
      tf.dispose(Object.values(saved));
      expect(await values(loaded.logits(batch))).toEqual(await values(clf.logits(batch)));
      loaded.dispose();
    });

    it(`${method}: writes the files its library reads, under the library's names`, async () => {
      const { zip } = await trained(row.config);
      const files = unzipSync(zip);
      expect(Object.keys(files).sort()).toEqual([...row.files].sort());
      const manifest = JSON.parse(strFromU8(files['tabtune.json']));
      expect(manifest).toMatchObject({ version: 1, createdAt: CREATED.toISOString(), encoder: { id: 'tiny-bert', fingerprint: ckpt.fingerprint, hiddenSize: 32 }, method: row.config });
      for (const file of Object.values(manifest.files) as string[]) expect(files).toHaveProperty([file]);
      if (row.libraryConfig) {
        const cfg = JSON.parse(strFromU8(files['adapter_config.json']));
        expect(cfg).toMatchObject(row.libraryConfig);
        expect(cfg).not.toHaveProperty('peft_version'); // peft 0.17.1 warns "upgrade peft" on it; tabtune.json has it
        const known = row.knownKeys?.();
        if (known) expect(Object.keys(cfg.config ?? cfg).filter((k) => !(k in known))).toEqual([]);
      }
      const weightsFile = row.files.find((f) => f !== 'classifier.safetensors' && f.endsWith('.safetensors'));
      if (row.weightNames && weightsFile) {
        const st = parseSafetensors(files[weightsFile].slice().buffer);
        expect(st.metadata).toEqual({ format: 'pt' });
        expect([...st.tensors.keys()].sort()).toEqual([...row.weightNames()].sort());
      }
      if (files['classifier.safetensors']) {
        const st = parseSafetensors(files['classifier.safetensors'].slice().buffer);
        expect(Object.fromEntries([...st.tensors].map(([k, v]) => [k, v.shape]))).toEqual({ weight: [3, 32], bias: [3] });
      }
      expect(strFromU8(files['README.md'])).toContain(row.readme);
    });
  }

  it('bottleneck: writes a whole-number scaling as a float, which AdapterHub requires', async () => {
    const { zip } = await trained(ROWS.bottleneck.config);
    expect(strFromU8(unzipSync(zip)['adapter_config.json'])).toMatch(/"scaling": 2\.0,/);
  });

  it('gives the same bytes for the same input', async () => {
    const { input, zip } = await trained(LORA);
    expect(exportDelta(input)).toEqual(zip);
  });

  it('refuses an unknown method, a config its library cannot hold, and tensors that do not fit', async () => {
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
    expect(code(() => exportDelta({ ...input, config: { method: 'not-a-method' } as unknown as MethodConfig }))).toBe('bad-input');
    expect(code(() => exportDelta({ ...input, config: LIST_LINEAR }))).toBe('unsupported-config'); // bias-free: no AdapterHub form
    expect(code(() => exportDelta({ ...input, task: { ...input.task, labels: ['a', 'b'] } }))).toBe('bad-input');
    const nan = Object.fromEntries(Object.entries(input.tensors).map(([k, t]) => [k, { shape: t.shape, data: t.data.map(() => NaN) }]));
    expect(code(() => exportDelta({ ...input, tensors: nan }))).toBe('bad-input');
  });
});
