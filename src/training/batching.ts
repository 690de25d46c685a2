/**
 * Mini-batches over labelled examples: a stratified held-out split, a per-epoch order that one seed fully
 * determines (optionally class-balanced by oversampling), length bucketing, and dynamic padding (each batch is
 * padded to its own longest row by the tokenizer).
 *
 * The planning functions are pure over indices; ExampleBatcher ties them to a tokenizer and is the
 * BatchSource the train loop reads.
 */
import type { EncodedBatch } from '../encoder/types';
import { deriveSeed, Rng } from './rng';

export interface LabelledExample {
  text: string;
  /** Class index in [0, numClasses). */
  label: number;
}

/** What batching needs from a tokenizer (WordPieceTokenizer satisfies it). */
export interface BatchTokenizer {
  encodeBatch(texts: string[], opts: { maxLength?: number }): EncodedBatch;
}

/** A tokenised mini-batch with its labels; `exampleIds` index the examples it was built from. */
export interface TrainBatch extends EncodedBatch {
  labels: Int32Array; // [batch]
  exampleIds: number[]; // [batch]
}

/** Where the train loop gets its batches; deterministic: the same epoch index gives the same batches. */
export interface BatchSource<B> {
  /** Number of training batches in each epoch (> 0). */
  readonly batchesPerEpoch: number;
  /** The training batches of epoch `epoch` (0-based), in order. */
  epoch(epoch: number): Iterable<B>;
  /** The held-out batches (empty when there is no held-out slice). */
  heldOut(): Iterable<B>;
}

/** Streams of randomness derived from the one seed (stable numbers: changing one changes every order). */
export const SEED_STREAM = { split: 1, epochOrder: 2, dropout: 3 } as const;

export class BatchingError extends Error {
  override name = 'BatchingError';
}

/**
 * A stratified split: in each class, a seeded shuffle puts round(count * fraction) examples in held-out,
 * keeping at least one per class for training. Both lists come back sorted.
 */
export function stratifiedSplit(labels: ArrayLike<number>, fraction: number, seed: number): { train: number[]; heldOut: number[] } {
  if (!(fraction >= 0 && fraction < 1)) throw new RangeError(`heldOutFraction must be in [0, 1), got ${fraction}.`);
  const rng = new Rng(deriveSeed(seed, SEED_STREAM.split));
  const train: number[] = [];
  const heldOut: number[] = [];
  for (const members of byClass(labels).values()) {
    rng.shuffle(members);
    const k = Math.min(Math.round(members.length * fraction), members.length - 1);
    heldOut.push(...members.slice(0, k));
    train.push(...members.slice(k));
  }
  const ascending = (a: number, b: number) => a - b;
  return { train: train.sort(ascending), heldOut: heldOut.sort(ascending) };
}

/** Indices grouped by label, classes in ascending label order, members in ascending index order. */
function byClass(labels: ArrayLike<number>, indices?: readonly number[]): Map<number, number[]> {
  const groups = new Map<number, number[]>();
  for (const i of indices ?? Array.from({ length: labels.length }, (_, j) => j)) {
    const label = labels[i];
    if (!groups.has(label)) groups.set(label, []);
    groups.get(label)!.push(i);
  }
  return new Map([...groups.entries()].sort((a, b) => a[0] - b[0]));
}

/**
 * Every index once, or with classBalanced every class as often as the largest one: a smaller class is repeated
 * in fresh shuffles of itself until it reaches that count. Then the whole list is shuffled.
 */
export function epochOrder(indices: readonly number[], labels: ArrayLike<number>, classBalanced: boolean, rng: Rng): number[] {
  if (!classBalanced) return rng.shuffle([...indices]);
  const groups = [...byClass(labels, indices).values()];
  const target = Math.max(0, ...groups.map((g) => g.length));
  const order: number[] = [];
  for (const members of groups) {
    for (let taken = 0; taken < target; taken += members.length) {
      order.push(...rng.shuffle([...members]).slice(0, target - taken));
    }
  }
  return rng.shuffle(order);
}

/**
 * Length bucketing: cuts `order` into chunks of `bucketBatches` batches, sorts each chunk by length (stable),
 * slices it into batches of `batchSize` (the last may be short), then shuffles the order of all batches.
 * bucketBatches <= 1 keeps the order as it is and only slices.
 */
