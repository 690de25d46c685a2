/**
 * A trained delta + head -> a zip that Python loads (see layout.ts for what it holds, readme.ts for how).
 * Pure: the caller reads the tensors off the backend first (tensorsToData) and passes the creation time.
 */
import type * as tf from '@tensorflow/tfjs';
import type { Checkpoint, PoolingConfig } from '../../encoder/types';
import { writeSafetensors, type TensorToWrite } from '../../encoder/weights/safetensors';
import { PEFT_METHODS, type MethodConfig } from '../registry';
import type { DeltaFormat } from '../method';
import { DeltaExportError } from './errors';
import { expectedTensorShapes } from './expectedTensors';
import {
  DELTA_FORMAT_VERSION,
  LIBRARY_FILES,
  MANIFEST_FILE,
  peftCommonConfig,
  PEFT_VERSION,
  README_FILE,
  savedTensorName,
  type DeltaManifest,
  type ExportTask,
  type TensorData,
  type WritableLibrary,
} from './layout';
import { deltaReadme } from './readme';
import { zipFiles } from './zipArchive';

export interface DeltaExportInput {
  task: ExportTask;
  /** The encoder the delta was trained on. */
  encoder: Pick<Checkpoint, 'id' | 'fingerprint' | 'config'>;
  /** The classifier's pooling (PeftClassifier.pooling), so Python can pool the same way. */
  pooling: PoolingConfig;
  config: MethodConfig;
  /** Delta and head under Tabtune's names (PeftClassifier.tensors(), read with tensorsToData). */
  tensors: Record<string, TensorData>;
  /** Held-out accuracy and the like, shown to whoever imports it. */
  metrics?: Record<string, number>;
  createdAt: Date;
}

/** The method's format, or DeltaExportError when it has none (yet). */
export function formatOf(config: MethodConfig): DeltaFormat<MethodConfig> | undefined {
  return (PEFT_METHODS[config.method] as { format?: DeltaFormat<MethodConfig> } | undefined)?.format;
}

export function exportDelta(input: DeltaExportInput): Uint8Array {
  const { task, encoder, config } = input;
  const format = formatOf(config);
  if (!format) throw new DeltaExportError('no-format', `The ${config.method} method cannot be exported yet (it has no format in the registry). Export a LoRA or head-only task.`);
  const files = LIBRARY_FILES[format.library];
  if (!files) throw new DeltaExportError('unsupported-library', `Exporting for the "${format.library}" library is not implemented yet.`);
  const library = format.library as WritableLibrary;
  checkInput(input);

  const manifest: DeltaManifest = {
    format: 'tabtune-delta',
    version: DELTA_FORMAT_VERSION,
    createdAt: input.createdAt.toISOString(),
    task: { name: task.name, labels: [...task.labels], ...(task.descriptions ? { descriptions: [...task.descriptions] } : {}) },
    encoder: {
      id: encoder.id,
      fingerprint: encoder.fingerprint,
      hiddenSize: encoder.config.hiddenSize,
      numHiddenLayers: encoder.config.numHiddenLayers,
      pooling: { ...input.pooling },
    },
    method: config,
    library,
    ...(library === 'peft' ? { libraryVersion: PEFT_VERSION } : {}),
    files: { ...(files.config ? { config: files.config } : {}), weights: files.weights },
    ...(input.metrics ? { metrics: { ...input.metrics } } : {}),
  };
  const toWrite: Record<string, TensorToWrite> = {};
  for (const [name, t] of Object.entries(input.tensors)) toWrite[savedTensorName(library, name)] = { dtype: 'F32', shape: t.shape, data: t.data };

  const json = (v: unknown) => new TextEncoder().encode(JSON.stringify(v, null, 2) + '\n');
  const out: Record<string, Uint8Array> = {};
  if (files.config) {
    const methodJson = format.toConfigJson(config, encoder.config, { labels: task.labels });
    out[files.config] = json(library === 'peft' ? sortKeys({ ...methodJson, ...peftCommonConfig(encoder.id) }) : methodJson);
  }
  out[files.weights] = writeSafetensors(toWrite, { format: 'pt' });
  out[MANIFEST_FILE] = json(manifest);
  out[README_FILE] = new TextEncoder().encode(deltaReadme(manifest));
  return zipFiles(out, input.createdAt);
}

/** Copies tensors off the backend as float32 data (awaits, so it works on WebGPU too). */
export async function tensorsToData(tensors: Record<string, tf.Tensor>): Promise<Record<string, TensorData>> {
  const out: Record<string, TensorData> = {};
  for (const [name, t] of Object.entries(tensors)) out[name] = { shape: [...t.shape], data: Float32Array.from(await t.data()) };
  return out;
}

/** Refuses what would give an export that cannot be loaded back. */
function checkInput({ task, encoder, config, tensors }: DeltaExportInput): void {
  const bad = (why: string): never => {
    throw new DeltaExportError('bad-input', `Cannot export "${task.name}": ${why}.`);
  };
  if (task.labels.length < 2) bad(`a classifier needs at least 2 labels, it has ${task.labels.length}`);
  if (new Set(task.labels).size !== task.labels.length) bad('two labels have the same name');
  if (task.descriptions && task.descriptions.length !== task.labels.length) bad(`${task.descriptions.length} descriptions for ${task.labels.length} labels`);
  if (!/^[0-9a-f]{64}$/.test(encoder.fingerprint)) bad('the encoder has no sha256 fingerprint');
  const expected = expectedTensorShapes(encoder.config, config, task.labels.length);
  for (const [name, shape] of expected) {
    const t = tensors[name];
    if (!t) bad(`the tensor "${name}" is missing`);
    if (t.shape.join() !== shape.join()) bad(`"${name}" has shape [${t.shape}], expected [${shape}]`);
    if (t.data.length !== shape.reduce((a, b) => a * b, 1)) bad(`"${name}" holds ${t.data.length} values for shape [${shape}]`);
    if (!t.data.every(Number.isFinite)) bad(`"${name}" holds NaN or infinite values (training diverged; lower the learning rate and train again)`);
  }
  const extra = Object.keys(tensors).filter((k) => !expected.has(k));
  if (extra.length) bad(`tensors the ${config.method} method does not have: ${extra.join(', ')}`);
}

function sortKeys(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]]));
}
