/**
 * A trained delta + head -> a zip that Python loads (see layout.ts for what it holds, readme.ts for how).
 * Pure: the caller reads the tensors off the backend first (tensorsToData) and passes the creation time.
 */
import type * as tf from '@tensorflow/tfjs';
import type { Checkpoint, PoolingConfig } from '../../encoder/types';
import { writeSafetensors, type TensorToWrite } from '../../encoder/weights/safetensors';
import { stringifyAdapterHubConfig, type AdapterHubAdapterConfigFile } from '../bottleneck';
import { PEFT_METHODS, type MethodConfig } from '../registry';
import type { DeltaFormat, DeltaLibrary, MethodName } from '../method';
import { DeltaExportError } from './errors';
import { expectedTensorShapes } from './expectedTensors';
import {
  ADAPTERS_VERSION,
  DELTA_FORMAT_VERSION,
  layoutOf,
  MANIFEST_FILE,
  peftCommonConfig,
  PEFT_VERSION,
  README_FILE,
  savedTensor,
  tensorFiles,
  type DeltaManifest,
  type ExportTask,
  type TensorData,
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

/** The registry's format for a config's method tag, or undefined for a tag the registry does not have. */
export function formatOf(config: { method: unknown }): DeltaFormat<MethodConfig> | undefined {
  const { method } = config;
  return typeof method === 'string' && Object.hasOwn(PEFT_METHODS, method) ? (PEFT_METHODS[method as MethodName].format as DeltaFormat<MethodConfig>) : undefined;
}

export function exportDelta(input: DeltaExportInput): Uint8Array {
  const { task, encoder, config } = input;
  const format = formatOf(config);
  if (!format) throw new DeltaExportError('bad-input', `Cannot export "${task.name}": "${String(config.method)}" is not a method this version of Tabtune knows.`);
  const layout = layoutOf(format);
  if (!layout) throw new DeltaExportError('unsupported-library', `Exporting for the "${format.library}" library on a ${format.baseModel} is not implemented.`);
  const configJson = layout.config ? libraryConfig(format, input) : undefined; // first: a config it cannot hold is the news
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
    library: format.library,
    ...(LIBRARY_VERSIONS[format.library] ? { libraryVersion: LIBRARY_VERSIONS[format.library] } : {}),
    files: { ...(layout.config ? { config: layout.config } : {}), ...(layout.weights ? { weights: layout.weights } : {}), ...(layout.classifier ? { classifier: layout.classifier } : {}) },
    ...(input.metrics ? { metrics: { ...input.metrics } } : {}),
  };
  const byFile = new Map<string, Record<string, TensorToWrite>>(tensorFiles(layout).map((f) => [f, {}]));
  for (const [name, t] of Object.entries(input.tensors)) {
    const saved = savedTensor(layout, name);
    byFile.get(saved.file)![saved.name] = { dtype: 'F32', shape: t.shape, data: t.data };
  }

  const out: Record<string, Uint8Array> = {};
  if (layout.config && configJson !== undefined) out[layout.config] = new TextEncoder().encode(configJson);
  for (const [file, tensors] of byFile) out[file] = writeSafetensors(tensors, { format: 'pt' });
  out[MANIFEST_FILE] = new TextEncoder().encode(JSON.stringify(manifest, null, 2) + '\n');
  out[README_FILE] = new TextEncoder().encode(deltaReadme(manifest));
  return zipFiles(out, input.createdAt);
}

/** The versions of the libraries whose file formats the export follows, recorded in tabtune.json. */
const LIBRARY_VERSIONS: Partial<Record<DeltaLibrary, string>> = { peft: PEFT_VERSION, adapters: ADAPTERS_VERSION };

/** The text of the library's config file; a config the library cannot hold is refused (unsupported-config). */
function libraryConfig(format: DeltaFormat<MethodConfig>, { task, encoder, config }: DeltaExportInput): string {
  let json: Record<string, unknown>;
  try {
    json = format.toConfigJson(config, encoder.config, { labels: task.labels });
  } catch (e) {
    throw new DeltaExportError('unsupported-config', `Cannot export "${task.name}" for ${format.library}: ${(e as Error).message}`);
  }
  if (format.library === 'peft') return JSON.stringify(sortKeys({ ...json, ...peftCommonConfig(encoder.id, format.baseModel) }), null, 2) + '\n';
  if (format.library === 'adapters') return stringifyAdapterHubConfig({ ...json, model_name: encoder.id } as unknown as AdapterHubAdapterConfigFile);
  return JSON.stringify(json, null, 2) + '\n';
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
