/**
 * What the studio knows about the encoder: the model in use, a load in progress (bytes so far), and the last
 * load error. Plain data only; src/client/encoderClient.ts is its writer.
 */
import type { LoadProgress, ModelInfo, ModelSource, WireError } from '../protocol/messages';

/** A model source without its file contents, safe to keep in the store and show. */
export interface SourceSummary {
  kind: ModelSource['kind'];
  id: string;
  /** Where it comes from, in words: a URL, a Hub id, or the picked file names. */
  label: string;
}

export interface LoadingState {
  requestId: number;
  source: SourceSummary;
  /** The latest progress event, or null before the first one. */
  progress: LoadProgress | null;
  /** The files seen so far, in the order they started. */
  files: string[];
}

export interface EncoderSlice {
  /** The model in use; stays set while another one loads, and after a failed load. */
  model: ModelInfo | null;
  loading: LoadingState | null;
  /** The last completed load's final progress (the bar stays at 100% once done). */
  lastLoad: { source: SourceSummary; progress: LoadProgress } | null;
  /** The last load failure; cleared when a load starts. */
  error: { source: SourceSummary; error: WireError } | null;
}

export const initialEncoderSlice: EncoderSlice = { model: null, loading: null, lastLoad: null, error: null };

export function summariseSource(source: ModelSource): SourceSummary {
  switch (source.kind) {
    case 'url':
      return { kind: source.kind, id: source.id, label: source.baseUrl };
    case 'hub':
      return { kind: source.kind, id: source.id, label: `huggingface.co/${source.id}${source.revision ? `@${source.revision}` : ''}` };
    case 'files':
      return { kind: source.kind, id: source.id, label: Object.keys(source.files).join(', ') };
  }
}
