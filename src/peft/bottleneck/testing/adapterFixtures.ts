/** Node-only: the golden bottleneck-adapter fixtures of fixtures/adapters/ (see its README), for the parity tests. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../../encoder/bert/testing/fixtures';
import type { EncodedBatch } from '../../../encoder/types';
import { parseSafetensors, tensorData } from '../../../encoder/weights/safetensors';

/** The cases golden_adapters.py writes: AdapterHub's DoubleSeqBnConfig, SeqBnConfig and a BnConfig of other options. */
export const ADAPTER_CASES = ['houlsby', 'pfeiffer', 'mixed'] as const;
export type AdapterCase = (typeof ADAPTER_CASES)[number];

export interface AdapterFixture {
  json: {
    case: AdapterCase;
    adapter_name: string;
    model_sha256: string;
    versions: Record<'adapters' | 'torch' | 'transformers', string>;
    /** adapter_config.json as save_adapter writes it. */
    adapter_config: Record<string, unknown> & { config: Record<string, unknown>; name: string };
    saved_files_safetensors: string[];
    saved_files_bin: string[];
    saved_keys_bert_model: string[];
    saved_keys_bert_model_bin: string[];
    saved_keys_bert_adapter_model: string[];
    bottleneck_size: number;
    head: { classes: number; normalize: boolean };
    labels: number[];
    loss: number;
    adamw: { lr: number; betas: [number, number]; eps: number; weight_decay: number; steps: number };
    adamw_losses: number[];
    trainable: string[];
  };
  batch: EncodedBatch;
  tensors: Map<string, { data: Float32Array; shape: number[] }>;
}

export function readAdapterFixture(name: AdapterCase): AdapterFixture {
  const dir = join(REPO_ROOT, 'fixtures/adapters');
  const json = JSON.parse(readFileSync(join(dir, `${name}-tiny.json`), 'utf8'));
  const flat = (key: string) => Int32Array.from((json[key] as number[][]).flat());
  const batch: EncodedBatch = {
    inputIds: flat('input_ids'),
    attentionMask: flat('attention_mask'),
    tokenTypeIds: flat('token_type_ids'),
    batch: json.batch,
    seqLen: json.seq_len,
  };
  const bytes = readFileSync(join(dir, json.tensors_file));
  const file = parseSafetensors(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
  const tensors = new Map<string, { data: Float32Array; shape: number[] }>();
  for (const [k, view] of file.tensors) tensors.set(k, { data: tensorData(view) as Float32Array, shape: view.shape });
  return { json, batch, tensors };
}
