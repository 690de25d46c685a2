/** Which tfjs backend the worker runs on, what a person asked for, and a switch in progress. */
import type { BackendInfo, BackendPreference, WireError } from '../protocol/messages';

export interface BackendSlice {
  /** What a person chose (persisted); 'auto' lets the runtime pick. */
  preference: BackendPreference;
  /** What the worker actually runs on; null until the first initialisation finishes. */
  info: BackendInfo | null;
  switching: boolean;
  error: WireError | null;
}

export const initialBackendSlice = (preference: BackendPreference): BackendSlice => ({
  preference,
  info: null,
  switching: false,
  error: null,
});
