/**
 * The studio's one zustand store, one slice per domain. Slices hold plain, serialisable data; the encoder
 * client (src/client/) writes the encoder/backend/try slices, and the small actions below cover what the UI
 * changes on its own. Components select narrowly (`useStudio((s) => s.encoder.model)`, `useShallow` for
 * several fields).
 */
import { create } from 'zustand';
import { initialBackendSlice, type BackendSlice } from './backendSlice';
import { initialEncoderSlice, type EncoderSlice } from './encoderSlice';
import { PAGES, pageFromHash, type NavigationSlice, type PageId } from './navigationSlice';
import { readBackendPreference } from './preferences';
import { initialImportSlice, type ImportSlice } from './importSlice';
import { initialLabellingSlice, type LabellingSlice } from './labellingSlice';
import { initialTasksSlice, type TasksSlice } from './tasksSlice';
import { initialTrySlice, type TrySlice } from './trySlice';
import { initialFilesSlice, type FilesSlice } from './filesSlice';
import { initialShareSlice, type ShareSlice } from './shareSlice';
import { initialTrainingSlice, type TrainingSlice } from './trainingSlice';
import { initialPredictSlice, type PredictSlice } from './predictSlice';

export interface StudioState {
  encoder: EncoderSlice;
  backend: BackendSlice;
  tryout: TrySlice;
  navigation: NavigationSlice;
  tasks: TasksSlice;
  importing: ImportSlice;
  labelling: LabellingSlice;
  files: FilesSlice;
  sharing: ShareSlice;
  training: TrainingSlice;
  predict: PredictSlice;
}

export const useStudio = create<StudioState>()(() => ({
  encoder: initialEncoderSlice,
  backend: initialBackendSlice(readBackendPreference()),
  tryout: initialTrySlice,
  navigation: { page: pageFromHash(globalThis.location?.hash ?? '') },
  tasks: initialTasksSlice,
  importing: initialImportSlice,
  labelling: initialLabellingSlice,
  files: initialFilesSlice,
  sharing: initialShareSlice,
  training: initialTrainingSlice,
  predict: initialPredictSlice,
}));

/** The store's handle as the client sees it: read and write, no React. */
export type StudioStore = Pick<typeof useStudio, 'getState' | 'setState' | 'subscribe'>;

/** Replaces part of one slice of `store` (the app's store unless told otherwise). */
export function patchSlice<K extends keyof StudioState>(
  key: K,
  patch: Partial<StudioState[K]>,
  store: StudioStore = useStudio,
): void {
  store.setState((s) => ({ [key]: { ...s[key], ...patch } }) as Pick<StudioState, K>);
}

// ---- UI-only actions -------------------------------------------------------------------------------------

export function setTryText(text: string): void {
  patchSlice('tryout', { text });
}

export function navigate(page: PageId): void {
  patchSlice('navigation', { page });
  if (globalThis.location && globalThis.location.hash !== PAGES[page].hash) globalThis.location.hash = PAGES[page].hash;
}
