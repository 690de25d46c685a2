/** Node-only: the golden PEFT fixtures of fixtures/peft/ (see its README), read for the parity tests. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../encoder/bert/testing/fixtures';
import type { EncodedBatch } from '../../encoder/types';
import { parseSafetensors, tensorData } from '../../encoder/weights/safetensors';

export interface LoraFixture {
  json: {
    model_sha256: string;
    lora_config: { r: number; lora_alpha: number; lora_dropout: number; target_modules: string[]; exclude_modules: string[]; use_rslora: boolean };
    scaling: number;
    head: { classes: number; normalize: boolean };
    labels: number[];
    loss: number;
    adamw: { lr: number; betas: [number, number]; eps: number; weight_decay: number; steps: number };
    adamw_losses: number[];
    trainable: string[];
    peft_state_dict_keys: string[];
    peft_state_dict_keys_without_exclude: string[];
    peft_state_dict_keys_seq_cls: string[];
  };
  batch: EncodedBatch;
  tensors: Map<string, { data: Float32Array; shape: number[] }>;
}

export function readLoraFixture(): LoraFixture {
  const dir = join(REPO_ROOT, 'fixtures/peft');
  const json = JSON.parse(readFileSync(join(dir, 'lora-tiny.json'), 'utf8'));
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
