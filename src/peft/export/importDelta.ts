/**
 * An exported zip -> the task, the method's config and the tensors (Tabtune's names), validated whole before
 * anything is returned: nothing is created on a backend and nothing the caller holds is touched, so a failed
 * import leaves the studio as it was. Every failure is a DeltaImportError whose message says what to do.
 */
import * as tf from '@tensorflow/tfjs';
import type { BertConfig } from '../../encoder/types';
import { parseSafetensors, tensorData, type SafetensorsFile, type TensorView } from '../../encoder/weights/safetensors';
import type { MethodConfig } from '../registry';
import { DeltaImportError } from './errors';
import { formatOf } from './exportDelta';
import { expectedTensorShapes } from './expectedTensors';
import { DELTA_FORMAT_VERSION, EXPORT_LAYOUTS, layoutOf, MANIFEST_FILE, savedTensor, tabtuneTensorName, tensorFiles, type DeltaManifest, type ExportLayout, type TensorData } from './layout';
import { unzipVerified } from './zipArchive';

/** The encoder the studio has loaded (Checkpoint's fields). */
export interface ImportTarget {
  id: string;
  fingerprint: string;
  config: BertConfig;
}

export interface ImportedDelta {
  task: DeltaManifest['task'];
  /** The encoder and pooling it was trained with (the same encoder as the target's, checked). */
  encoder: DeltaManifest['encoder'];
  config: MethodConfig;
  /** Delta and head under Tabtune's names, as PeftClassifier.tensors() gives them. */
  tensors: Record<string, TensorData>;
  metrics?: Record<string, number>;
  createdAt: string;
}

export function importDelta(zip: Uint8Array, target: ImportTarget): ImportedDelta {
  const files = unzipVerified(zip);
  const manifest = readManifest(files);
  checkEncoder(manifest, target);

  const method = manifest.method?.method;
  const format = formatOf(manifest.method);
  const layout = format && layoutOf(format);
  if (!format || !layout) {
    throw new DeltaImportError('unknown-method', `This delta uses the method "${String(method)}", which this version of Tabtune cannot import. Update Tabtune, or export the task again with another method.`, MANIFEST_FILE);
  }
  if (manifest.library !== format.library) {
    throw new DeltaImportError('unknown-method', `tabtune.json says the delta is laid out for "${String(manifest.library)}", but Tabtune's ${method} is saved for "${format.library}". Export it again.`, MANIFEST_FILE);
  }
  const config = readConfig(files, layout.config, manifest, (json) => format.fromConfigJson(json, target.config));
  const weights = tensorFiles(layout).map((name) => ({ name, file: readWeights(files, name) }));
  const tensors = checkTensors(weights, layout, target.config, config, manifest.task.labels.length);
  return {
    task: manifest.task,
    encoder: manifest.encoder,
    config,
    tensors,
    ...(manifest.metrics ? { metrics: manifest.metrics } : {}),
    createdAt: manifest.createdAt,
  };
}

/** Imported data -> new tensors (the caller owns and disposes them), e.g. for loadDelta and LinearHead.load. */
export function dataToTensors(tensors: Record<string, TensorData>): Record<string, tf.Tensor> {
  return Object.fromEntries(Object.entries(tensors).map(([name, t]) => [name, tf.tensor(t.data, t.shape, 'float32')]));
}

function fileOf(files: Map<string, Uint8Array>, name: string, why: string): Uint8Array {
  const bytes = files.get(name);
  if (!bytes) throw new DeltaImportError('missing-file', `The zip has no ${name} (${why}). Export the task from Tabtune again; do not remove files from the zip.`, name);
  return bytes;
}

function parseJson(bytes: Uint8Array, name: string): Record<string, unknown> {
  try {
    const v = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) as unknown;
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new DeltaImportError('corrupt', `${name} in the zip is not a JSON object; the file was edited or damaged. Export the task again.`, name);
}

function readManifest(files: Map<string, Uint8Array>): DeltaManifest {
  const bytes = files.get(MANIFEST_FILE);
  if (!bytes) {
    const plain = files.has(EXPORT_LAYOUTS.peft.BertModel.weights) ? 'peft' : files.has(EXPORT_LAYOUTS.adapters.BertModel.weights) || files.has('pytorch_adapter.bin') ? 'AdapterHub' : undefined;
    const hint = plain ? ` It looks like a plain ${plain} adapter; Tabtune imports only deltas it exported itself, which know their encoder and labels.` : '';
    throw new DeltaImportError('missing-file', `The zip has no ${MANIFEST_FILE}, so it is not a delta exported by Tabtune.${hint}`, MANIFEST_FILE);
  }
  const m = parseJson(bytes, MANIFEST_FILE) as unknown as DeltaManifest;
  const corrupt = (why: string): never => {
    throw new DeltaImportError('corrupt', `${MANIFEST_FILE} is malformed (${why}). Export the task again.`, MANIFEST_FILE);
  };
  if (m.format !== 'tabtune-delta' || typeof m.version !== 'number') corrupt('it is not a Tabtune delta manifest');
  if (m.version > DELTA_FORMAT_VERSION) {
    throw new DeltaImportError('newer-version', `This delta was exported by a newer Tabtune (format version ${m.version}; this one reads up to ${DELTA_FORMAT_VERSION}). Update Tabtune to import it.`, MANIFEST_FILE);
  }
  const labels = m.task?.labels;
  if (!Array.isArray(labels) || labels.length < 2 || !labels.every((l) => typeof l === 'string')) corrupt('the task needs at least 2 string labels');
  if (typeof m.encoder?.fingerprint !== 'string' || typeof m.encoder.hiddenSize !== 'number') corrupt('the encoder is not described');
  if (typeof m.method !== 'object' || m.method === null) corrupt('the method config is missing');
  return m;
}

