/**
 * Node-only: reads a golden parity fixture (fixtures/peft/, fixtures/adapters/, fixtures/prompts/; each folder's
 * README describes it): `<stem>.json` (the batch, labels, reference loss, AdamW settings and losses) and its
 * safetensors sidecar (`init.*` parameters, `grad.*` gradients, `logits`, `base.logits`, ...). Also the int8
 * fixtures (fixtures/int8/), which hold one step's references on the int8 tiny BERT and borrow the rest from an
 * f32 fixture.
 */
import { readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { REPO_ROOT } from '../../encoder/bert/testing/fixtures';
import type { EncodedBatch } from '../../encoder/types';
import { parseSafetensors, tensorData } from '../../encoder/weights/safetensors';

/** A sidecar's tensors by name, as flat f32 data and a shape. */
export type FixtureTensors = Map<string, { data: Float32Array; shape: number[] }>;

/** The fields every parity fixture has (scripts/py/common.py writes them the same way for every method). */
export interface ParityFixtureJson {
  labels: number[];
  /** Cross-entropy of the reference logits against `labels`. */
  loss: number;
  adamw: { lr: number; betas: [number, number]; eps: number; weight_decay: number; steps: number };
  /** The loss before each of the `adamw.steps` steps of torch.optim.AdamW and after the last: steps + 1 values. */
  adamw_losses: number[];
  /** The trainable tensors' fixture names (a `grad.<name>` sidecar tensor each), the head's as `classifier.*`. */
  trainable: string[];
}

export interface ParityFixture<J extends ParityFixtureJson = ParityFixtureJson> {
  json: J;
  batch: EncodedBatch;
  tensors: FixtureTensors;
}

/** The tensors of a safetensors file under `dir` (relative to the repository root). */
export function readFixtureTensors(dir: string, file: string): FixtureTensors {
  const bytes = readFileSync(join(REPO_ROOT, dir, file));
  const st = parseSafetensors(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
  const out: FixtureTensors = new Map();
  for (const [k, view] of st.tensors) out.set(k, { data: tensorData(view) as Float32Array, shape: view.shape });
  return out;
}

/** `<dir>/<stem>.json` and the sidecar it names (`tensors_file`), with its batch as an EncodedBatch. */
export function readParityFixture<J extends ParityFixtureJson>(dir: string, stem: string): ParityFixture<J> {
  const json = JSON.parse(readFileSync(join(REPO_ROOT, dir, `${stem}.json`), 'utf8'));
  const flat = (key: string) => Int32Array.from((json[key] as number[][]).flat());
  const batch: EncodedBatch = {
    inputIds: flat('input_ids'),
    attentionMask: flat('attention_mask'),
    tokenTypeIds: flat('token_type_ids'),
    batch: json.batch,
    seqLen: json.seq_len,
  };
  return { json, batch, tensors: readFixtureTensors(dir, json.tensors_file) };
}

/** The fixture's initial parameters (`init.<name>`) as tf tensors under `<name>`; the caller disposes them. */
export function initTensors(fx: ParityFixture): Record<string, tf.Tensor> {
  const out: Record<string, tf.Tensor> = {};
  for (const [k, t] of fx.tensors) if (k.startsWith('init.')) out[k.slice('init.'.length)] = tf.tensor(t.data, t.shape);
  return out;
}

/** fixtures/int8/<stem>.json (scripts/py/common.py, write_int8_fixture). */
export interface Int8FixtureJson {
  /** The f32 fixture (repo-relative .json) whose batch, labels and initial parameters this run started from. */
  f32_fixture: string;
  /** The int8 checkpoint PyTorch ran on, dequantised, and its sha256. */
  model_file: string;
  model_sha256: string;
  loss: number;
  trainable: string[];
  tensors_file: string;
}

/**
 * An int8 fixture joined with its f32 fixture into one ParityFixture: the f32 fixture's batch, labels and `init.*`
 * tensors, with the int8 run's loss, trainable list, gradients and logits in place of the f32 ones (no AdamW run).
 */
export function readInt8ParityFixture(stem: string): ParityFixture & { int8: Int8FixtureJson } {
  const dir = 'fixtures/int8';
  const int8 = JSON.parse(readFileSync(join(REPO_ROOT, dir, `${stem}.json`), 'utf8')) as Int8FixtureJson;
  const f32 = readParityFixture(dirname(int8.f32_fixture), basename(int8.f32_fixture, '.json'));
  const tensors: FixtureTensors = new Map([...f32.tensors].filter(([k]) => k.startsWith('init.')));
  for (const [k, t] of readFixtureTensors(dir, int8.tensors_file)) tensors.set(k, t);
  return { json: { ...f32.json, loss: int8.loss, trainable: int8.trainable, adamw_losses: [] }, batch: f32.batch, tensors, int8 };
}
