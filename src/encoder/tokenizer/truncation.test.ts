import { describe, expect, it } from 'vitest';
import { keep, truncatedLengths, type TruncationParams } from './truncation';

const longestFirst = (maxLength: number): TruncationParams => ({ maxLength, strategy: 'LongestFirst', direction: 'Right' });

describe('truncatedLengths', () => {
  it('leaves sequences that fit alone', () => {
    expect(truncatedLengths(3, 4, longestFirst(7))).toEqual([3, 4]);
    expect(truncatedLengths(10, undefined, longestFirst(10))).toEqual([10, 0]);
  });

  it('cuts a single sequence to the budget', () => {
    expect(truncatedLengths(10, undefined, longestFirst(4))).toEqual([4, 0]);
  });

  it('LongestFirst trims only the longer of a pair when the shorter fits in half', () => {
    expect(truncatedLengths(2, 10, longestFirst(6))).toEqual([2, 4]);
    expect(truncatedLengths(10, 2, longestFirst(6))).toEqual([4, 2]);
  });

  it('LongestFirst halves the budget when both are long; the longer (or the pair, on a tie) gets the odd token', () => {
    expect(truncatedLengths(10, 20, longestFirst(5))).toEqual([2, 3]);
    expect(truncatedLengths(20, 10, longestFirst(5))).toEqual([3, 2]);
    expect(truncatedLengths(10, 10, longestFirst(5))).toEqual([2, 3]);
    expect(truncatedLengths(4, 5, longestFirst(6))).toEqual([3, 3]);
  });

  it('a zero budget empties both', () => {
    expect(truncatedLengths(4, 5, longestFirst(0))).toEqual([0, 0]);
  });

  it('OnlyFirst / OnlySecond cut one side, and fail when it is too short', () => {
    expect(truncatedLengths(10, 3, { ...longestFirst(8), strategy: 'OnlyFirst' })).toEqual([5, 3]);
    expect(truncatedLengths(3, 10, { ...longestFirst(8), strategy: 'OnlySecond' })).toEqual([3, 5]);
    expect(() => truncatedLengths(2, 10, { ...longestFirst(5), strategy: 'OnlyFirst' })).toThrow(RangeError);
  });
});

describe('keep', () => {
  it('keeps the start for Right and the end for Left', () => {
    expect(keep([1, 2, 3, 4], 2, 'Right')).toEqual([1, 2]);
    expect(keep([1, 2, 3, 4], 2, 'Left')).toEqual([3, 4]);
  });
});
