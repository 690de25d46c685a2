/**
 * What an exported delta's zip holds (one flat folder, so unzipping gives a directory that the library's loader
 * reads as it is), by the method's format (library + the transformers model it is for):
 *
 *   peft, BertForSequenceClassification (LoRA):  adapter_config.json, adapter_model.safetensors (the adapter + the
 *       classifier under modules_to_save)
 *   peft, BertModel (prefix, P-tuning v2, prompt, P-tuning; FEATURE_EXTRACTION):  adapter_config.json,
 *       adapter_model.safetensors (`prompt_embeddings`), classifier.safetensors
 *   adapters, BertModel (bottleneck):  adapter_config.json and adapter.safetensors as AdapterHub's
 *       save_adapter(..., use_safetensors=True) writes them, classifier.safetensors
 *   none, BertModel (head only):  classifier.safetensors
 *
 * always with README.md and tabtune.json (Tabtune's own metadata; the libraries read only their files).
 * classifier.safetensors is a torch.nn.Linear's state dict (`weight` [classes, hidden], `bias` [classes]): Tabtune's
 * head reads MEAN-pooled states, which neither peft's FEATURE_EXTRACTION nor any AdapterHub head does.
 * Tensor names: Tabtune's deltas name their tensors as their library saves them (peft for a BertModel,
 * `base_model.model.encoder...`; AdapterHub for a BertAdapterModel, `bert.encoder...`); the LoRA export is for
 * BertForSequenceClassification, whose encoder is `bert.` (`base_model.model.bert.encoder...`).
 */
import type { BertConfig, PoolingConfig } from '../../encoder/types';
import { HEAD_TENSOR_NAMES } from '../head';
import type { DeltaFormat, DeltaLibrary } from '../method';
import type { MethodConfig } from '../registry';

/** Bumped when an older Tabtune could not read what a newer one writes. */
export const DELTA_FORMAT_VERSION = 1;
export const MANIFEST_FILE = 'tabtune.json';
export const README_FILE = 'README.md';

/** The files of one export layout. */
export interface ExportLayout {
  library: DeltaLibrary;
  /** The library's config file (absent for the head alone). */
  config?: string;
  /** The library's weights file: the delta's tensors, and the head's too when `classifier` is absent. */
  weights?: string;
  /** The head as a torch.nn.Linear's state dict, when the library's files do not hold it. */
  classifier?: string;
}

export const CLASSIFIER_FILE = 'classifier.safetensors';
const PEFT_FILES = { config: 'adapter_config.json', weights: 'adapter_model.safetensors' } as const;
/** The names AdapterHub's save_adapter(use_safetensors=True) writes and load_adapter(use_safetensors=True) reads. */
const ADAPTERS_FILES = { config: 'adapter_config.json', weights: 'adapter.safetensors' } as const;

/** Every layout Tabtune writes, by library and base model; a missing one is a pair no method uses. */
export const EXPORT_LAYOUTS = {
  peft: {
    BertForSequenceClassification: { library: 'peft', ...PEFT_FILES },
    BertModel: { library: 'peft', ...PEFT_FILES, classifier: CLASSIFIER_FILE },
  },
  adapters: { BertModel: { library: 'adapters', ...ADAPTERS_FILES, classifier: CLASSIFIER_FILE } },
  none: { BertModel: { library: 'none', classifier: CLASSIFIER_FILE } },
} as const satisfies Record<DeltaLibrary, Partial<Record<DeltaFormat<MethodConfig>['baseModel'], ExportLayout>>>;

/** The layout of a method's format, or undefined for a pair Tabtune does not write. */
export function layoutOf(format: Pick<DeltaFormat<MethodConfig>, 'library' | 'baseModel'>): ExportLayout | undefined {
  return (EXPORT_LAYOUTS[format.library] as Partial<Record<string, ExportLayout>>)[format.baseModel];
}

/**
 * The peft version whose saved format the export follows (and the interop test checks). Recorded in
 * tabtune.json, not as adapter_config.json's `peft_version`: peft 0.17.1 does not know that key and warns the
 * user to upgrade peft when it meets it.
 */
export const PEFT_VERSION = '0.17.1';
/** The AdapterHub `adapters` version whose save_adapter files the bottleneck export follows (and interop checks). */
export const ADAPTERS_VERSION = '1.2.0';

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
  library: DeltaLibrary;
  /** The version of the library whose format the files follow (peft's, adapters'), when there is one. */
  libraryVersion?: string;
  /** The files beside this one that hold the delta. */
  files: { config?: string; weights?: string; classifier?: string };
  metrics?: Record<string, number>;
}

const BERT_MODEL_PREFIX = 'base_model.model.';
const SEQ_CLS_PREFIX = 'base_model.model.bert.';
const PLAIN_HEAD = { weight: 'weight', bias: 'bias' } as const;
const isHead = (name: string) => name === HEAD_TENSOR_NAMES.weight || name === HEAD_TENSOR_NAMES.bias;

/** Where Tabtune's tensor `name` is saved in `layout`: the file, and its name there. */
export function savedTensor(layout: ExportLayout, name: string): { file: string; name: string } {
  if (isHead(name) && layout.classifier) return { file: layout.classifier, name: name === HEAD_TENSOR_NAMES.weight ? PLAIN_HEAD.weight : PLAIN_HEAD.bias };
  const file = layout.weights ?? layout.classifier ?? '';
  if (layout.library !== 'peft' || layout.classifier || isHead(name)) return { file, name }; // modules_to_save keeps its name
  return { file, name: name.startsWith(BERT_MODEL_PREFIX) ? SEQ_CLS_PREFIX + name.slice(BERT_MODEL_PREFIX.length) : name };
}

/** The inverse of savedTensor: the name `saved` in `file` -> Tabtune's. */
export function tabtuneTensorName(layout: ExportLayout, file: string, saved: string): string {
  if (file === layout.classifier) return saved === PLAIN_HEAD.weight ? HEAD_TENSOR_NAMES.weight : saved === PLAIN_HEAD.bias ? HEAD_TENSOR_NAMES.bias : saved;
  if (layout.library !== 'peft' || layout.classifier) return saved;
  return saved.startsWith(SEQ_CLS_PREFIX) ? BERT_MODEL_PREFIX + saved.slice(SEQ_CLS_PREFIX.length) : saved;
}

/** The files of `layout` that hold tensors, in the order they are written. */
export function tensorFiles(layout: ExportLayout): string[] {
  return [layout.weights, layout.classifier].filter((f): f is string => f !== undefined);
}

/**
 * The fields every peft config shares, on `encoderId`: for BertForSequenceClassification, SEQ_CLS with the head
 * under modules_to_save; for a BertModel, FEATURE_EXTRACTION (the method's own file says so too). inference_mode
 * makes peft load prefix tuning's and P-tuning's saved prompt as the prompt itself, without their encoders.
 */
export function peftCommonConfig(encoderId: string, baseModel: DeltaFormat<MethodConfig>['baseModel']): Record<string, unknown> {
  const seqCls = baseModel === 'BertForSequenceClassification';
  return {
    base_model_name_or_path: encoderId,
    revision: null,
    task_type: seqCls ? 'SEQ_CLS' : 'FEATURE_EXTRACTION',
    inference_mode: true,
    ...(seqCls ? { modules_to_save: ['classifier'] } : {}),
  };
}

/** The head's shapes for `classes` labels on this encoder. */
export function headShapes(encoder: BertConfig, classes: number): Record<string, number[]> {
  return { [HEAD_TENSOR_NAMES.weight]: [classes, encoder.hiddenSize], [HEAD_TENSOR_NAMES.bias]: [classes] };
}
