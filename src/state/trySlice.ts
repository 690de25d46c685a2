/** The "try the encoder" panel: the texts typed, and the similarity matrix of the last run. */
import type { WireError } from '../protocol/messages';

export interface SimilarityResult {
  texts: string[];
  /** Cosine similarities, similarity[i][j] for texts i and j. */
  similarity: number[][];
  dim: number;
  elapsedMs: number;
  backend: string;
  modelId: string;
}

export interface TrySlice {
  text: string;
  running: boolean;
  result: SimilarityResult | null;
  error: WireError | null;
}

export const DEFAULT_TRY_TEXT = [
  'The movie was a delight from start to finish.',
  'I really enjoyed this film; it was wonderful.',
  'The invoice is due at the end of the month.',
].join('\n');

export const initialTrySlice: TrySlice = { text: DEFAULT_TRY_TEXT, running: false, result: null, error: null };

/** One text per non-empty line, trimmed. */
export function parseTryText(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
}
