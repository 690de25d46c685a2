/**
 * Node-only test helpers: a Checkpoint read straight from a folder on disk (without the real loader, so the
 * encoder's tests do not depend on it) and the golden encoder fixtures of fixtures/encoder/ (see its README).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { BertConfig, Checkpoint, EncodedBatch, PoolingConfig } from '../../types';
import { parseSafetensors, tensorData, type SafetensorsFile } from '../../weights/safetensors';

/** The repository root (vitest runs from it). */
export const REPO_ROOT = resolve(process.cwd());

export const MINILM_DIR = join(REPO_ROOT, 'public/models/all-MiniLM-L6-v2');
export const TINY_BERT_DIR = join(REPO_ROOT, 'fixtures/models/tiny-bert');
/** The tiny BERT in Tabtune's int8 format (convert_model.py; see fixtures/int8/README.md). */
export const TINY_BERT_INT8_DIR = join(REPO_ROOT, 'fixtures/models/tiny-bert-int8');

function readJson(path: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
}

/** Reads config.json, pooling.json (or sentence-transformers' 1_Pooling/config.json) and model.safetensors. */
export function readCheckpointDir(dir: string, id = dir.split('/').pop() ?? dir): Checkpoint {
  const raw = readJson(join(dir, 'config.json'));
  const config: BertConfig = {
    modelType: String(raw.model_type),
    vocabSize: Number(raw.vocab_size),
    hiddenSize: Number(raw.hidden_size),
    numHiddenLayers: Number(raw.num_hidden_layers),
    numAttentionHeads: Number(raw.num_attention_heads),
    intermediateSize: Number(raw.intermediate_size),
    hiddenAct: raw.hidden_act as BertConfig['hiddenAct'],
    maxPositionEmbeddings: Number(raw.max_position_embeddings),
    typeVocabSize: Number(raw.type_vocab_size),
    layerNormEps: Number(raw.layer_norm_eps),
    padTokenId: Number(raw.pad_token_id ?? 0),
  };
  let pooling: PoolingConfig = { mode: 'mean', normalize: true };
  if (existsSync(join(dir, 'pooling.json'))) pooling = readJson(join(dir, 'pooling.json')) as unknown as PoolingConfig;
  else if (existsSync(join(dir, '1_Pooling/config.json'))) {
    const st = readJson(join(dir, '1_Pooling/config.json'));
    const modules = existsSync(join(dir, 'modules.json')) ? readFileSync(join(dir, 'modules.json'), 'utf8') : '';
    pooling = { mode: st.pooling_mode_cls_token ? 'cls' : 'mean', normalize: modules.includes('Normalize') };
  }
  const bytes = readFileSync(join(dir, 'model.safetensors'));
  const file = parseSafetensors(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
  const weights: SafetensorsFile = {
    metadata: file.metadata,
    tensors: new Map([...file.tensors].map(([name, view]) => [name.replace(/^bert\./, ''), view])),
  };
  const tokenizerPath = join(dir, 'tokenizer.json');
  return {
    id,
    config,
    pooling,
    tokenizerJson: existsSync(tokenizerPath) ? readJson(tokenizerPath) : undefined,
    weights,
    quantization: file.metadata['tabtune.quantization'] ? 'int8' : 'f32',
    fingerprint: createHash('sha256').update(bytes).digest('hex'),
    bytes: bytes.byteLength,
  };
}

/** One golden batch: the JSON, the token ids as an EncodedBatch, and the reference tensors (all F32). */
export interface EncoderFixture {
  json: {
    model: string;
    model_file: string;
    model_sha256: string;
    texts: string[];
    attention_mask: number[][];
    batch: number;
    seq_len: number;
    hidden: number;
    min_cosine_vs_original?: number;
    cosine_dequant_vs_original?: number[];
  };
  batch: EncodedBatch;
  tensors: Map<string, Float32Array>;
}

export function readEncoderFixture(name: 'minilm' | 'tiny'): EncoderFixture {
  const dir = join(REPO_ROOT, 'fixtures/encoder');
  const json = readJson(join(dir, `${name}.json`));
  const b = Number(json.batch);
  const s = Number(json.seq_len);
  const flat = (key: string) => Int32Array.from((json[key] as number[][]).flat());
  const batch: EncodedBatch = {
    inputIds: flat('input_ids'),
    attentionMask: flat('attention_mask'),
    tokenTypeIds: flat('token_type_ids'),
    batch: b,
    seqLen: s,
  };
  const bytes = readFileSync(join(dir, String(json.tensors_file)));
  const file = parseSafetensors(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
  const tensors = new Map<string, Float32Array>();
  for (const [k, view] of file.tensors) tensors.set(k, tensorData(view) as Float32Array);
  return { json: json as unknown as EncoderFixture['json'], batch, tensors };
}