export function bucketBatches(order: readonly number[], lengths: ArrayLike<number>, batchSize: number, bucketBatches: number, rng: Rng): number[][] {
  if (!(batchSize >= 1)) throw new RangeError(`batchSize must be >= 1, got ${batchSize}.`);
  const slice = (ids: readonly number[]) => {
    const out: number[][] = [];
    for (let i = 0; i < ids.length; i += batchSize) out.push(ids.slice(i, i + batchSize));
    return out;
  };
  if (bucketBatches <= 1) return slice(order);
  const batches: number[][] = [];
  const chunk = batchSize * bucketBatches;
  for (let start = 0; start < order.length; start += chunk) {
    const sorted = order.slice(start, start + chunk).sort((a, b) => lengths[a] - lengths[b]); // stable (ES2019)
    batches.push(...slice(sorted));
  }
  return rng.shuffle(batches);
}

export interface BatcherOptions {
  batchSize: number;
  /** Token cap per row, special tokens included. */
  maxLength: number;
  classBalanced: boolean;
  heldOutFraction: number;
  /** Batches per length-sorting chunk; <= 1 turns bucketing off. */
  bucketBatches: number;
  seed: number;
}

/** Examples tokenised at a time when measuring lengths (bounds the padded arrays). */
const LENGTH_CHUNK = 256;

/** Labelled examples -> TrainBatches for the train loop. */
export class ExampleBatcher implements BatchSource<TrainBatch> {
  readonly trainIds: readonly number[];
  readonly heldOutIds: readonly number[];
  readonly batchesPerEpoch: number;
  /** Token count of each example after truncation (padding excluded). */
  readonly lengths: Int32Array;
  private readonly labels: Int32Array;

  constructor(
    private readonly examples: readonly LabelledExample[],
    private readonly tokenizer: BatchTokenizer,
    private readonly opts: BatcherOptions,
  ) {
    if (examples.length === 0) throw new BatchingError('No examples to train on; add labelled examples first.');
    this.labels = Int32Array.from(examples, (e) => e.label);
    const split = stratifiedSplit(this.labels, opts.heldOutFraction, opts.seed);
    this.trainIds = split.train;
    this.heldOutIds = split.heldOut;
    this.lengths = this.measureLengths();
    const perEpoch = this.epochSize();
    this.batchesPerEpoch = Math.ceil(perEpoch / opts.batchSize);
  }

  epoch(epoch: number): TrainBatch[] {
    const rng = new Rng(deriveSeed(this.opts.seed, SEED_STREAM.epochOrder, epoch));
    const order = epochOrder(this.trainIds, this.labels, this.opts.classBalanced, rng);
    return bucketBatches(order, this.lengths, this.opts.batchSize, this.opts.bucketBatches, rng).map((ids) => this.batch(ids));
  }

  heldOut(): TrainBatch[] {
    // Sorted by length so held-out batches pad little; the order does not change the metrics.
    const order = [...this.heldOutIds].sort((a, b) => this.lengths[a] - this.lengths[b]);
    return bucketBatches(order, this.lengths, this.opts.batchSize, 1, new Rng(0)).map((ids) => this.batch(ids));
  }

  /** Tokenises the examples `ids` into one dynamically padded batch. */
  batch(ids: readonly number[]): TrainBatch {
    const encoded = this.tokenizer.encodeBatch(
      ids.map((i) => this.examples[i].text),
      { maxLength: this.opts.maxLength },
    );
    return { ...encoded, labels: Int32Array.from(ids, (i) => this.labels[i]), exampleIds: [...ids] };
  }

  private epochSize(): number {
    if (!this.opts.classBalanced) return this.trainIds.length;
    const counts = [...byClass(this.labels, this.trainIds).values()].map((g) => g.length);
    return counts.length * Math.max(...counts);
  }

  private measureLengths(): Int32Array {
    const lengths = new Int32Array(this.examples.length);
    for (let start = 0; start < this.examples.length; start += LENGTH_CHUNK) {
      const texts = this.examples.slice(start, start + LENGTH_CHUNK).map((e) => e.text);
      const { attentionMask, batch, seqLen } = this.tokenizer.encodeBatch(texts, { maxLength: this.opts.maxLength });
      for (let r = 0; r < batch; r++) {
        let n = 0;
        for (let s = 0; s < seqLen; s++) n += attentionMask[r * seqLen + s];
        lengths[start + r] = n;
      }
    }
    return lengths;
  }
}
