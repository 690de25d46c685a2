/**
 * Parity of the tfjs BERT forward with PyTorch's BertModel (fixtures/encoder/, written by
 * scripts/py/golden_encoder.py and make_tiny_bert.py), on every backend that runs in Node.
 * Only positions with attention_mask = 1 are compared.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BackendName } from '../../runtime/backends';
import { initNodeBackend, uninstallNodeWebGpu } from '../../runtime/nodeBackends';
import type { Checkpoint, EncodedBatch } from '../types';
import { bertForward, inputsFromBatch } from './forward';
import { pool } from './pooling';
import { selectRows } from '../sentenceEncoder';
import { MINILM_DIR, readCheckpointDir, readEncoderFixture, TINY_BERT_DIR, type EncoderFixture } from './testing/fixtures';
import { BertWeights } from './weights';

/** Max |tfjs - PyTorch| over real tokens' hidden states and over sentence embeddings, f32 weights. */
const TOL_HIDDEN = 1e-4;
const TOL_EMBEDDING = 1e-4;

interface BackendRow {
  backend: BackendName;
  /** Fixture rows of the MiniLM batch to run: SwiftShader (~1 GFLOP/s) gets the short sentences only. */
  minilmRows: 'all' | number[];
}

const BACKENDS: BackendRow[] = [
  { backend: 'cpu', minilmRows: [0, 1, 2, 3, 4, 5, 6] }, // plain JS: the 128-token row alone takes ~50 s
  { backend: 'wasm', minilmRows: 'all' },
  { backend: 'webgpu', minilmRows: [0, 1, 2, 3, 4, 5, 6] }, // all but the 128-token row (SwiftShader: ~20 s)
];

const tiny = readEncoderFixture('tiny');
const minilm = readEncoderFixture('minilm');
const tinyCkpt = readCheckpointDir(TINY_BERT_DIR, 'tiny-bert');
const minilmCkpt = readCheckpointDir(MINILM_DIR, 'all-MiniLM-L6-v2');

/** Runs the forward on `rows` of a fixture: hidden [rows, seq, hidden] and pooled embeddings [rows, hidden]. */
async function run(weights: BertWeights, ckpt: Checkpoint, batch: EncodedBatch) {
  const [hidden, pooled] = tf.tidy(() => {
    const out = bertForward(weights, inputsFromBatch(batch));
    return [out.lastHiddenState, pool(out.lastHiddenState, out.attentionMask, ckpt.pooling)];
  });
  const result = { hidden: (await hidden.data()) as Float32Array, pooled: (await pooled.data()) as Float32Array };
  tf.dispose([hidden, pooled]);
  return result;
}

/** Max abs diff over real tokens. `actual` is [rows.length, seqLen, h]; the reference is the fixture's [b, s, h]. */
function hiddenDiff(actual: Float32Array, seqLen: number, fx: EncoderFixture, reference: string, rows: number[]): number {
  const ref = fx.tensors.get(reference)!;
  const { seq_len: s, hidden: h, attention_mask: mask } = fx.json;
  let max = 0;
  rows.forEach((r, i) => {
    for (let t = 0; t < seqLen; t++) {
      if (mask[r][t] !== 1) continue;
      for (let k = 0; k < h; k++) max = Math.max(max, Math.abs(actual[(i * seqLen + t) * h + k] - ref[(r * s + t) * h + k]));
    }
  });
  return max;
}

/** Per row: max abs diff and cosine against the reference embeddings [b, h]. */
function embeddingStats(actual: Float32Array, fx: EncoderFixture, reference: string, rows: number[]) {
  const ref = fx.tensors.get(reference)!;
  const h = fx.json.hidden;
  let maxAbs = 0;
  let minCos = 1;
  rows.forEach((r, i) => {
    let dot = 0;
    let na = 0;
    let nb = 0;
    for (let k = 0; k < h; k++) {
      const a = actual[i * h + k];
      const b = ref[r * h + k];
      maxAbs = Math.max(maxAbs, Math.abs(a - b));
      dot += a * b;
      na += a * a;
      nb += b * b;
    }
    minCos = Math.min(minCos, dot / Math.sqrt(na * nb));
  });
  return { maxAbs, minCos };
}

