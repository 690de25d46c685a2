import { describe, expect, it } from 'vitest';
import type { TextItem } from '../storage/db';
import { guessOf, margin, pickLeastSure, predictionsCsv } from './predictSlice';
import { weightHistogram } from './trainingSlice';

const text = (id: string, label: number | null, body = id): TextItem => ({ id, taskId: 't', text: body, label, order: 0, labelledAt: null });

describe('active learning', () => {
  it('picks the unlabelled, unskipped text with the smallest margin, then unscored ones in order', () => {
    const texts = [text('a', null), text('b', null), text('c', 1), text('d', null), text('e', null)];
    const byTextId = { a: [0.9, 0.1], b: [0.55, 0.45], c: [0.5, 0.5], d: [0.6, 0.4] };
    const pick = pickLeastSure(byTextId);
    expect(pick(texts, new Set())?.id).toBe('b');
    expect(pick(texts, new Set(['b']))?.id).toBe('d');
    expect(pick(texts, new Set(['a', 'b', 'd']))?.id).toBe('e');
    expect(pick(texts, new Set(['a', 'b', 'd', 'e']))).toBeNull();
  });

  it('measures margins and guesses', () => {
    expect(margin([0.2, 0.5, 0.3])).toBeCloseTo(0.2);
    expect(guessOf([0.2, 0.5, 0.3])).toEqual({ label: 1, confidence: 0.5 });
  });
});

describe('predictionsCsv', () => {
  it('quotes text with commas, quotes and newlines, and skips unscored texts', () => {
    const csv = predictionsCsv([text('a', null, 'say "hi", twice\nplease'), text('b', null)], { a: [0.25, 0.75] }, ['pos', 'neg']);
    expect(csv).toBe('text,predicted,confidence,p_pos,p_neg\r\n"say ""hi"", twice\nplease",neg,0.7500,0.2500,0.7500\r\n');
  });
});

describe('weightHistogram', () => {
  it('bins weights over [0, max] and counts each once', () => {
    const bins = weightHistogram([0, 0.1, 0.5, 1], 4);
    expect(bins.map((b) => b.count)).toEqual([2, 0, 1, 1]);
    expect(bins[3].to).toBeCloseTo(1);
  });
});
