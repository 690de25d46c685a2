/**
 * Errors of exporting and importing a delta. Each says what went wrong and what to do; `code` lets the UI and
 * tests tell them apart without parsing messages (they cross the worker boundary as `{name, code, message}`).
 */
export const DELTA_IMPORT_ERROR_CODES = [
  'not-a-zip', // the bytes are not a zip archive at all
  'truncated', // a zip, but cut short or with a file whose bytes fail their CRC-32
  'missing-file', // tabtune.json, the config or a weights file is absent
  'corrupt', // a file is there but is not valid JSON / safetensors
  'other-encoder', // trained on another encoder (fingerprint or hidden size differs)
  'unknown-method', // a method this version of Tabtune does not know, or laid out for another library
  'bad-config', // the method's config file holds settings Tabtune does not support
  'unknown-keys', // tensors the method does not have
  'missing-tensor', // a tensor the method needs is absent
  'bad-shape', // a tensor's shape or dtype differs from what the config and encoder need
  'non-finite', // NaN or Inf values
  'newer-version', // written by a newer Tabtune export format
] as const;
export type DeltaImportErrorCode = (typeof DELTA_IMPORT_ERROR_CODES)[number];

export class DeltaImportError extends Error {
  override readonly name = 'DeltaImportError';
  constructor(
    readonly code: DeltaImportErrorCode,
    message: string,
    /** The file inside the zip the problem was found in, when there is one. */
    readonly file?: string,
  ) {
    super(message);
  }
}

export const DELTA_EXPORT_ERROR_CODES = [
  'unsupported-library', // no writer for the method's library and base model (a pair no registry row uses today)
  'unsupported-config', // the library cannot hold this config (LiST's bias-free adapter in AdapterHub)
  'bad-input', // labels, tensors or encoder data that cannot make a loadable export
] as const;
export type DeltaExportErrorCode = (typeof DELTA_EXPORT_ERROR_CODES)[number];

export class DeltaExportError extends Error {
  override readonly name = 'DeltaExportError';
  constructor(
    readonly code: DeltaExportErrorCode,
    message: string,
  ) {
    super(message);
  }
}
