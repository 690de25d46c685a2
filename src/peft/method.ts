/**
 * What every PEFT method provides (PeftMethod) and what one trained instance of it is (Delta). A method is one
 * folder under src/peft/ plus one name in METHOD_NAMES and one row in registry.ts; nothing else knows it by name.
 */
import type * as tf from '@tensorflow/tfjs';
import type { BertHooks } from '../encoder/bert/hooks';
import type { BertWeights } from '../encoder/bert/weights';
import type { BertConfig } from '../encoder/types';

/** The closed set of methods. Adding one here without a registry row is a compile error in registry.ts. */
export const METHOD_NAMES = ['head', 'lora', 'bottleneck', 'prefix', 'ptuningV2', 'prompt', 'ptuning'] as const;
export type MethodName = (typeof METHOD_NAMES)[number];

/** Every method's config carries its tag, so a saved config describes itself (peft's `peft_type`). */
export interface MethodConfigBase {
  method: MethodName;
}

/** How a UI form shows one config field; `label` where the field's name does not read well ('lr', 'r'). */
export type FieldSpec = { label?: string; doc: string; advanced?: boolean } & (
  | { kind: 'int' | 'number'; min: number; max: number; step?: number }
  | { kind: 'boolean' }
  | { kind: 'select'; options: readonly string[] }
  | { kind: 'multiselect'; options: readonly string[]; minItems?: number }
);

/** One FieldSpec per config field except the tag. */
export type ConfigFields<C extends MethodConfigBase> = { [K in Exclude<keyof C, 'method'>]: FieldSpec };

export interface DeltaMode {
  /** Training applies the method's dropout; inference never does. */
  training: boolean;
  /** Seeds the dropout masks of this forward (the train loop passes a fresh one per step), so a run repeats. */
  seed?: number;
}

/** One method's trainable parameters for one encoder: the forward's hooks, saving, merging, disposal. */
export interface Delta {
  readonly method: MethodName;
  /** Trainable parameters (empty for head-only). */
  readonly variables: readonly tf.Variable[];
  /**
   * True when the hooks leave the frozen encoder exactly as it is (head-only), so its sentence embeddings can be
   * computed once per text and kept (FrozenEmbeddingCache).
   */
  readonly frozenEncoder?: boolean;
  /** Hooks for bertForward. While merged they add nothing (the delta lives in the weights). */
  hooks(mode: DeltaMode): BertHooks;
  /** Present only for methods whose delta can be folded into the frozen weights (LoRA). */
  readonly merging?: Merging;
  /** The parameters under the names peft's get_peft_model_state_dict writes (views of the variables). */
  tensors(): Record<string, tf.Tensor>;
  /** Frees the variables (unmerging first, if merged). */
  dispose(): void;
}

/** Folding a delta into the frozen weights for inference, and taking it out again exactly. */
export interface Merging {
  readonly merged: boolean;
  /** Replaces the targeted weight tensors of `weights` with merged ones; the originals are kept aside. */
  merge(weights: BertWeights): void;
  /** Puts the original tensors back (bit-exact) and frees the merged ones. */
  unmerge(): void;
}

/** What of the frozen encoder a fresh delta may start from (prompt tuning's vocabulary and text inits). */
export interface EncoderParts {
  weights: BertWeights;
  /** Token ids of a text, special tokens included (WordPieceTokenizer.encode(text).ids). */
  tokenize(text: string): number[];
}

export interface PeftMethod<C extends MethodConfigBase> {
  name: C['method'];
  /** Its name in the method picker and headings ("LoRA"). */
  label: string;
  /** One sentence on what it trains, shown under the picker. */
  about: string;
  /** The config of a fresh delta. */
  defaults: C;
  /**
   * The learning rate the studio's form starts at for this method, where the training default
   * (DEFAULT_TRAINING_CONFIG.lr) does not suit it; measured, not guessed (BENCHMARKS.md, the few-shot section).
   */
  lr?: number;
  fields: ConfigFields<C>;
  /** A fresh delta: the identity on the encoder (STYLE 3). `seed` makes the random init reproducible. */
  create(encoder: BertConfig, config: C, seed: number, parts?: EncoderParts): Delta;
  /** A delta from saved tensors (peft's names, as tensors() returns them). Copies them into new variables. */
  load(encoder: BertConfig, config: C, saved: Record<string, tf.Tensor>): Delta;
  /** How a delta of this method is written for Python (src/peft/export/). */
  format: DeltaFormat<C>;
}

/** The Python libraries an exported delta is laid out for (src/peft/export/ writes each one's files). */
export const DELTA_LIBRARIES = ['peft', 'adapters', 'none'] as const;
export type DeltaLibrary = (typeof DELTA_LIBRARIES)[number];

/** The transformers model classes an export is written for (DeltaFormat.baseModel). */
export const DELTA_BASE_MODELS = ['BertForSequenceClassification', 'BertModel'] as const;
export type DeltaBaseModel = (typeof DELTA_BASE_MODELS)[number];

/** What an export knows of the task a delta was trained for. */
export interface DeltaTask {
  /** Class names, in the order of the head's rows. */
  labels: readonly string[];
}

/** A method's config as its Python library's config file (peft's adapter_config.json, AdapterHub's adapter_config.json). */
export interface DeltaFormat<C extends MethodConfigBase> {
  /** Which library loads the export: peft, AdapterHub's adapters, or none (the head alone, for plain torch). */
  library: DeltaLibrary;
  /**
   * The transformers model the library's files are written for, which decides where the classifier goes:
   * BertForSequenceClassification (peft SEQ_CLS; the head is saved with the adapter under modules_to_save) or
   * BertModel (the adapter alone; the head ships beside it as a torch.nn.Linear, classifier.safetensors).
   */
  baseModel: DeltaBaseModel;
  /** The library's config file for this config, on this encoder, for a sequence-classification task. */
  toConfigJson(config: C, encoder: BertConfig, task: DeltaTask): Record<string, unknown>;
  /** Reads that file back; throws (with a message saying what is unsupported) on what Tabtune cannot load. */
  fromConfigJson(json: Record<string, unknown>, encoder: BertConfig): C;
}
