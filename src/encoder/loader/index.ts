/** The model loader's public face: one function for every checkpoint, and the source type it takes. */
export { loadCheckpoint, type LoadCheckpointOptions, CONFIG_FILE, TOKENIZER_FILE, WEIGHTS_FILE } from './loadCheckpoint';
export { type ModelSource, fileUrl, cachePrefix, describeSource, HUB_ENDPOINT, HUB_DEFAULT_REVISION } from './source';
export { DEFAULT_POOLING } from './pooling';
