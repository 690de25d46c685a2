/**
 * Which page of the studio is showing. Pages are declared once in PAGES; the URL hash (#/encoder) mirrors
 * the current page so reloads and links land on the same screen.
 */

export const PAGES = {
  tasks: { title: 'Tasks', hash: '#/tasks', summary: 'Name a task, choose its labels, add the texts to learn from.' },
  label: { title: 'Label', hash: '#/label', summary: 'One text at a time: press 1–9 to pick a label.' },
  train: { title: 'Train', hash: '#/train', summary: 'Pick a method, train it on your labels, watch it learn; self-train on the unlabelled texts.' },
  try: { title: 'Try', hash: '#/try', summary: 'Type a text and see what the latest model says; predict every unlabelled text and export them.' },
  files: { title: 'Files', hash: '#/files', summary: "The task's adapters: download, import, delete; share the task as a link or a file." },
  encoder: { title: 'Encoder', hash: '#/encoder', summary: 'Load a sentence encoder, pick a backend, try it out.' },
} as const;
export type PageId = keyof typeof PAGES;
export const DEFAULT_PAGE: PageId = 'tasks';

export interface NavigationSlice {
  page: PageId;
}

export function pageFromHash(hash: string): PageId {
  const found = (Object.keys(PAGES) as PageId[]).find((id) => PAGES[id].hash === hash);
  return found ?? DEFAULT_PAGE;
}
