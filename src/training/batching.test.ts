import { describe, expect, it } from 'vitest';
import { bucketBatches, epochOrder, ExampleBatcher, stratifiedSplit, type BatcherOptions, type LabelledExample } from './batching';
import { deriveSeed, Rng } from './rng';
import { ToyTokenizer } from './testing/fixtures';

/** 30 examples, labels 0 (20 of them) and 1 (10), lengths 1..6 words. */
const EXAMPLES: LabelledExample[] = Array.from({ length: 30 }, (_, i) => ({
  text: Array.from({ length: 1 + (i % 6) }, (_, w) => `w${(i * 7 + w) % 11}`).join(' '),
  label: i % 3 === 0 ? 1 : 0,
}));
const OPTS: BatcherOptions = { batchSize: 4, maxLength: 6, classBalanced: false, heldOutFraction: 0.2, bucketBatches: 2, seed: 5 };

describe('Rng', () => {
  it('is deterministic for a seed and differs across seeds and derived streams', () => {
    const draw = (seed: number) => Array.from({ length: 5 }, ((r) => () => r.nextUint32())(new Rng(seed)));
    expect(draw(1)).toEqual(draw(1));
    expect(draw(1)).not.toEqual(draw(2));
    expect(deriveSeed(1, 2, 0)).not.toBe(deriveSeed(1, 2, 1));
    const u = new Rng(9);
    for (let i = 0; i < 1000; i++) expect(u.int(7)).toBeLessThan(7);
    expect(new Rng(3).shuffle([1, 2, 3, 4, 5, 6]).sort()).toEqual([1, 2, 3, 4, 5, 6]);
  });
});

describe('stratifiedSplit', () => {
  it('holds out round(fraction * count) of each class, disjoint, seeded', () => {
    const labels = EXAMPLES.map((e) => e.label);
    const { train, heldOut } = stratifiedSplit(labels, 0.2, 5);
    expect(heldOut.filter((i) => labels[i] === 0)).toHaveLength(4);
    expect(heldOut.filter((i) => labels[i] === 1)).toHaveLength(2);
    expect([...train, ...heldOut].sort((a, b) => a - b)).toEqual(labels.map((_, i) => i));
    expect(stratifiedSplit(labels, 0.2, 5)).toEqual({ train, heldOut });
    expect(stratifiedSplit(labels, 0.2, 6).heldOut).not.toEqual(heldOut);
    expect(stratifiedSplit([0, 1, 1], 0.9, 1).train).toHaveLength(2); // one per class kept for training
  });
});

describe('epochOrder and bucketBatches', () => {
  it('class-balanced oversampling sees every class equally often and every example', () => {
    const labels = [0, 0, 0, 0, 0, 1, 1];
    const order = epochOrder([0, 1, 2, 3, 4, 5, 6], labels, true, new Rng(1));
    expect(order).toHaveLength(10);
    expect(order.filter((i) => labels[i] === 1)).toHaveLength(5);
    expect(new Set(order).size).toBe(7);
    expect(epochOrder([0, 1, 2, 3], labels, false, new Rng(1)).sort()).toEqual([0, 1, 2, 3]);
  });

  it('sorts by length within chunks, keeps every index once, shuffles batch order', () => {
    const lengths = [5, 1, 4, 2, 3, 6, 1, 2, 9, 8, 7, 3];
    const order = [...lengths.keys()];
    const batches = bucketBatches(order, lengths, 2, 3, new Rng(4)); // chunks of 6
    expect(batches.flat().sort((a, b) => a - b)).toEqual(order);
    const expected = [[1, 3], [4, 2], [0, 5], [6, 7], [11, 10], [9, 8]]; // each chunk of 6 sorted by length
    const key = (b: number[]) => b.join(',');
    expect(batches.map(key).sort()).toEqual(expected.map(key).sort());
    expect(batches).not.toEqual(expected);
    expect(bucketBatches(order, lengths, 5, 1, new Rng(4))).toEqual([[0, 1, 2, 3, 4], [5, 6, 7, 8, 9], [10, 11]]);
  });
});

describe('ExampleBatcher', () => {
  it('pads each batch to its own longest row and carries labels', () => {
    const batcher = new ExampleBatcher(EXAMPLES, new ToyTokenizer(), OPTS);
    const batches = batcher.epoch(0);
    expect(batches).toHaveLength(batcher.batchesPerEpoch);
    expect(batches.flatMap((b) => b.exampleIds).sort((a, b) => a - b)).toEqual([...batcher.trainIds]);
    for (const b of batches) {
      expect(b.seqLen).toBe(Math.max(...b.exampleIds.map((i) => batcher.lengths[i])));
      expect(Array.from(b.labels)).toEqual(b.exampleIds.map((i) => EXAMPLES[i].label));
      b.exampleIds.forEach((id, r) => {
        const maskRow = b.attentionMask.slice(r * b.seqLen, (r + 1) * b.seqLen);
        expect(maskRow.reduce((s, x) => s + x, 0)).toBe(batcher.lengths[id]);
      });
    }
    expect(Math.max(...batcher.lengths)).toBeLessThanOrEqual(OPTS.maxLength);
    expect(batcher.heldOut().flatMap((b) => b.exampleIds).sort((a, b) => a - b)).toEqual([...batcher.heldOutIds]);
  });

  it('one seed fixes every epoch; epochs and seeds differ', () => {
    const ids = (seed: number, epoch: number) =>
      new ExampleBatcher(EXAMPLES, new ToyTokenizer(), { ...OPTS, seed }).epoch(epoch).map((b) => b.exampleIds);
    expect(ids(5, 0)).toEqual(ids(5, 0));
    expect(ids(5, 1)).not.toEqual(ids(5, 0));
    expect(ids(6, 0)).not.toEqual(ids(5, 0));
  });

  it('class-balanced epochs are longer and balanced', () => {
    const batcher = new ExampleBatcher(EXAMPLES, new ToyTokenizer(), { ...OPTS, classBalanced: true });
    const labels = batcher.epoch(0).flatMap((b) => Array.from(b.labels));
    expect(labels.filter((l) => l === 0).length).toBe(labels.filter((l) => l === 1).length);
    expect(batcher.batchesPerEpoch).toBe(Math.ceil(labels.length / OPTS.batchSize));
  });
});
