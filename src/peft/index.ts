/** Parameter-efficient fine-tuning on the frozen BERT: the method registry, the classifier, the heads. */
export { PeftClassifier, crossEntropy, type ForwardOptions } from './classifier';
export { FrozenEmbeddingCache, selectRows } from './featureCache';
export { HEAD_TENSOR_NAMES, LinearHead, labelTextHead, PROMPT_HEAD_SCALE, promptInitHead, type HeadOnlyConfig } from './head';
export { LORA_DEFAULTS, LoraDelta, fromPeftAdapterConfig, toPeftAdapterConfig, type LoraConfig } from './lora';
export { METHOD_NAMES, type ConfigFields, type Delta, type DeltaMode, type FieldSpec, type Merging, type MethodName, type PeftMethod } from './method';
export { PEFT_METHODS, createDelta, loadDelta, type MethodConfig } from './registry';
