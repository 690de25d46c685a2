/**
 * One text at a time: which texts were skipped this session, and an undo history. Which text comes next is
 * `pickNext`, a seam: today in insertion order; active learning (model guesses, uncertainty) plugs in here.
 */
import type { TextItem } from '../storage/db';

export type LabellingStep =
  | { kind: 'label'; textId: string; previous: number | null }
  | { kind: 'skip'; textId: string };

export interface LabellingSlice {
  skipped: string[];
  history: LabellingStep[];
}

export const initialLabellingSlice: LabellingSlice = { skipped: [], history: [] };

/** Chooses the next text to show; null when nothing is left. */
export type PickNext = (texts: readonly TextItem[], skipped: ReadonlySet<string>) => TextItem | null;

/** The first unlabelled, unskipped text in insertion order. */
export const pickInOrder: PickNext = (texts, skipped) => texts.find((t) => t.label === null && !skipped.has(t.id)) ?? null;

export function labelledCount(texts: readonly TextItem[]): number {
  let n = 0;
  for (const t of texts) if (t.label !== null) n++;
  return n;
}
