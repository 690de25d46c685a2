/**
 * Errors raised while loading a checkpoint. Each names the problem and says what to do; `code` lets the UI
 * and tests tell them apart without parsing messages. They cross the worker boundary as `{name, code, message}`.
 */
export const MODEL_ERROR_CODES = [
  'network', // a file could not be fetched
  'missing-file', // a required file (config.json, tokenizer.json, model.safetensors) is absent
  'corrupt-weights', // the safetensors file is truncated or malformed
  'config-mismatch', // config.json and the tensors disagree (shapes, layer count, vocabulary)
  'unsupported-architecture', // not a BERT-family encoder we can run
  'bad-tokenizer', // tokenizer.json missing pieces we need, or a kind we do not implement
  'checksum', // a file's sha256 differs from the manifest
] as const;
export type ModelErrorCode = (typeof MODEL_ERROR_CODES)[number];

export class ModelLoadError extends Error {
  override readonly name = 'ModelLoadError';
  constructor(
    readonly code: ModelErrorCode,
    message: string,
    /** The file the problem was found in, when there is one. */
    readonly file?: string,
  ) {
    super(message);
  }
}
