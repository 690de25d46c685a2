/**
 * Reads a Hugging Face `config.json` into our BertConfig, refusing anything our BERT forward cannot run.
 *
 * Accepted: model_type "bert" — this covers BERT, MiniLM (all-MiniLM-L6-v2), bge and e5, which all publish
 * model_type "bert" — with any Bert* head class in `architectures` (BertModel, BertForMaskedLM,
 * BertForSequenceClassification, ...). Rejected with 'unsupported-architecture': roberta, distilbert, gpt2, and
 * every other model_type, as well as BERT variants whose forward differs from ours (relative position
 * embeddings, decoders, unknown activations).
 */
import type { BertConfig } from '../types';
import { ModelLoadError } from '../errors';

const CONFIG_FILE = 'config.json';
const HIDDEN_ACTS = { gelu: 'gelu', gelu_python: 'gelu', gelu_new: 'gelu_new', relu: 'relu' } as const;
const SUPPORTED_HINT =
  'Tabtune runs only BERT-family encoders (BERT, MiniLM, bge, e5 — checkpoints whose config.json says model_type "bert"). Pick such a model.';

/** Parses and validates config.json. `where` names the source for messages. */
export function parseBertConfig(json: unknown, where: string): BertConfig {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw mismatch(`config.json of ${where} is not a JSON object. Re-download the checkpoint.`);
  }
  const raw = json as Record<string, unknown>;
  const modelType = resolveModelType(raw, where);

  const hiddenAct = HIDDEN_ACTS[String(raw.hidden_act ?? 'gelu') as keyof typeof HIDDEN_ACTS];
  if (!hiddenAct) {
    throw unsupported(`config.json of ${where} uses hidden_act "${String(raw.hidden_act)}", which Tabtune's BERT does not implement (gelu, gelu_new or relu).`);
  }
  const positionType = raw.position_embedding_type ?? 'absolute';
  if (positionType !== 'absolute') {
    throw unsupported(`config.json of ${where} uses position_embedding_type "${String(positionType)}"; only "absolute" is supported. ${SUPPORTED_HINT}`);
  }
  if (raw.is_decoder === true || raw.add_cross_attention === true) {
    throw unsupported(`config.json of ${where} describes a BERT decoder; Tabtune needs an encoder. ${SUPPORTED_HINT}`);
  }

  const int = (key: string, fallback?: number): number => {
    const value = raw[key] ?? fallback;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
      throw mismatch(`config.json of ${where} has ${value === undefined ? 'no' : `an invalid (${JSON.stringify(value)})`} "${key}"; it must be a non-negative integer. Re-export the checkpoint with transformers.`);
    }
    return value;
  };
  const config: BertConfig = {
    modelType,
    vocabSize: int('vocab_size'),
    hiddenSize: int('hidden_size'),
    numHiddenLayers: int('num_hidden_layers'),
    numAttentionHeads: int('num_attention_heads'),
    intermediateSize: int('intermediate_size'),
    hiddenAct,
    maxPositionEmbeddings: int('max_position_embeddings', 512),
    typeVocabSize: int('type_vocab_size', 2),
    layerNormEps: typeof raw.layer_norm_eps === 'number' && raw.layer_norm_eps > 0 ? raw.layer_norm_eps : 1e-12,
    padTokenId: int('pad_token_id', 0),
  };
  if (config.hiddenSize === 0 || config.numAttentionHeads === 0 || config.hiddenSize % config.numAttentionHeads !== 0) {
    throw mismatch(`config.json of ${where}: hidden_size ${config.hiddenSize} is not a positive multiple of num_attention_heads ${config.numAttentionHeads}.`);
  }
  return config;
}

/** model_type decides; an old config without it is judged by its `architectures`. */
function resolveModelType(raw: Record<string, unknown>, where: string): string {
  const architectures = Array.isArray(raw.architectures) ? raw.architectures.map(String) : [];
  const modelType = typeof raw.model_type === 'string' ? raw.model_type : undefined;
  if (modelType !== undefined) {
    if (modelType !== 'bert') {
      throw unsupported(`config.json of ${where} has model_type "${modelType}", which Tabtune cannot run. ${SUPPORTED_HINT}`);
    }
  } else if (architectures.length === 0) {
    throw unsupported(`config.json of ${where} has neither model_type nor architectures, so its model family is unknown. ${SUPPORTED_HINT}`);
  }
  const foreign = architectures.find((name) => !name.startsWith('Bert'));
  if (foreign !== undefined) {
    throw unsupported(`config.json of ${where} names architecture "${foreign}", which is not a BERT model. ${SUPPORTED_HINT}`);
  }
  return 'bert';
}

function unsupported(message: string): ModelLoadError {
  return new ModelLoadError('unsupported-architecture', message, CONFIG_FILE);
}

function mismatch(message: string): ModelLoadError {
  return new ModelLoadError('config-mismatch', message, CONFIG_FILE);
}
