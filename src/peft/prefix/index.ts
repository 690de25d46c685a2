/** Trainable keys/values in every attention layer: prefix tuning and P-tuning v2 (peft PREFIX_TUNING). */
import type { DeltaFormat, PeftMethod } from '../method';
import { prefixFromPeft, prefixToPeft } from './adapterConfig';
import { PREFIX_DEFAULTS, PREFIX_FIELDS, PTUNING_V2_DEFAULTS, PTUNING_V2_FIELDS, type PrefixConfig, type PtuningV2Config } from './config';
import { PrefixDelta } from './prefixDelta';

export * from './config';
export { prefixFromPeft, prefixToPeft, type PeftPrefixAdapterConfig } from './adapterConfig';
export { PrefixDelta } from './prefixDelta';

/**
 * Both are peft PREFIX_TUNING (FEATURE_EXTRACTION on a BertModel; the head ships beside it), told apart by
 * prefix_projection; a file of the other one is refused.
 */
function prefixFormat<C extends PrefixConfig | PtuningV2Config>(method: C['method']): DeltaFormat<C> {
  return {
    library: 'peft',
    baseModel: 'BertModel',
    toConfigJson: (config, encoder) => ({ ...prefixToPeft(config, encoder.hiddenSize) }),
    fromConfigJson: (json) => {
      const config = prefixFromPeft(json);
      if (config.method !== method) {
        const other = config.method === 'prefix' ? 'prefix tuning (prefix_projection true)' : 'P-tuning v2 (prefix_projection false)';
        throw new Error(`This PREFIX_TUNING adapter is ${other}, not ${method}.`);
      }
      return config as C;
    },
  };
}

export const prefixMethod: PeftMethod<PrefixConfig> = {
  name: 'prefix',
  label: 'Prefix tuning',
  about: 'Trainable keys and values in every attention layer, made by a small MLP.',
  defaults: PREFIX_DEFAULTS,
  fields: PREFIX_FIELDS,
  create: (encoder, config, seed) => PrefixDelta.create('prefix', encoder, config.numVirtualTokens, config.encoderHiddenSize, seed),
  load: (encoder, config, saved) => PrefixDelta.load('prefix', encoder, config.numVirtualTokens, saved),
  format: prefixFormat('prefix'),
};

export const ptuningV2Method: PeftMethod<PtuningV2Config> = {
  name: 'ptuningV2',
  label: 'P-tuning v2',
  about: 'Trainable keys and values in every attention layer (deep prompts).',
  defaults: PTUNING_V2_DEFAULTS,
  fields: PTUNING_V2_FIELDS,
  create: (encoder, config, seed) => PrefixDelta.create('ptuningV2', encoder, config.numVirtualTokens, undefined, seed),
  load: (encoder, config, saved) => PrefixDelta.load('ptuningV2', encoder, config.numVirtualTokens, saved),
  format: prefixFormat('ptuningV2'),
};
