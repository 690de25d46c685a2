/** The encoder the studio loads at start-up: all-MiniLM-L6-v2, served from public/models/ with the app. */
import type { ModelSource } from '../protocol/messages';

export const BUNDLED_MODEL = {
  kind: 'url',
  id: 'all-MiniLM-L6-v2',
  baseUrl: `${import.meta.env.BASE_URL}models/all-MiniLM-L6-v2/`,
} as const satisfies ModelSource;
