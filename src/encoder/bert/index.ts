/** The frozen BERT encoder: weights on a tf backend, the forward with its PEFT seams, and pooling. */
export { BertWeights, LINEAR_NAMES } from './weights';
export type { BertEmbeddingWeights, BertLayerWeights, LayerNormWeights, LinearName, LinearWeights } from './weights';
export { bertEmbeddings, bertForward, bertLayer, inputsFromBatch, selfAttention } from './forward';
export type { BertInputs, BertOutput } from './forward';
export type { AddNormFn, AddNormSite, BertHooks, LinearFn, LinearSite, PrefixKeyValues } from './hooks';
export { linear } from './linear';
export { activation, F32_MIN, geluErf, geluTanh, layerNorm } from './ops';
export { clsPool, l2Normalize, meanPool, pool } from './pooling';
