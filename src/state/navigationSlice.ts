/**
 * Which page of the studio is showing. Pages are declared once in PAGES; the URL hash (#/encoder) mirrors
 * the current page so reloads and links land on the same screen.
 */

export const PAGES = {
  encoder: { title: 'Encoder', hash: '#/encoder', summary: 'Load a sentence encoder, pick a backend, try it out.' },
} as const;
export type PageId = keyof typeof PAGES;
export const DEFAULT_PAGE: PageId = 'encoder';

export interface NavigationSlice {
  page: PageId;
}

export function pageFromHash(hash: string): PageId {
  const found = (Object.keys(PAGES) as PageId[]).find((id) => PAGES[id].hash === hash);
  return found ?? DEFAULT_PAGE;
}
