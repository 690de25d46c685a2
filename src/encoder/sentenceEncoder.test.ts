import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BackendName } from '../runtime/backends';
import { initNodeBackend, uninstallNodeWebGpu } from '../runtime/nodeBackends';
import { MINILM_DIR, readCheckpointDir, readEncoderFixture, TINY_BERT_DIR, type EncoderFixture } from './bert/testing/fixtures';
import { realLengths, selectRows, SentenceEncoder, type BatchTokenizer } from './sentenceEncoder';
import type { EncodedBatch } from './types';

const TOL_EMBEDDING = 1e-4;

/**
 * Stands in for the WordPiece tokenizer: answers with the fixture's own token ids (so these tests do not
 * depend on the tokenizer), padded to the longest requested text, and records what it was asked.
 */
class FixtureTokenizer implements BatchTokenizer {
  readonly calls: Array<{ texts: string[]; maxLength?: number }> = [];
  constructor(private readonly fx: EncoderFixture) {}

  encodeBatch(texts: string[], opts?: { maxLength?: number }): EncodedBatch {
    this.calls.push({ texts, maxLength: opts?.maxLength });
    const rows = texts.map((t) => {
      const r = this.fx.json.texts.indexOf(t);
      if (r < 0) throw new Error(`FixtureTokenizer does not know ${JSON.stringify(t)}`);
      return r;
    });
    return selectRows(this.fx.batch, rows);
  }
}

/** A permutation that puts short and long texts next to each other, so sorting has work to do. */
const shuffled = (n: number) => Array.from({ length: n }, (_, i) => (i * 5 + 3) % n);

interface Row {
  backend: BackendName;
  fixture: 'tiny' | 'minilm';
  reference: string;
}

// SwiftShader WebGPU runs the tiny model only; MiniLM's ordering and parity run on wasm.
const ROWS: Row[] = [
  { backend: 'cpu', fixture: 'tiny', reference: 'f32.embeddings' },
  { backend: 'webgpu', fixture: 'tiny', reference: 'f32.embeddings' },
  { backend: 'wasm', fixture: 'minilm', reference: 'dequant.embeddings' },
];

describe.each(ROWS)('SentenceEncoder on $backend ($fixture)', ({ backend, fixture, reference }) => {
  const fx = readEncoderFixture(fixture);
  const ckpt = readCheckpointDir(fixture === 'tiny' ? TINY_BERT_DIR : MINILM_DIR);
  const tokenizer = new FixtureTokenizer(fx);
  let encoder: SentenceEncoder;

  beforeAll(async () => {
    const choice = await initNodeBackend(backend);
    expect(choice.backend, `${backend} did not start: ${choice.fallbackReason}`).toBe(backend);
    encoder = SentenceEncoder.fromCheckpoint(ckpt, tokenizer);
  });

  afterAll(() => {
    encoder?.dispose();
    if (backend === 'webgpu') uninstallNodeWebGpu();
  });

  it('embeds in input order, batch by batch, matching PyTorch, without leaking tensors', async () => {
    const order = shuffled(fx.json.batch);
    const texts = order.map((r) => fx.json.texts[r]);
    const before = tf.memory().numTensors;
    const embeddings = await encoder.embed(texts, { batchSize: 3, maxLength: 64 });
    expect(tf.memory().numTensors).toBe(before);

    expect(tokenizer.calls.at(-1)?.maxLength).toBe(64);
    const ref = fx.tensors.get(reference)!;
    const h = fx.json.hidden;
    let maxAbs = 0;
    embeddings.forEach((e, i) => {
      expect(e.length).toBe(h);
      const r = order[i];
      for (let k = 0; k < h; k++) maxAbs = Math.max(maxAbs, Math.abs(e[k] - ref[r * h + k]));
    });
    expect(maxAbs).toBeLessThanOrEqual(TOL_EMBEDDING);
  });

  it('forwardHidden returns one [batch, seq, hidden] tensor owned by the caller', () => {
    const batch = selectRows(fx.batch, [1, 0]);
    const before = tf.memory().numTensors;
    const hidden = encoder.forwardHidden(batch);
    expect(hidden.shape).toEqual([2, batch.seqLen, encoder.config.hiddenSize]);
    expect(tf.memory().numTensors).toBe(before + 1);
    hidden.dispose();
  });

  it('defaults to maxLength 128 and handles no texts', async () => {
    expect(await encoder.embed([])).toEqual([]);
    await encoder.embed([fx.json.texts[1]]);
    expect(tokenizer.calls.at(-1)?.maxLength).toBe(128);
  });
});

describe('dynamic padding helpers', () => {
  const batch: EncodedBatch = {
    inputIds: Int32Array.from([101, 7, 102, 0, 101, 102, 0, 0, 101, 5, 6, 102]),
    attentionMask: Int32Array.from([1, 1, 1, 0, 1, 1, 0, 0, 1, 1, 1, 1]),
    tokenTypeIds: new Int32Array(12),
    batch: 3,
    seqLen: 4,
  };

  it('measures rows up to their last real token', () => {
    expect(realLengths(batch)).toEqual([3, 2, 4]);
  });

  it('re-pads selected rows to their own longest row', () => {
    const sub = selectRows(batch, [1, 0]);
    expect(sub.seqLen).toBe(3);
    expect(Array.from(sub.inputIds)).toEqual([101, 102, 0, 101, 7, 102]);
    expect(Array.from(sub.attentionMask)).toEqual([1, 1, 0, 1, 1, 1]);
  });
});

describe('SentenceEncoder lifecycle', () => {
  it('frees its weights on dispose and refuses to run afterwards', async () => {
    await initNodeBackend('cpu');
    const fx = readEncoderFixture('tiny');
    const before = tf.memory().numTensors;
    const encoder = SentenceEncoder.fromCheckpoint(readCheckpointDir(TINY_BERT_DIR), new FixtureTokenizer(fx));
    expect(tf.memory().numTensors).toBeGreaterThan(before);
    encoder.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(encoder.isDisposed).toBe(true);
    await expect(encoder.embed(['x'])).rejects.toThrow(/disposed/);
  });
});

describe('SentenceEncoder with the real WordPiece tokenizer (end to end)', () => {
  it('embeds the MiniLM fixture texts like sentence-transformers, on wasm', async () => {
    const { WordPieceTokenizer } = await import('./tokenizer');
    await initNodeBackend('wasm');
    const fx = readEncoderFixture('minilm');
    const ckpt = readCheckpointDir(MINILM_DIR);
    const encoder = SentenceEncoder.fromCheckpoint(ckpt, WordPieceTokenizer.fromJSON(ckpt.tokenizerJson));
    try {
      const embeddings = await encoder.embed(fx.json.texts);
      const ref = fx.tensors.get('dequant.embeddings')!;
      const h = fx.json.hidden;
      const maxAbs = Math.max(...embeddings.map((e, r) => e.reduce((m, x, k) => Math.max(m, Math.abs(x - ref[r * h + k])), 0)));
      expect(maxAbs).toBeLessThanOrEqual(TOL_EMBEDDING);
    } finally {
      encoder.dispose();
    }
  });
});
