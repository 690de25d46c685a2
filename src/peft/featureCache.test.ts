/**
 * The frozen-embedding cache on the tiny BERT (cpu): a head-only classifier with it gives the logits, loss and head
 * gradients of one without it; the encoder runs once per distinct row, whatever the batch width; a head-only
 * training run with the cache follows the same losses as one without; other methods never use it; and a warm
 * cache keeps tensor counts flat over training steps.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCheckpointDir, TINY_BERT_DIR } from '../encoder/bert/testing/fixtures';
import { BertWeights } from '../encoder/bert/weights';
import { WordPieceTokenizer } from '../encoder/tokenizer';
import { initNodeBackend } from '../runtime/nodeBackends';
import { fitClassifier } from '../training/fitClassifier';
import { PeftClassifier } from './classifier';
import { FrozenEmbeddingCache, selectRows } from './featureCache';
import { LinearHead } from './head';
import { createDelta, PEFT_METHODS } from './registry';

const TEXTS = ['a good day', 'the worst film ever made', 'fun', 'i hate it', 'love this', 'a good day'];
/** Cached rows were computed in another batch width: f32 summation order only. */
const TOL = 1e-5;

const maxAbsDiff = async (a: tf.Tensor, b: tf.Tensor) => {
  const d = tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))));
  const v = (await d.data())[0];
  d.dispose();
  return v;
};

