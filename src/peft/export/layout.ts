/**
 * What an exported delta's zip holds, per library (one flat folder, so unzipping gives a directory that
 * peft's PeftModel.from_pretrained loads as it is):
 *
 *   peft:  adapter_config.json, adapter_model.safetensors (LoRA etc. + the classifier as modules_to_save), README.md, tabtune.json
 *   none:  classifier.safetensors (torch.nn.Linear's `weight` [classes, hidden], `bias` [classes]), README.md, tabtune.json
 *
 * tabtune.json is Tabtune's own metadata; peft reads only its two files and ignores it. Tensor names: Tabtune's
 * deltas name their tensors as peft saves them for a BertModel (`base_model.model.encoder...`); the export is
 * for BertForSequenceClassification, whose encoder is `bert.` (`base_model.model.bert.encoder...`).
 */
import type { BertConfig, PoolingConfig } from '../../encoder/types';
import { HEAD_TENSOR_NAMES } from '../head';
import type { DeltaLibrary } from '../method';
import type { MethodConfig } from '../registry';

/** Bumped when an older Tabtune could not read what a newer one writes. */
export const DELTA_FORMAT_VERSION = 1;
export const MANIFEST_FILE = 'tabtune.json';
export const README_FILE = 'README.md';

/** The files each library's loader reads. `config` is absent where the library has no config file. */
export const LIBRARY_FILES = {
  peft: { config: 'adapter_config.json', weights: 'adapter_model.safetensors' },
  none: { config: undefined, weights: 'classifier.safetensors' },
  adapters: undefined, // AdapterHub's layout: not written yet
} as const satisfies Record<DeltaLibrary, { config: string | undefined; weights: string } | undefined>;
export type WritableLibrary = Exclude<DeltaLibrary, 'adapters'>;

/**
 * The peft version whose saved format the export follows (and the interop test checks). Recorded in
 * tabtune.json, not as adapter_config.json's `peft_version`: peft 0.17.1 does not know that key and warns the
 * user to upgrade peft when it meets it.
 */
export const PEFT_VERSION = '0.17.1';

/** A tensor as plain data: float32 values in row-major order. */
export interface TensorData {
  shape: number[];
  data: Float32Array;
}

/** What the caller says about the task. */
export interface ExportTask {
  name: string;
  /** Class names in the order of the head's rows. */
  labels: readonly string[];
  /** One description per label (the prompt-initialised head's), when the task has them. */
  descriptions?: readonly string[];
}

/** tabtune.json. */
export interface DeltaManifest {
  format: 'tabtune-delta';
  version: number;
  createdAt: string; // ISO 8601
  task: { name: string; labels: string[]; descriptions?: string[] };
  encoder: { id: string; fingerprint: string; hiddenSize: number; numHiddenLayers: number; pooling: PoolingConfig };
  /** Tabtune's config of the method (its `method` tag names it). */
  method: MethodConfig;
  library: WritableLibrary;
  /** The version of the library whose format the files follow (peft's), when there is one. */
  libraryVersion?: string;
  /** The files beside this one that hold the delta. */
  files: { config?: string; weights: string };
  metrics?: Record<string, number>;
}

const BERT_MODEL_PREFIX = 'base_model.model.';
const SEQ_CLS_PREFIX = 'base_model.model.bert.';
const PLAIN_HEAD = { weight: 'weight', bias: 'bias' } as const;

/** Tabtune's tensor name -> the name in the library's weights file. */
export function savedTensorName(library: WritableLibrary, name: string): string {
  if (library === 'none') {
    if (name === HEAD_TENSOR_NAMES.weight) return PLAIN_HEAD.weight;
    if (name === HEAD_TENSOR_NAMES.bias) return PLAIN_HEAD.bias;
    return name;
  }
  if (name === HEAD_TENSOR_NAMES.weight || name === HEAD_TENSOR_NAMES.bias) return name; // modules_to_save
  return name.startsWith(BERT_MODEL_PREFIX) ? SEQ_CLS_PREFIX + name.slice(BERT_MODEL_PREFIX.length) : name;
}

/** The inverse of savedTensorName. */
export function tabtuneTensorName(library: WritableLibrary, saved: string): string {
  if (library === 'none') {
    if (saved === PLAIN_HEAD.weight) return HEAD_TENSOR_NAMES.weight;
    if (saved === PLAIN_HEAD.bias) return HEAD_TENSOR_NAMES.bias;
    return saved;
  }
  return saved.startsWith(SEQ_CLS_PREFIX) ? BERT_MODEL_PREFIX + saved.slice(SEQ_CLS_PREFIX.length) : saved;
}

/** The fields every peft config shares, for a BertForSequenceClassification on `encoderId`. */
export function peftCommonConfig(encoderId: string): Record<string, unknown> {
  return {
    base_model_name_or_path: encoderId,
    revision: null,
    task_type: 'SEQ_CLS',
    inference_mode: true,
    modules_to_save: ['classifier'],
  };
}

/** The head's shapes for `classes` labels on this encoder. */
export function headShapes(encoder: BertConfig, classes: number): Record<string, number[]> {
  return { [HEAD_TENSOR_NAMES.weight]: [classes, encoder.hiddenSize], [HEAD_TENSOR_NAMES.bias]: [classes] };
}