function checkEncoder(m: DeltaManifest, target: ImportTarget): void {
  const trained = `"${m.encoder.id}" (hidden size ${m.encoder.hiddenSize}, sha256 ${m.encoder.fingerprint.slice(0, 12)}…)`;
  if (m.encoder.hiddenSize !== target.config.hiddenSize || m.encoder.fingerprint !== target.fingerprint) {
    const which = m.encoder.hiddenSize !== target.config.hiddenSize ? `hidden size ${target.config.hiddenSize}` : `other weights (sha256 ${target.fingerprint.slice(0, 12)}…)`;
    throw new DeltaImportError('other-encoder', `This delta was trained for the encoder ${trained}, but the loaded encoder "${target.id}" has ${which}. Load ${m.encoder.id} first, then import the delta.`, MANIFEST_FILE);
  }
}

function readConfig(files: Map<string, Uint8Array>, configFile: string | undefined, m: DeltaManifest, parse: (json: Record<string, unknown>) => MethodConfig): MethodConfig {
  // The library's own config file is what the tensors were saved for; without one, tabtune.json's config is.
  const json = configFile ? parseJson(fileOf(files, configFile, `the ${m.method.method} config`), configFile) : (m.method as unknown as Record<string, unknown>);
  let config: MethodConfig;
  try {
    config = parse(json);
  } catch (e) {
    throw new DeltaImportError('bad-config', `${configFile ?? MANIFEST_FILE}: ${(e as Error).message} Train the task in Tabtune instead.`, configFile ?? MANIFEST_FILE);
  }
  if (config.method !== m.method.method) {
    throw new DeltaImportError('bad-config', `${configFile} describes a ${config.method} delta but tabtune.json says ${m.method.method}. Export the task again.`, configFile);
  }
  // Tabtune-only fields (dropout...) that the library's file does not carry come from tabtune.json.
  return { ...m.method, ...config } as MethodConfig;
}

function readWeights(files: Map<string, Uint8Array>, name: string): SafetensorsFile {
  const bytes = fileOf(files, name, 'the weights');
  try {
    return parseSafetensors(bytes.slice().buffer, name);
  } catch (e) {
    throw new DeltaImportError('corrupt', `${(e as Error).message.replace(/Re-download.*$/, '')}Export the task again.`, name);
  }
}

function checkTensors(weights: Array<{ name: string; file: SafetensorsFile }>, layout: ExportLayout, encoder: BertConfig, config: MethodConfig, classes: number): Record<string, TensorData> {
  const firstFile = weights[0]?.name ?? MANIFEST_FILE;
  let expected: Map<string, number[]>;
  try {
    expected = expectedTensorShapes(encoder, config, classes);
  } catch (e) {
    throw new DeltaImportError('bad-config', `The config cannot be built on this encoder: ${(e as Error).message}`, firstFile);
  }
  const saved = new Map<string, { name: string; fileName: string; view: TensorView }>();
  for (const { name: fileName, file } of weights) {
    const unknown: string[] = [];
    for (const [name, view] of file.tensors) {
      const tabtune = tabtuneTensorName(layout, fileName, name);
      if (!expected.has(tabtune) || savedTensor(layout, tabtune).file !== fileName || saved.has(tabtune)) unknown.push(name);
      else saved.set(tabtune, { name, fileName, view });
    }
    if (unknown.length) {
      const list = unknown.slice(0, 3).join(', ') + (unknown.length > 3 ? ` and ${unknown.length - 3} more` : '');
      throw new DeltaImportError('unknown-keys', `${fileName} holds tensors a ${config.method} delta with this config does not have: ${list}. It was edited or made by another tool; export it from Tabtune again.`, fileName);
    }
  }
  const out: Record<string, TensorData> = {};
  for (const [name, shape] of expected) {
    const s = saved.get(name);
    if (!s) {
      const where = savedTensor(layout, name);
      throw new DeltaImportError('missing-tensor', `${where.file} lacks the tensor "${where.name}" that its config needs. Export the task again.`, where.file);
    }
    const { view, fileName } = s;
    if (view.dtype !== 'F32' && view.dtype !== 'F16' && view.dtype !== 'BF16') {
      throw new DeltaImportError('bad-shape', `"${s.name}" is ${view.dtype}; Tabtune reads float tensors (F32, F16, BF16). Export the task again.`, fileName);
    }
    if (view.shape.join() !== shape.join()) {
      throw new DeltaImportError('bad-shape', `"${s.name}" has shape [${view.shape}], but this config on this encoder with ${classes} labels needs [${shape}]. Export the task again.`, fileName);
    }
    const data = tensorData(view) as Float32Array;
    if (!data.every(Number.isFinite)) {
      throw new DeltaImportError('non-finite', `"${s.name}" holds NaN or infinite values, so its predictions would be meaningless. Train the task again (a lower learning rate keeps training from diverging).`, fileName);
    }
    out[name] = { shape, data };
  }
  return out;
}
