/** Trainable keys/values in every attention layer: prefix tuning and P-tuning v2 (peft PREFIX_TUNING). */
import type { PeftMethod } from '../method';
import { PREFIX_DEFAULTS, PREFIX_FIELDS, PTUNING_V2_DEFAULTS, PTUNING_V2_FIELDS, type PrefixConfig, type PtuningV2Config } from './config';
import { PrefixDelta } from './prefixDelta';

export * from './config';
export { prefixFromPeft, prefixToPeft, type PeftPrefixAdapterConfig } from './adapterConfig';
export { PrefixDelta } from './prefixDelta';

export const prefixMethod: PeftMethod<PrefixConfig> = {
  name: 'prefix',
  title: 'Prefix tuning: trainable keys and values in every attention layer, made by a small MLP.',
  defaults: PREFIX_DEFAULTS,
  fields: PREFIX_FIELDS,
  create: (encoder, config, seed) => PrefixDelta.create('prefix', encoder, config.numVirtualTokens, config.encoderHiddenSize, seed),
  load: (encoder, config, saved) => PrefixDelta.load('prefix', encoder, config.numVirtualTokens, saved),
};

export const ptuningV2Method: PeftMethod<PtuningV2Config> = {
  name: 'ptuningV2',
  title: 'P-tuning v2: trainable keys and values in every attention layer (deep prompts).',
  defaults: PTUNING_V2_DEFAULTS,
  fields: PTUNING_V2_FIELDS,
  create: (encoder, config, seed) => PrefixDelta.create('ptuningV2', encoder, config.numVirtualTokens, undefined, seed),
  load: (encoder, config, saved) => PrefixDelta.load('ptuningV2', encoder, config.numVirtualTokens, saved),
};
