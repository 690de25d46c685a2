/** Virtual tokens before the text: prompt tuning (peft PROMPT_TUNING) and P-tuning v1 (peft P_TUNING). */
import type { PeftMethod } from '../method';
import { PROMPT_TUNING_DEFAULTS, PROMPT_TUNING_FIELDS, PTUNING_DEFAULTS, PTUNING_FIELDS, type PromptTuningConfig, type PtuningConfig } from './config';
import { promptTuningFromPeft, promptTuningToPeft, ptuningFromPeft, ptuningToPeft } from './adapterConfig';
import { createPromptTuningDelta, createRandomPromptTuningDelta, loadPromptTuningDelta } from './promptTuning';
import { createPtuningDelta, loadPtuningDelta } from './ptuning';

export * from './config';
export { promptTuningFromPeft, promptTuningToPeft, ptuningFromPeft, ptuningToPeft, type PeftPromptTuningAdapterConfig, type PeftPtuningAdapterConfig } from './adapterConfig';
export { createPromptTuningDelta, PromptInitNeedsEncoderError, promptTuningDelta, textInitIds } from './promptTuning';
export { ptuningDeltaFromParameters } from './ptuning';
export { PROMPT_EMBEDDINGS, SoftPromptDelta } from './softPromptDelta';
export { MissingTensorError } from './torchLayers';

export const promptTuningMethod: PeftMethod<PromptTuningConfig> = {
  name: 'prompt',
  label: 'Prompt tuning',
  about: 'Trainable soft tokens before the text.',
  defaults: PROMPT_TUNING_DEFAULTS,
  fields: PROMPT_TUNING_FIELDS,
  create: (encoder, config, seed, parts) =>
    parts ? createPromptTuningDelta(parts.weights, config, seed, parts.tokenize) : createRandomPromptTuningDelta(encoder, config, seed),
  load: (encoder, config, saved) => loadPromptTuningDelta(encoder, config, saved),
  format: {
    library: 'peft',
    baseModel: 'BertModel', // FEATURE_EXTRACTION: Tabtune pools the states itself; the head ships beside it
    toConfigJson: (config) => ({ ...promptTuningToPeft(config) }), // TEXT init is written as RANDOM (adapterConfig.ts)
    fromConfigJson: (json) => promptTuningFromPeft(json),
  },
};

export const ptuningMethod: PeftMethod<PtuningConfig> = {
  name: 'ptuning',
  label: 'P-tuning',
  about: 'Soft tokens before the text, made by a small MLP or LSTM prompt encoder.',
  defaults: PTUNING_DEFAULTS,
  fields: PTUNING_FIELDS,
  create: (encoder, config, seed) => createPtuningDelta(encoder, config, seed),
  load: (encoder, config, saved) => loadPtuningDelta(encoder, config, saved),
  format: {
    library: 'peft',
    baseModel: 'BertModel', // as prompt tuning
    toConfigJson: (config) => ({ ...ptuningToPeft(config) }),
    fromConfigJson: (json, encoder) => ptuningFromPeft(json, encoder.hiddenSize),
  },
};
