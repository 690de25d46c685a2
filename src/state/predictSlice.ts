/**
 * What the latest classifier of the open task says: probabilities for its unlabelled texts (which drive active
 * learning: the next text to label is the one it is least sure about) and for a text typed on the Try page.
 */
import type { TextItem } from '../storage/db';
import type { PickNext } from './labellingSlice';
import type { ShownError } from './tasksSlice';

export interface PredictSlice {
  /** The delta the probabilities come from. */
  deltaId: string | null;
  /** textId -> class probabilities. */
  byTextId: Record<string, number[]>;
  /** Texts predicted so far / to predict, while a batch runs. */
  progress: { done: number; total: number } | null;
  tryText: string;
  tryResult: { text: string; probabilities: number[] } | null;
  running: boolean;
  error: ShownError | null;
}

export const initialPredictSlice: PredictSlice = { deltaId: null, byTextId: {}, progress: null, tryText: '', tryResult: null, running: false, error: null };

/** Top-1 minus top-2 probability: small means unsure. */
export function margin(probabilities: readonly number[]): number {
  let first = -Infinity;
  let second = -Infinity;
  for (const p of probabilities) {
    if (p > first) [first, second] = [p, first];
    else if (p > second) second = p;
  }
  return second === -Infinity ? 1 : first - second;
}

/** The argmax class and its probability. */
export function guessOf(probabilities: readonly number[]): { label: number; confidence: number } {
  let label = 0;
  for (let i = 1; i < probabilities.length; i++) if (probabilities[i] > probabilities[label]) label = i;
  return { label, confidence: probabilities[label] ?? 0 };
}

/**
 * Active learning: of the unlabelled, unskipped texts the model has scored, the one with the smallest margin
 * (ties: insertion order); texts it has not scored come after, in order.
 */
export function pickLeastSure(byTextId: Readonly<Record<string, number[]>>): PickNext {
  return (texts: readonly TextItem[], skipped: ReadonlySet<string>) => {
    let best: TextItem | null = null;
    let bestMargin = Infinity;
    let firstUnscored: TextItem | null = null;
    for (const t of texts) {
      if (t.label !== null || skipped.has(t.id)) continue;
      const p = byTextId[t.id];
      if (!p) {
        firstUnscored ??= t;
        continue;
      }
      const m = margin(p);
      if (m < bestMargin) [best, bestMargin] = [t, m];
    }
    return best ?? firstUnscored;
  };
}

/** Predictions as CSV (RFC 4180 quoting): text, predicted label, confidence, then one column per label. */
export function predictionsCsv(texts: readonly TextItem[], byTextId: Readonly<Record<string, number[]>>, labels: readonly string[]): string {
  const quote = (cell: string) => (/[",\r\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell);
  const rows = [['text', 'predicted', 'confidence', ...labels.map((l) => `p_${l}`)].map(quote).join(',')];
  for (const t of texts) {
    const p = byTextId[t.id];
    if (!p) continue;
    const { label, confidence } = guessOf(p);
    rows.push([quote(t.text), quote(labels[label] ?? String(label)), confidence.toFixed(4), ...p.map((x) => x.toFixed(4))].join(','));
  }
  return `${rows.join('\r\n')}\r\n`;
}
