/**
 * Truncation as HF `tokenizers` does it (utils/truncation.rs), as pure arithmetic on lengths. The budget is
 * max_length minus the special tokens the post-processor will add.
 */

export const TRUNCATION_STRATEGIES = ['LongestFirst', 'OnlyFirst', 'OnlySecond'] as const;
export type TruncationStrategy = (typeof TRUNCATION_STRATEGIES)[number];
export const TRUNCATION_DIRECTIONS = ['Right', 'Left'] as const;
export type TruncationDirection = (typeof TRUNCATION_DIRECTIONS)[number];

export interface TruncationParams {
  /** Budget for the sequences' own tokens (special tokens already subtracted). */
  maxLength: number;
  strategy: TruncationStrategy;
  /** 'Right' keeps the start of a sequence, 'Left' keeps its end. */
  direction: TruncationDirection;
}

/**
 * How many tokens of each sequence to keep. LongestFirst on a pair: if the shorter one fits in half the
 * budget, the longer one gets the rest; otherwise each gets half, the longer one (the pair on a tie) the odd one.
 */
export function truncatedLengths(lenA: number, lenB: number | undefined, params: TruncationParams): [number, number] {
  const b = lenB ?? 0;
  const max = params.maxLength;
  if (max === 0) return [0, 0];
  if (lenA + b <= max) return [lenA, b];
  const toRemove = lenA + b - max;
  if (params.strategy === 'LongestFirst') {
    if (lenB === undefined) return [lenA - toRemove, 0];
    let n1 = lenA;
    let n2 = lenB;
    const swap = n1 > n2;
    if (swap) [n1, n2] = [n2, n1];
    n2 = n1 > max ? n1 : Math.max(n1, max - n1);
    if (n1 + n2 > max) {
      n1 = Math.floor(max / 2);
      n2 = n1 + (max % 2);
    }
    return swap ? [n2, n1] : [n1, n2];
  }
  if (params.strategy === 'OnlySecond' && lenB === undefined) {
    throw new RangeError('Truncation strategy OnlySecond needs a second sequence.');
  }
  const target = params.strategy === 'OnlyFirst' ? lenA : b;
  if (target <= toRemove) {
    throw new RangeError(
      `Cannot truncate to ${max} tokens with strategy ${params.strategy}: the sequence it may cut has only ${target}.`,
    );
  }
  return params.strategy === 'OnlyFirst' ? [lenA - toRemove, b] : [lenA, b - toRemove];
}

/** Keeps `n` items of `xs` from the side `direction` says. */
export function keep<T>(xs: T[], n: number, direction: TruncationDirection): T[] {
  if (n >= xs.length) return xs;
  return direction === 'Right' ? xs.slice(0, n) : xs.slice(xs.length - n);
}
