/**
 * Texts in, sentence embeddings out: tokenizer -> frozen BERT -> pooling (+ L2 normalisation), as
 * sentence-transformers' `encode` does. Texts are sorted by token count and batched with dynamic padding (each
 * batch padded only to its own longest row), then the embeddings are put back in input order.
 */
import * as tf from '@tensorflow/tfjs';
import { BertWeights } from './bert/weights';
import { bertForward, inputsFromBatch } from './bert/forward';
import type { BertHooks } from './bert/hooks';
import { pool } from './bert/pooling';
import type { BertConfig, Checkpoint, EncodedBatch, PoolingConfig } from './types';

/** What the encoder needs from a tokenizer (WordPieceTokenizer in src/encoder/tokenizer/ provides it). */
export interface BatchTokenizer {
  encodeBatch(texts: string[], opts?: { maxLength?: number }): EncodedBatch;
}

export interface EmbedOptions {
  /** Tokens per text, [CLS] and [SEP] included; longer texts are truncated. */
  maxLength?: number;
  /** Texts per forward pass. */
  batchSize?: number;
}

export const EMBED_DEFAULTS: Required<EmbedOptions> = { maxLength: 128, batchSize: 32 };

export class SentenceEncoder {
  private constructor(
    private readonly weights: BertWeights,
    private readonly tokenizer: BatchTokenizer,
    readonly pooling: PoolingConfig,
    /** The checkpoint's sha256: identifies the encoder a classifier was trained on. */
    readonly fingerprint: string,
  ) {}

  /** Places the checkpoint's weights on the current tf backend; call initBackend first. */
  static fromCheckpoint(ckpt: Checkpoint, tokenizer: BatchTokenizer): SentenceEncoder {
    return new SentenceEncoder(BertWeights.fromCheckpoint(ckpt), tokenizer, ckpt.pooling, ckpt.fingerprint);
  }

  get config(): BertConfig {
    return this.weights.config;
  }

  /** The frozen weights, shared with classifiers trained on top (src/engine/trainHandler.ts); never assign or dispose them. */
  get frozenWeights(): BertWeights {
    this.assertLive();
    return this.weights;
  }

  /** Last hidden states [batch, seq, hidden] for a tokenized batch. The caller owns (and disposes) the result. */
  forwardHidden(batch: EncodedBatch, hooks?: BertHooks): tf.Tensor3D {
    this.assertLive();
    return tf.tidy(() => bertForward(this.weights, inputsFromBatch(batch), hooks).lastHiddenState);
  }

  /** Pooled (and, per the pooling config, normalised) embeddings [batch, hidden]. The caller owns the result. */
  embedBatch(batch: EncodedBatch, hooks?: BertHooks): tf.Tensor2D {
    this.assertLive();
    return tf.tidy(() => {
      const out = bertForward(this.weights, inputsFromBatch(batch), hooks);
      return pool(out.lastHiddenState, out.attentionMask, this.pooling);
    });
  }

  /** One embedding per text, in input order. Every tensor made here is disposed before it returns. */
  async embed(texts: string[], opts: EmbedOptions = {}): Promise<Float32Array[]> {
    this.assertLive();
    const { maxLength, batchSize } = { ...EMBED_DEFAULTS, ...opts };
    if (!(batchSize >= 1)) throw new Error(`batchSize must be at least 1, got ${batchSize}`);
    if (texts.length === 0) return [];
    const encoded = this.tokenizer.encodeBatch(texts, { maxLength });
    const lengths = realLengths(encoded);
    // Longest first, so the first batch shows the peak memory and later ones only shrink.
    const order = lengths.map((_, i) => i).sort((a, b) => lengths[b] - lengths[a] || a - b);
    const out = new Array<Float32Array>(texts.length);
    for (let start = 0; start < order.length; start += batchSize) {
      const rows = order.slice(start, start + batchSize);
      const pooled = this.embedBatch(selectRows(encoded, rows, lengths)); // [rows, hidden]
      let values: Float32Array;
      try {
        values = (await pooled.data()) as Float32Array; // async: webgpu cannot read synchronously in workers/Node
      } finally {
        pooled.dispose();
      }
      const h = pooled.shape[1];
      rows.forEach((row, i) => (out[row] = values.slice(i * h, (i + 1) * h)));
    }
    return out;
  }

  get isDisposed(): boolean {
    return this.weights.isDisposed;
  }

  dispose(): void {
    this.weights.dispose();
  }

  private assertLive(): void {
    if (this.weights.isDisposed) throw new Error('This SentenceEncoder was disposed; create a new one from the checkpoint.');
  }
}

/** Per row, the position after its last real token (the row's length once right padding is dropped). */
export function realLengths(batch: EncodedBatch): number[] {
  const lengths: number[] = [];
  for (let r = 0; r < batch.batch; r++) {
    let len = 0;
    for (let t = 0; t < batch.seqLen; t++) if (batch.attentionMask[r * batch.seqLen + t]) len = t + 1;
    lengths.push(len);
  }
  return lengths;
}

/** The given rows of a right-padded batch, re-padded to the longest of them (dynamic padding). */
export function selectRows(batch: EncodedBatch, rows: number[], lengths = realLengths(batch)): EncodedBatch {
  const seqLen = Math.max(1, ...rows.map((r) => lengths[r]));
  const take = (src: Int32Array) => {
    const dst = new Int32Array(rows.length * seqLen);
    rows.forEach((r, i) => dst.set(src.subarray(r * batch.seqLen, r * batch.seqLen + seqLen), i * seqLen));
    return dst;
  };
  return {
    inputIds: take(batch.inputIds),
    attentionMask: take(batch.attentionMask),
    tokenTypeIds: take(batch.tokenTypeIds),
    batch: rows.length,
    seqLen,
  };
}
