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
