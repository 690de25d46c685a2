/**
 * The Files page: the open task's deltas (trained, imported or from a link) as plain summaries (the zip bytes
 * stay in IndexedDB until downloaded), an adapter import in progress and its outcome. src/client/filesData.ts
 * is the writer.
 */
import type { WireError } from '../protocol/messages';
import type { DeltaSource } from '../storage/db';

export interface DeltaSummary {
  id: string;
  taskId: string;
  runId: string | null;
  source: DeltaSource;
  createdAt: number;
  method: string;
  format: string;
  config: unknown;
  encoderFingerprint: string;
  metrics: Record<string, number | null>;
  /** Size of the zip. */
  bytes: number;
}

export interface FilesSlice {
  /** The task whose deltas `deltas` are (null before the first read). */
  taskId: string | null;
  /** Newest first. */
  deltas: DeltaSummary[];
  importing: boolean;
  /** The last import's failure: a DeltaImportError's code and message, or the label check's. */
  importError: WireError | null;
  /** What the last action did, in words ("Imported … as a LoRA adapter"). */
  notice: string | null;
  /** A failure to read, download or delete. */
  error: WireError | null;
}

export const initialFilesSlice: FilesSlice = { taskId: null, deltas: [], importing: false, importError: null, notice: null, error: null };
