/**
 * Prefix tuning and P-tuning v2 configs <-> peft's adapter_config.json (PREFIX_TUNING, task_type
 * FEATURE_EXTRACTION on a BertModel). Both are PREFIX_TUNING; prefix_projection tells them apart.
 */
import { PREFIX_DEFAULTS, type PrefixConfig, type PtuningV2Config } from './config';

export interface PeftPrefixAdapterConfig {
  peft_type: 'PREFIX_TUNING';
  task_type: 'FEATURE_EXTRACTION';
  num_virtual_tokens: number;
  prefix_projection: boolean;
  encoder_hidden_size: number;
}

/** `hiddenSize`: the encoder's (peft writes it as encoder_hidden_size when there is no projection). */
export function prefixToPeft(c: PrefixConfig | PtuningV2Config, hiddenSize: number): PeftPrefixAdapterConfig {
  return {
    peft_type: 'PREFIX_TUNING',
    task_type: 'FEATURE_EXTRACTION',
    num_virtual_tokens: c.numVirtualTokens,
    prefix_projection: c.method === 'prefix',
    encoder_hidden_size: c.method === 'prefix' ? c.encoderHiddenSize : hiddenSize,
  };
}

/** A PREFIX_TUNING config: prefix tuning with prefix_projection, else P-tuning v2. */
export function prefixFromPeft(json: Record<string, unknown>): PrefixConfig | PtuningV2Config {
  if (json.peft_type !== 'PREFIX_TUNING') throw new Error(`Not a PREFIX_TUNING adapter_config.json (peft_type ${String(json.peft_type)}).`);
  const subs = json.num_transformer_submodules;
  if (subs !== undefined && subs !== null && subs !== 1) throw new Error(`This prefix is for an encoder-decoder (num_transformer_submodules ${String(subs)}); Tabtune runs one BERT encoder.`);
  const n = json.num_virtual_tokens;
  if (!(typeof n === 'number' && Number.isInteger(n) && n >= 1)) throw new Error(`adapter_config.json: num_virtual_tokens must be a positive integer, got ${JSON.stringify(n)}.`);
  if (!json.prefix_projection) return { method: 'ptuningV2', numVirtualTokens: n };
  const e = json.encoder_hidden_size ?? PREFIX_DEFAULTS.encoderHiddenSize;
  return { method: 'prefix', numVirtualTokens: n, encoderHiddenSize: Number(e) };
}
