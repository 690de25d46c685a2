/**
 * Prompt tuning and P-tuning configs <-> peft's adapter_config.json (PROMPT_TUNING, P_TUNING), written for
 * task_type FEATURE_EXTRACTION on a BertModel: Tabtune pools the last hidden states itself, as that task does.
 */
import { PROMPT_TUNING_DEFAULTS, PTUNING_DEFAULTS, type PromptTuningConfig, type PtuningConfig } from './config';

export interface PeftPromptTuningAdapterConfig {
  peft_type: 'PROMPT_TUNING';
  task_type: 'FEATURE_EXTRACTION';
  num_virtual_tokens: number;
  /** peft 0.17 knows RANDOM and TEXT; SAMPLE_VOCAB is written as RANDOM (the init does not matter once trained). */
  prompt_tuning_init: 'RANDOM' | 'TEXT';
  prompt_tuning_init_text: string | null;
  tokenizer_name_or_path: string | null;
}

export interface PeftPtuningAdapterConfig {
  peft_type: 'P_TUNING';
  task_type: 'FEATURE_EXTRACTION';
  num_virtual_tokens: number;
  encoder_reparameterization_type: 'MLP' | 'LSTM';
  encoder_hidden_size: number;
  encoder_num_layers: number;
  encoder_dropout: number;
}

/** `tokenizer` names the encoder's tokenizer (peft needs it for TEXT init); omitted, TEXT is written as RANDOM. */
export function promptTuningToPeft(c: PromptTuningConfig, tokenizer?: string): PeftPromptTuningAdapterConfig {
  const text = c.promptTuningInit === 'TEXT' && tokenizer !== undefined;
  return {
    peft_type: 'PROMPT_TUNING',
    task_type: 'FEATURE_EXTRACTION',
    num_virtual_tokens: c.numVirtualTokens,
    prompt_tuning_init: text ? 'TEXT' : 'RANDOM',
    prompt_tuning_init_text: text ? c.promptTuningInitText : null,
    tokenizer_name_or_path: text ? tokenizer : null,
  };
}

function positiveInt(json: Record<string, unknown>, key: string, fallback: number): number {
  const v = json[key] ?? fallback;
  if (!(typeof v === 'number' && Number.isInteger(v) && v >= 1)) throw new Error(`adapter_config.json: "${key}" must be a positive integer, got ${JSON.stringify(v)}.`);
  return v;
}

function checkSingleModule(json: Record<string, unknown>, type: string): void {
  if (json.peft_type !== type) throw new Error(`Not a ${type} adapter_config.json (peft_type ${String(json.peft_type)}).`);
  const subs = json.num_transformer_submodules;
  if (subs !== undefined && subs !== null && subs !== 1) throw new Error(`This ${type} adapter is for an encoder-decoder (num_transformer_submodules ${String(subs)}); Tabtune runs one BERT encoder.`);
}

export function promptTuningFromPeft(json: Record<string, unknown>): PromptTuningConfig {
  checkSingleModule(json, 'PROMPT_TUNING');
  const init = String(json.prompt_tuning_init ?? 'RANDOM');
  if (init !== 'RANDOM' && init !== 'TEXT' && init !== 'SAMPLE_VOCAB') throw new Error(`Unknown prompt_tuning_init "${init}".`);
  return {
    method: 'prompt',
    numVirtualTokens: positiveInt(json, 'num_virtual_tokens', PROMPT_TUNING_DEFAULTS.numVirtualTokens),
    promptTuningInit: init,
    promptTuningInitText: typeof json.prompt_tuning_init_text === 'string' ? json.prompt_tuning_init_text : PROMPT_TUNING_DEFAULTS.promptTuningInitText,
  };
}

export function ptuningToPeft(c: PtuningConfig): PeftPtuningAdapterConfig {
  return {
    peft_type: 'P_TUNING',
    task_type: 'FEATURE_EXTRACTION',
    num_virtual_tokens: c.numVirtualTokens,
    encoder_reparameterization_type: c.encoderReparameterizationType,
    encoder_hidden_size: c.encoderHiddenSize,
    encoder_num_layers: c.encoderNumLayers,
    encoder_dropout: c.encoderDropout,
  };
}

/** `hiddenSize`: the encoder's, which peft uses when encoder_hidden_size is unset. */
export function ptuningFromPeft(json: Record<string, unknown>, hiddenSize: number): PtuningConfig {
  checkSingleModule(json, 'P_TUNING');
  const type = String(json.encoder_reparameterization_type ?? 'MLP');
  if (type !== 'MLP' && type !== 'LSTM') throw new Error(`Unknown encoder_reparameterization_type "${type}" (peft knows MLP and LSTM).`);
  return {
    method: 'ptuning',
    numVirtualTokens: positiveInt(json, 'num_virtual_tokens', PTUNING_DEFAULTS.numVirtualTokens),
    encoderReparameterizationType: type,
    encoderHiddenSize: positiveInt(json, 'encoder_hidden_size', hiddenSize),
    encoderNumLayers: positiveInt(json, 'encoder_num_layers', PTUNING_DEFAULTS.encoderNumLayers),
    encoderDropout: Number(json.encoder_dropout ?? 0),
  };
}
