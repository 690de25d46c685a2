/**
 * Tabtune's own seeded PRNG, so that one seed fully determines a training run on every backend and browser
 * (Math.random cannot be seeded). mulberry32 for the stream, and a splitmix32-style mix to derive independent
 * sub-seeds ("the order of epoch 3", "the dropout seed of step 17") from one user seed.
 */

/** A 32-bit integer hash (splitmix32 finaliser): nearby inputs give unrelated outputs. */
function mix32(x: number): number {
  x = (x + 0x9e3779b9) | 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/**
 * A seed for an independent stream, from a parent seed and a list of integer labels,
 * e.g. deriveSeed(seed, STREAM.epochOrder, epoch). Always a uint32.
 */
export function deriveSeed(seed: number, ...labels: number[]): number {
  let h = mix32(seed >>> 0);
  for (const label of labels) h = mix32((h ^ mix32(label >>> 0)) >>> 0);
  return h;
}

/** mulberry32: a small, fast 32-bit generator, period 2^32, good enough for shuffles and sampling. */
export class Rng {
  private state: number;

  constructor(seed: number) {
    if (!Number.isFinite(seed)) throw new RangeError(`Rng: seed must be a finite number, got ${seed}.`);
    this.state = seed >>> 0;
  }

  /** Uniform uint32. */
  nextUint32(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    if (!(n >= 1)) throw new RangeError(`Rng.int: n must be >= 1, got ${n}.`);
    return Math.floor(this.next() * n);
  }

  /** Fisher-Yates shuffle, in place; returns the same array. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [items[i], items[j]] = [items[j], items[i]];
    }
    return items;
  }
}
