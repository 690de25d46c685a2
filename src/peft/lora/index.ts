/** LoRA (Hu et al. 2021) as peft implements it for BERT's linear layers. */
import type { PeftMethod } from '../method';
import { LORA_DEFAULTS, LORA_FIELDS, type LoraConfig } from './config';
import { fromPeftAdapterConfig, toPeftAdapterConfig } from './adapterConfig';
import { LoraDelta } from './loraDelta';

export { LORA_DEFAULTS, LORA_FIELDS, loraScaling, type LoraConfig } from './config';
export { LoraDelta, MissingTensorError } from './loraDelta';
export { fromPeftAdapterConfig, toPeftAdapterConfig, type PeftLoraAdapterConfig } from './adapterConfig';
export { loraTensorNames, PEFT_MODULE_PATHS, peftModuleName, resolvePeftTargets, toPeftTargetModules } from './targets';

export const loraMethod: PeftMethod<LoraConfig> = {
  name: 'lora',
  title: 'LoRA: a low-rank update on attention and feed-forward weights; can be merged away.',
  defaults: LORA_DEFAULTS,
  fields: LORA_FIELDS,
  create: (encoder, config, seed) => LoraDelta.create(encoder, config, seed),
  load: (encoder, config, saved) => LoraDelta.load(encoder, config, saved),
  format: {
    library: 'peft',
    baseModel: 'BertForSequenceClassification', // the head under modules_to_save, as peft's SEQ_CLS saves it
    // peft's LoraConfig fields; the export adds those every peft config shares (task_type, base model...).
    toConfigJson: (config) => ({ ...toPeftAdapterConfig(config), fan_in_fan_out: false, use_dora: false, lora_bias: false }),
    fromConfigJson: (json) => fromPeftAdapterConfig(json),
  },
};
