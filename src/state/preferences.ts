/**
 * Small per-browser preferences kept in localStorage (not model data: that lives in src/storage/).
 * Do not rename the keys without reading the old ones: a rename silently resets people's choices.
 */
import { isBackendPreference, type BackendPreference } from '../protocol/messages';

const BACKEND_KEY = 'tabtune.backendPreference';

/** The backend preference: `?backend=` in the URL wins (handy for links and tests), then the stored choice. */
export function readBackendPreference(): BackendPreference {
  const fromUrl = new URLSearchParams(globalThis.location?.search ?? '').get('backend');
  if (isBackendPreference(fromUrl)) return fromUrl;
  try {
    const stored = globalThis.localStorage?.getItem(BACKEND_KEY);
    if (isBackendPreference(stored)) return stored;
  } catch {
    // Storage can be blocked (privacy settings): fall through to the default.
  }
  return 'auto';
}

export function writeBackendPreference(preference: BackendPreference): void {
  try {
    globalThis.localStorage?.setItem(BACKEND_KEY, preference);
  } catch {
    // Not remembering the choice is harmless.
  }
}

const CURRENT_TASK_KEY = 'tabtune.currentTask';

/** The task open when the page was last used (its data is in IndexedDB; this is only which one is open). */
export function readCurrentTaskId(): string | null {
  try {
    return globalThis.localStorage?.getItem(CURRENT_TASK_KEY) ?? null;
  } catch {
    return null;
  }
}

export function writeCurrentTaskId(id: string | null): void {
  try {
    if (id) globalThis.localStorage?.setItem(CURRENT_TASK_KEY, id);
    else globalThis.localStorage?.removeItem(CURRENT_TASK_KEY);
  } catch {
    // Opening the first task next time is harmless.
  }
}
