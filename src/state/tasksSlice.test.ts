import { describe, expect, it } from 'vitest';
import type { TextItem } from '../storage/db';
import { labelledCount, pickInOrder } from './labellingSlice';
import { parseLabelLines } from './tasksSlice';

describe('parseLabelLines', () => {
  it('reads one label per line with an optional description, dropping blanks and repeats', () => {
    expect(parseLabelLines('positive: pleased\n\nnegative\n  Positive : again\nurl: http://x')).toEqual([
      { name: 'positive', description: 'pleased' },
      { name: 'negative', description: '' },
      { name: 'url', description: 'http://x' },
    ]);
  });
});

describe('pickInOrder', () => {
  const text = (id: string, label: number | null, order: number): TextItem => ({ id, taskId: 't', text: id, label, order, labelledAt: null });
  const texts = [text('a', 0, 0), text('b', null, 1), text('c', null, 2)];

  it('shows the first unlabelled, unskipped text', () => {
    expect(pickInOrder(texts, new Set())?.id).toBe('b');
    expect(pickInOrder(texts, new Set(['b']))?.id).toBe('c');
    expect(pickInOrder(texts, new Set(['b', 'c']))).toBeNull();
    expect(labelledCount(texts)).toBe(1);
  });
});
