/**
 * Sentence embeddings of the frozen encoder, computed once per distinct text and kept.
 *
 * A classifier whose delta leaves the encoder as it is (Delta.frozenEncoder: head-only) sees the
 * same pooled embedding for a text at every step, in every seed and in every self-training round. With this cache
 * such a classifier runs the encoder once per distinct text, and every later step is the head alone: a head-only
 * run over 100 steps of 16 labels, or a LiST run that pseudo-labels the same pool each round, costs one encoder
 * pass per text instead of one per use.
 *
 * Rows are keyed by their token ids and token types (padding dropped), so the same text tokenised in two batches
 * of different widths hits the same entry. An entry is what the encoder gave the first time the row was seen, in
 * whatever batch it came in; the same row in another batch differs from it by f32 summation order only (~1e-7).
 * The cache holds one kept tensor per row (hidden floats each) until dispose(); when a batch would take it past
 * maxRows it starts over empty (a studio predicting 100,000 texts must not keep 100,000 GPU buffers); a single
 * batch with more distinct rows than maxRows is still kept whole.
 */
import * as tf from '@tensorflow/tfjs';
import { bertForward, inputsFromBatch } from '../encoder/bert/forward';
import { pool } from '../encoder/bert/pooling';
import type { BertWeights } from '../encoder/bert/weights';
import type { EncodedBatch, PoolingConfig } from '../encoder/types';

/** Rows of a padded batch, padded to the longest of them (not to the original width). */
export function selectRows(batch: EncodedBatch, rows: readonly number[]): EncodedBatch {
  const lengths = rows.map((r) => rowLength(batch, r));
  const seqLen = Math.max(1, ...lengths);
  const inputIds = new Int32Array(rows.length * seqLen);
  const attentionMask = new Int32Array(rows.length * seqLen);
  const tokenTypeIds = new Int32Array(rows.length * seqLen);
  rows.forEach((r, j) => {
    const from = r * batch.seqLen;
    const to = from + seqLen;
    inputIds.set(batch.inputIds.subarray(from, to), j * seqLen);
    attentionMask.set(batch.attentionMask.subarray(from, to), j * seqLen);
    tokenTypeIds.set(batch.tokenTypeIds.subarray(from, to), j * seqLen);
  });
  return { inputIds, attentionMask, tokenTypeIds, batch: rows.length, seqLen };
}

/** Tokens of row r that the attention mask keeps (rows are left-aligned: padding trails). */
function rowLength(batch: EncodedBatch, r: number): number {
  let len = 0;
  for (let s = 0; s < batch.seqLen; s++) len += batch.attentionMask[r * batch.seqLen + s];
  return len;
}

function rowKey(batch: EncodedBatch, r: number): string {
  const from = r * batch.seqLen;
  const len = rowLength(batch, r);
  return `${batch.inputIds.subarray(from, from + len).join(',')}|${batch.tokenTypeIds.subarray(from, from + len).join(',')}`;
}

export class FrozenEmbeddingCache {
  private readonly rows = new Map<string, tf.Tensor1D>();
  private hits = 0;
  private misses = 0;

  constructor(
    /** The frozen encoder; a classifier uses the cache only over these very weights. */
    readonly weights: BertWeights,
    readonly pooling: PoolingConfig,
    /** At most this many rows are kept (20,000 x 384 floats is 31 MB). */
    readonly maxRows = 20_000,
  ) {}

  /** Distinct rows held, and how many lookups found their row already there. */
  stats(): { rows: number; hits: number; misses: number } {
    return { rows: this.rows.size, hits: this.hits, misses: this.misses };
  }

  /** Pooled embeddings [batch, hidden] of the frozen encoder (no delta), running it only on rows not seen yet. */
  embed(batch: EncodedBatch): tf.Tensor2D {
    const keys = Array.from({ length: batch.batch }, (_, r) => rowKey(batch, r));
    let missing = [...new Set(keys.filter((key) => !this.rows.has(key)))];
    if (this.rows.size + missing.length > this.maxRows) {
      this.dispose();
      missing = [...new Set(keys)];
    }
    this.misses += missing.length;
    this.hits += keys.length - missing.length;
    if (missing.length > 0) {
      const firstRow = new Map<string, number>();
      keys.forEach((key, r) => { if (!firstRow.has(key)) firstRow.set(key, r); });
      const fresh = tf.tidy(() => {
        const sub = selectRows(batch, missing.map((key) => firstRow.get(key)!));
        const out = bertForward(this.weights, inputsFromBatch(sub));
        return tf.unstack(pool(out.lastHiddenState, out.attentionMask, this.pooling)) as tf.Tensor1D[];
      });
      // kept: the caller's tidy (logits, loss, a training step) must not free them
      missing.forEach((key, j) => this.rows.set(key, tf.keep(fresh[j])));
    }
    return tf.stack(keys.map((key) => this.rows.get(key)!)) as tf.Tensor2D;
  }

  /** Every row as plain data (keys, and their embeddings row-major), to keep across processes. */
  async exportRows(): Promise<{ keys: string[]; data: Float32Array }> {
    const keys = [...this.rows.keys()];
    if (keys.length === 0) return { keys, data: new Float32Array(0) };
    const all = tf.stack(keys.map((key) => this.rows.get(key)!));
    const data = (await all.data()) as Float32Array;
    all.dispose();
    return { keys, data };
  }

  /** Adds rows exported by exportRows() from the same encoder and pooling (the caller checks that); known keys are kept. */
  importRows(keys: readonly string[], data: Float32Array): void {
    const hidden = this.weights.config.hiddenSize;
    if (data.length !== keys.length * hidden) throw new Error(`Expected ${keys.length} rows of ${hidden} floats, got ${data.length} floats.`);
    keys.forEach((key, i) => {
      if (!this.rows.has(key)) this.rows.set(key, tf.keep(tf.tensor1d(data.slice(i * hidden, (i + 1) * hidden))));
    });
  }

  /** Frees every kept row. */
  dispose(): void {
    tf.dispose([...this.rows.values()]);
    this.rows.clear();
  }
}