describe('FrozenEmbeddingCache', () => {
  const ckpt = readCheckpointDir(TINY_BERT_DIR);
  const tokenizer = WordPieceTokenizer.fromJSON(ckpt.tokenizerJson);
  let weights: BertWeights;

  beforeAll(async () => {
    await initNodeBackend('cpu');
    weights = BertWeights.fromCheckpoint(ckpt);
  });
  afterAll(() => weights?.dispose());

  const headOnly = (features?: FrozenEmbeddingCache) =>
    new PeftClassifier(weights, ckpt.pooling, createDelta(ckpt.config, PEFT_METHODS.head.defaults, 1), LinearHead.random(32, 3, 5), features);

  it('selectRows keeps the chosen rows, padded to the longest of them', () => {
    const batch = tokenizer.encodeBatch(TEXTS, {});
    const sub = selectRows(batch, [2, 0]);
    expect(sub.batch).toBe(2);
    expect(sub.seqLen).toBe(tokenizer.encodeBatch([TEXTS[0]], {}).seqLen); // 'a good day' is the longer of the two
    expect(Array.from(sub.inputIds.subarray(0, sub.seqLen)).filter((_, s) => sub.attentionMask[s] === 1))
      .toEqual(tokenizer.encode(TEXTS[2]).ids);
  });

  it('gives the logits, loss and head gradients of the uncached classifier, running the encoder once per distinct row', async () => {
    const cache = new FrozenEmbeddingCache(weights, ckpt.pooling);
    const plain = headOnly();
    const cached = headOnly(cache);
    const batch = tokenizer.encodeBatch(TEXTS, {});
    const labels = [0, 1, 2, 1, 0, 0];

    const [a, b] = [plain.logits(batch), cached.logits(batch)];
    expect(await maxAbsDiff(a, b)).toBeLessThan(TOL);
    expect(cache.stats()).toEqual({ rows: 5, hits: 1, misses: 5 }); // 'a good day' twice in one batch

    const gradsOf = (c: PeftClassifier) => tf.variableGrads(() => c.loss(batch, labels), c.trainableVariables());
    const [gp, gc] = [gradsOf(plain), gradsOf(cached)];
    expect(Math.abs((await gp.value.data())[0] - (await gc.value.data())[0])).toBeLessThan(TOL);
    const namesP = plain.trainableVariables().map((v) => v.name);
    const namesC = cached.trainableVariables().map((v) => v.name);
    for (let k = 0; k < namesP.length; k++) expect(await maxAbsDiff(gp.grads[namesP[k]], gc.grads[namesC[k]])).toBeLessThan(TOL);

    // Two of the rows again, in a batch of another width: all hits, same embeddings.
    const again = tokenizer.encodeBatch([TEXTS[2], TEXTS[3]], {});
    expect(again.seqLen).not.toBe(batch.seqLen);
    const e = cached.embeddings(again);
    const direct = plain.embeddings(again);
    expect(await maxAbsDiff(e, direct)).toBeLessThan(TOL);
    expect(cache.stats()).toEqual({ rows: 5, hits: 1 + 6 + 2, misses: 5 }); // logits, loss, then these two

    tf.dispose([a, b, gp.value, gc.value, ...Object.values(gp.grads), ...Object.values(gc.grads), e, direct]);
    plain.dispose();
    cached.dispose();
    cache.dispose();
  });

  it('trains a head-only classifier to the same losses as without the cache, with tensor counts flat once warm', async () => {
    const examples = TEXTS.slice(0, 5).map((text, i) => ({ text, label: i % 3 }));
    const config = { maxSteps: 12, batchSize: 2, lr: 5e-2, heldOutFraction: 0, patience: 0, seed: 3 };
    const lossesOf = async (features?: FrozenEmbeddingCache) => {
      const classifier = headOnly(features);
      const losses: number[] = [];
      const counts: number[] = [];
      await fitClassifier({
        classifier, tokenizer, examples, config,
        onEvent: (ev) => { if (ev.kind === 'step') { losses.push(ev.loss); counts.push(tf.memory().numTensors); } },
      });
      classifier.dispose();
      return { losses, counts };
    };
    const cache = new FrozenEmbeddingCache(weights, ckpt.pooling);
    const plain = await lossesOf();
    const cached = await lossesOf(cache);
    expect(cached.losses).toHaveLength(12);
    cached.losses.forEach((l, i) => expect(Math.abs(l - plain.losses[i])).toBeLessThan(TOL));
    expect(cache.stats().rows).toBe(5); // every text encoded once over 12 steps
    expect(cache.stats().misses).toBe(5);
    // Warm from the third step on (batches of 2 over 5 texts): no tensor added per step.
    expect(new Set(cached.counts.slice(3))).toEqual(new Set([cached.counts[3]]));
    cache.dispose();
  });

  it('is not used by a method that changes the encoder, and refuses another encoder', async () => {
    const cache = new FrozenEmbeddingCache(weights, ckpt.pooling);
    const lora = new PeftClassifier(weights, ckpt.pooling, createDelta(ckpt.config, PEFT_METHODS.lora.defaults, 1), LinearHead.random(32, 3, 5), cache);
    tf.dispose(lora.logits(tokenizer.encodeBatch(TEXTS, {})));
    expect(cache.stats().rows).toBe(0);
    lora.dispose();

    const other = BertWeights.fromCheckpoint(ckpt);
    expect(() => new PeftClassifier(other, ckpt.pooling, createDelta(ckpt.config, PEFT_METHODS.head.defaults, 1), LinearHead.random(32, 3, 5), cache))
      .toThrow(/another encoder/);
    other.dispose();
    cache.dispose();
  });

  it('round-trips through exportRows/importRows, starts over past maxRows, and frees every row on dispose', async () => {
    const before = tf.memory().numTensors;
    const batch = tokenizer.encodeBatch(TEXTS, {});
    const first = new FrozenEmbeddingCache(weights, ckpt.pooling);
    const a = first.embed(batch);
    const { keys, data } = await first.exportRows();
    expect(keys).toHaveLength(5);

    const second = new FrozenEmbeddingCache(weights, ckpt.pooling);
    second.importRows(keys, data);
    const b = second.embed(batch); // every row from the import: no encoder pass
    expect(second.stats()).toEqual({ rows: 5, hits: 6, misses: 0 });
    expect(await maxAbsDiff(a, b)).toBe(0);
    expect(() => second.importRows(keys, data.subarray(1))).toThrow(/rows of/);

    const small = new FrozenEmbeddingCache(weights, ckpt.pooling, 4);
    tf.dispose(small.embed(tokenizer.encodeBatch(TEXTS.slice(0, 3), {})));
    expect(small.stats().rows).toBe(3);
    tf.dispose(small.embed(tokenizer.encodeBatch(TEXTS.slice(3, 5), {}))); // 3 + 2 > 4: starts over with these two
    expect(small.stats().rows).toBe(2);

    tf.dispose([a, b]);
    [first, second, small].forEach((c) => c.dispose());
    expect(tf.memory().numTensors).toBe(before);
  });
});
