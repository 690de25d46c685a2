/**
 * The shapes that the encoder's parts hand each other: loader -> checkpoint -> tokenizer + BERT forward.
 * Plain data only, so a checkpoint can be built in Node tests as easily as in the worker.
 */
import type { SafetensorsFile } from './weights/safetensors';

/** The subset of a Hugging Face BERT-family `config.json` that the forward pass reads. */
export interface BertConfig {
  modelType: string; // "bert" (also accepted: "roberta"-free BERT-likes are rejected by the loader)
  vocabSize: number;
  hiddenSize: number;
  numHiddenLayers: number;
  numAttentionHeads: number;
  intermediateSize: number;
  hiddenAct: 'gelu' | 'gelu_new' | 'relu';
  maxPositionEmbeddings: number;
  typeVocabSize: number;
  layerNormEps: number;
  padTokenId: number;
}

/** How sentence embeddings are made from token states (sentence-transformers' 1_Pooling/config.json). */
export interface PoolingConfig {
  mode: 'mean' | 'cls';
  /** sentence-transformers adds a Normalize module for all-MiniLM-L6-v2; we normalise when true. */
  normalize: boolean;
}

/** Everything read from a checkpoint's files, before any tensor is placed on a backend. */
export interface Checkpoint {
  /** Stable name: the Hub id or the local folder's id (e.g. "all-MiniLM-L6-v2"). */
  id: string;
  config: BertConfig;
  pooling: PoolingConfig;
  /** The parsed tokenizer.json. */
  tokenizerJson: unknown;
  /** Tensors, with the "bert." prefix (if any) stripped from names. Int8 tensors carry `<name>_scale` beside them. */
  weights: SafetensorsFile;
  /** "int8" when the weights are our int8 weight-only quantisation, else "f32" (f16/bf16 are widened). */
  quantization: 'int8' | 'f32';
  /** sha256 (hex) of model.safetensors: identifies the exact encoder a delta was trained on. */
  fingerprint: string;
  /** Total bytes of the files read. */
  bytes: number;
}

/** Progress of a load, in bytes over all files. `total` is 0 while unknown. */
export interface LoadProgress {
  file: string;
  loaded: number;
  total: number;
  fromCache: boolean;
}

/** Token ids for a batch, padded to the longest row. All arrays are [batch * seqLen], row-major. */
export interface EncodedBatch {
  inputIds: Int32Array;
  attentionMask: Int32Array;
  tokenTypeIds: Int32Array;
  batch: number;
  seqLen: number;
}
