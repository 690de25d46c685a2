/**
 * Test-only: builds a complete, tiny BERT checkpoint in memory (config.json, tokenizer.json, model.safetensors and
 * optional extras), so loader tests need no fixture on disk and can break one thing at a time.
 * The tensor list is written out here on purpose, independently of validateWeights.ts, so a wrong expectation
 * there cannot hide behind the same wrong expectation here.
 */
import { createHash } from 'node:crypto';
import { writeSafetensors, type TensorToWrite } from '../../weights/safetensors';

/** config.json of the tiny model: 2 layers, hidden 8, 2 heads, vocabulary 16. */
export const TINY_CONFIG = {
  architectures: ['BertModel'],
  model_type: 'bert',
  vocab_size: 16,
  hidden_size: 8,
  num_hidden_layers: 2,
  num_attention_heads: 2,
  intermediate_size: 12,
  hidden_act: 'gelu',
  max_position_embeddings: 10,
  type_vocab_size: 2,
  layer_norm_eps: 1e-12,
  pad_token_id: 0,
  position_embedding_type: 'absolute',
};

export interface TinyCheckpointOptions {
  /** Replaces or adds config.json keys (the tensors still follow TINY_CONFIG). */
  config?: Record<string, unknown>;
  /** Tensor name prefix: '' (BertModel, the default) or 'bert.' (BertForMaskedLM and friends). */
  prefix?: '' | 'bert.';
  /** Writes Tabtune's int8 format (docs/int8-format.md) instead of f32. */
  int8?: boolean;
  /** Adds pooling.json, or sentence-transformers' modules.json + 1_Pooling/config.json. */
  pooling?: { mode: 'mean' | 'cls'; normalize: boolean } | { sentenceTransformers: 'mean' | 'cls' | 'max'; normalize: boolean };
  /** Adds manifest.json with the sha256 of every other file. */
  manifest?: boolean;
}

export function makeTinyCheckpointFiles(opts: TinyCheckpointOptions = {}): Record<string, ArrayBuffer> {
  const c = TINY_CONFIG;
  const shapes: Record<string, number[]> = {
    'embeddings.word_embeddings.weight': [c.vocab_size, c.hidden_size],
    'embeddings.position_embeddings.weight': [c.max_position_embeddings, c.hidden_size],
    'embeddings.token_type_embeddings.weight': [c.type_vocab_size, c.hidden_size],
    'embeddings.LayerNorm.weight': [c.hidden_size],
    'embeddings.LayerNorm.bias': [c.hidden_size],
    'pooler.dense.weight': [c.hidden_size, c.hidden_size],
    'pooler.dense.bias': [c.hidden_size],
  };
  for (let l = 0; l < c.num_hidden_layers; l++) {
    const p = `encoder.layer.${l}`;
    for (const part of ['attention.self.query', 'attention.self.key', 'attention.self.value', 'attention.output.dense']) {
      shapes[`${p}.${part}.weight`] = [c.hidden_size, c.hidden_size];
      shapes[`${p}.${part}.bias`] = [c.hidden_size];
    }
    shapes[`${p}.intermediate.dense.weight`] = [c.intermediate_size, c.hidden_size];
    shapes[`${p}.intermediate.dense.bias`] = [c.intermediate_size];
    shapes[`${p}.output.dense.weight`] = [c.hidden_size, c.intermediate_size];
    shapes[`${p}.output.dense.bias`] = [c.hidden_size];
    for (const ln of ['attention.output.LayerNorm', 'output.LayerNorm']) {
      shapes[`${p}.${ln}.weight`] = [c.hidden_size];
      shapes[`${p}.${ln}.bias`] = [c.hidden_size];
    }
  }
  const tensors: Record<string, TensorToWrite> = {};
  let seed = 1;
  const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5) * 0.2;
  for (const [name, shape] of Object.entries(shapes)) {
    const count = shape.reduce((a, b) => a * b, 1);
    const key = `${opts.prefix ?? ''}${name}`;
    if (opts.int8 && shape.length === 2) {
      tensors[key] = { dtype: 'I8', shape, data: Int8Array.from({ length: count }, (_, k) => (k % 255) - 127) };
      tensors[`${key}_scale`] = { dtype: 'F32', shape: [shape[0]], data: new Float32Array(shape[0]).fill(0.01) };
    } else {
      tensors[key] = { dtype: 'F32', shape, data: Float32Array.from({ length: count }, random) };
    }
  }
  const metadata: Record<string, string> = opts.int8
    ? { format: 'pt', 'tabtune.quantization': 'int8-symmetric-per-row', 'tabtune.source': 'tiny test' }
    : { format: 'pt' };

  const files: Record<string, ArrayBuffer> = {
    'config.json': jsonBytes({ ...TINY_CONFIG, ...opts.config }),
    'tokenizer.json': jsonBytes(tinyTokenizer()),
    'model.safetensors': bytesOf(writeSafetensors(tensors, metadata)),
  };
  const pooling = opts.pooling;
  if (pooling && 'mode' in pooling) files['pooling.json'] = jsonBytes(pooling);
  if (pooling && 'sentenceTransformers' in pooling) {
    const modules = [
      { idx: 0, name: '0', path: '', type: 'sentence_transformers.models.Transformer' },
      { idx: 1, name: '1', path: '1_Pooling', type: 'sentence_transformers.models.Pooling' },
    ];
    if (pooling.normalize) modules.push({ idx: 2, name: '2', path: '2_Normalize', type: 'sentence_transformers.models.Normalize' });
    files['modules.json'] = jsonBytes(modules);
    files['1_Pooling/config.json'] = jsonBytes({
      word_embedding_dimension: c.hidden_size,
      pooling_mode_cls_token: pooling.sentenceTransformers === 'cls',
      pooling_mode_mean_tokens: pooling.sentenceTransformers === 'mean',
      pooling_mode_max_tokens: pooling.sentenceTransformers === 'max',
      pooling_mode_mean_sqrt_len_tokens: false,
    });
  }
  if (opts.manifest) files['manifest.json'] = makeManifest(files);
  return files;
}

/** manifest.json bytes listing the given files with their sizes and sha256. */
export function makeManifest(files: Record<string, ArrayBuffer>): ArrayBuffer {
  const entries: Record<string, { bytes: number; sha256: string }> = {};
  for (const [name, data] of Object.entries(files)) {
    if (name === 'manifest.json') continue;
    entries[name] = { bytes: data.byteLength, sha256: createHash('sha256').update(new Uint8Array(data)).digest('hex') };
  }
  return jsonBytes({ files: entries });
}

/** sha256 hex, computed with node:crypto (independently of the loader's crypto.subtle). */
export function sha256OfBytes(data: ArrayBuffer): string {
  return createHash('sha256').update(new Uint8Array(data)).digest('hex');
}

export function jsonBytes(value: unknown): ArrayBuffer {
  return bytesOf(new TextEncoder().encode(JSON.stringify(value)));
}

function bytesOf(view: Uint8Array): ArrayBuffer {
  return view.buffer.slice(view.byteOffset, view.byteOffset + view.byteLength) as ArrayBuffer;
}

/** A WordPiece tokenizer.json with 16 tokens, the shape transformers writes for BERT. */
function tinyTokenizer(): unknown {
  const tokens = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', 'the', 'a', 'good', 'bad', 'movie', 'was', '##s', 'is', 'not', '.', '!'];
  return {
    version: '1.0',
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab: Object.fromEntries(tokens.map((t, i) => [t, i])) },
  };
}