const allRows = (fx: EncoderFixture) => Array.from({ length: fx.json.batch }, (_, i) => i);
const measured: string[] = [];

describe.each(BACKENDS)('BERT parity on $backend', ({ backend, minilmRows }) => {
  let tinyWeights: BertWeights;
  let minilmWeights: BertWeights;

  beforeAll(async () => {
    const choice = await initNodeBackend(backend);
    // Never skip silently: a backend that cannot start fails with tfjs's or Dawn's reason.
    expect(choice.backend, `${backend} did not start: ${choice.fallbackReason}`).toBe(backend);
    tinyWeights = BertWeights.fromCheckpoint(tinyCkpt);
    minilmWeights = BertWeights.fromCheckpoint(minilmCkpt);
  });

  afterAll(() => {
    tinyWeights?.dispose();
    minilmWeights?.dispose();
    if (backend === 'webgpu') uninstallNodeWebGpu();
  });

  it('tiny f32 BERT: hidden states and embeddings match PyTorch', async () => {
    expect(tinyCkpt.fingerprint, 'fixtures/encoder/tiny.json is stale').toBe(tiny.json.model_sha256);
    const rows = allRows(tiny);
    const out = await run(tinyWeights, tinyCkpt, tiny.batch);
    const hidden = hiddenDiff(out.hidden, tiny.batch.seqLen, tiny, 'f32.last_hidden_state', rows);
    const emb = embeddingStats(out.pooled, tiny, 'f32.embeddings', rows);
    measured.push(`${backend} tiny: hidden max|d|=${hidden.toExponential(2)}, embeddings max|d|=${emb.maxAbs.toExponential(2)}`);
    expect(hidden).toBeLessThanOrEqual(TOL_HIDDEN);
    expect(emb.maxAbs).toBeLessThanOrEqual(TOL_EMBEDDING);
  });

  it('int8 MiniLM: matches PyTorch on the dequantised weights, and the original f32 model by cosine', async () => {
    expect(minilmCkpt.fingerprint, 'fixtures/encoder/minilm.json is stale').toBe(minilm.json.model_sha256);
    expect(minilmCkpt.quantization).toBe('int8');
    const rows = minilmRows === 'all' ? allRows(minilm) : minilmRows;
    const batch = minilmRows === 'all' ? minilm.batch : selectRows(minilm.batch, rows);
    const started = performance.now();
    const out = await run(minilmWeights, minilmCkpt, batch);
    const seconds = (performance.now() - started) / 1000;
    const hidden = hiddenDiff(out.hidden, batch.seqLen, minilm, 'dequant.last_hidden_state', rows);
    const dequant = embeddingStats(out.pooled, minilm, 'dequant.embeddings', rows);
    const original = embeddingStats(out.pooled, minilm, 'original.embeddings', rows);
    measured.push(
      `${backend} minilm [${rows.length}x${batch.seqLen}] ${seconds.toFixed(1)}s: hidden max|d|=${hidden.toExponential(2)}, ` +
        `embeddings max|d|=${dequant.maxAbs.toExponential(2)}, min cos vs original f32=${original.minCos.toFixed(6)}`,
    );
    expect(hidden).toBeLessThanOrEqual(TOL_HIDDEN);
    expect(dequant.maxAbs).toBeLessThanOrEqual(TOL_EMBEDDING);
    expect(original.minCos).toBeGreaterThanOrEqual(minilm.json.min_cosine_vs_original ?? 0.995);
  });
});

afterAll(() => {
  console.log(['BERT parity, measured:', ...measured].join('\n  '));
});
