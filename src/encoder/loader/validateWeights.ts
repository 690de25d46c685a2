/**
 * Checks the tensors of model.safetensors against config.json, after normalising names:
 *  - a leading "bert." (BertForMaskedLM, BertForSequenceClassification files) is stripped;
 *  - old TF-converted names `LayerNorm.gamma` / `LayerNorm.beta` become `LayerNorm.weight` / `LayerNorm.bias`.
 * Heads and extras (cls.*, classifier.*, pooler.*, embeddings.position_ids) are kept but never required.
 *
 * Int8 files (docs/int8-format.md, recognised by `tabtune.quantization` metadata) hold 2-D weights as I8 with a
 * sibling `<name>_scale` F32 [rows]; every other tensor must be a float (F32, F16 or BF16).
 */
import type { BertConfig } from '../types';
import type { SafetensorsFile, TensorView } from '../weights/safetensors';
import { ModelLoadError } from '../errors';

const WEIGHTS_FILE = 'model.safetensors';
export const INT8_QUANTIZATION = 'int8-symmetric-per-row';
const FLOAT_DTYPES = new Set(['F32', 'F16', 'BF16']);

/** Returns the file with normalised tensor names (the tensors' bytes are shared, not copied). */
export function normaliseTensorNames(file: SafetensorsFile): SafetensorsFile {
  const tensors = new Map<string, TensorView>();
  for (const [name, view] of file.tensors) {
    const renamed = name
      .replace(/^bert\./, '')
      .replace(/\.LayerNorm\.gamma$/, '.LayerNorm.weight')
      .replace(/\.LayerNorm\.beta$/, '.LayerNorm.bias');
    tensors.set(renamed, view);
  }
  return { tensors, metadata: file.metadata };
}

/** 'int8' for our int8 format, 'f32' for a plain checkpoint; an unknown tabtune.quantization is refused. */
export function detectQuantization(metadata: Record<string, string>, where: string): 'int8' | 'f32' {
  const tag = metadata['tabtune.quantization'];
  if (tag === undefined) return 'f32';
  if (tag === INT8_QUANTIZATION) return 'int8';
  throw new ModelLoadError(
    'unsupported-architecture',
    `model.safetensors of ${where} uses quantization "${tag}", which this version of Tabtune cannot read (it reads "${INT8_QUANTIZATION}"). Update Tabtune or use an f32 checkpoint.`,
    WEIGHTS_FILE,
  );
}

/** Every tensor the BERT forward reads, with the shape config.json implies. Weights are [out, in] as in PyTorch. */
export function expectedTensorShapes(config: BertConfig): Map<string, number[]> {
  const { vocabSize: v, hiddenSize: h, intermediateSize: i } = config;
  const shapes = new Map<string, number[]>([
    ['embeddings.word_embeddings.weight', [v, h]],
    ['embeddings.position_embeddings.weight', [config.maxPositionEmbeddings, h]],
    ['embeddings.token_type_embeddings.weight', [config.typeVocabSize, h]],
    ['embeddings.LayerNorm.weight', [h]],
    ['embeddings.LayerNorm.bias', [h]],
  ]);
  const linear = (name: string, out: number, inp: number) => {
    shapes.set(`${name}.weight`, [out, inp]);
    shapes.set(`${name}.bias`, [out]);
  };
  for (let l = 0; l < config.numHiddenLayers; l++) {
    const p = `encoder.layer.${l}`;
    linear(`${p}.attention.self.query`, h, h);
    linear(`${p}.attention.self.key`, h, h);
    linear(`${p}.attention.self.value`, h, h);
    linear(`${p}.attention.output.dense`, h, h);
    shapes.set(`${p}.attention.output.LayerNorm.weight`, [h]);
    shapes.set(`${p}.attention.output.LayerNorm.bias`, [h]);
    linear(`${p}.intermediate.dense`, i, h);
    linear(`${p}.output.dense`, h, i);
    shapes.set(`${p}.output.LayerNorm.weight`, [h]);
    shapes.set(`${p}.output.LayerNorm.bias`, [h]);
  }
  return shapes;
}

/** Throws ModelLoadError('config-mismatch') naming the first tensor that is absent or has the wrong shape/dtype. */
export function validateWeights(config: BertConfig, weights: SafetensorsFile, quantization: 'int8' | 'f32', where: string): void {
  const fail = (message: string): never => {
    throw new ModelLoadError(
      'config-mismatch',
      `model.safetensors and config.json of ${where} disagree: ${message}. Use the config.json that was saved with these weights.`,
      WEIGHTS_FILE,
    );
  };
  for (const [name, shape] of expectedTensorShapes(config)) {
    const view = weights.tensors.get(name);
    if (!view) fail(`tensor "${name}" (expected shape ${fmt(shape)}) is missing`);
    else if (!sameShape(view.shape, shape)) fail(`tensor "${name}" has shape ${fmt(view.shape)} but config.json implies ${fmt(shape)}`);
    else if (view.dtype === 'I8') checkInt8(name, view, weights, quantization, fail);
    else if (!FLOAT_DTYPES.has(view.dtype)) fail(`tensor "${name}" has dtype ${view.dtype}; expected F32, F16 or BF16`);
  }
  const extraLayer = [...weights.tensors.keys()]
    .map((name) => /^encoder\.layer\.(\d+)\./.exec(name)?.[1])
    .map(Number)
    .find((index) => index >= config.numHiddenLayers);
  if (extraLayer !== undefined) {
    fail(`the weights hold encoder layer ${extraLayer}, but num_hidden_layers is ${config.numHiddenLayers}`);
  }
}

function checkInt8(name: string, view: TensorView, weights: SafetensorsFile, quantization: 'int8' | 'f32', fail: (m: string) => never): void {
  if (quantization !== 'int8') fail(`tensor "${name}" is I8 but the file lacks the "tabtune.quantization" metadata of Tabtune's int8 format`);
  if (view.shape.length !== 2) fail(`tensor "${name}" is I8, but only 2-D weights may be int8`);
  const scale = weights.tensors.get(`${name}_scale`);
  if (!scale) fail(`int8 tensor "${name}" has no "${name}_scale"`);
  else if (scale.dtype !== 'F32' || !sameShape(scale.shape, [view.shape[0]])) {
    fail(`"${name}_scale" is ${scale.dtype}${fmt(scale.shape)} but must be F32${fmt([view.shape[0]])} (one scale per row)`);
  }
}

function sameShape(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((d, k) => d === b[k]);
}

function fmt(shape: number[]): string {
  return `[${shape.join(', ')}]`;
}
