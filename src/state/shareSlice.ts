/**
 * Sharing: the link made for the open task (or why none fits), and the outcome of opening a link or a task
 * file. Plain data; src/client/shareData.ts is the writer.
 */
import type { WireError } from '../protocol/messages';

export interface MadeLink {
  taskId: string;
  url: string;
  /** Whether the latest delta rides along (left out when it would make the link too long). */
  withDelta: boolean;
  /** Whether the task has a delta at all. */
  hasDelta: boolean;
  examples: number;
}

export interface OpenedShare {
  taskId: string;
  name: string;
  /** The shared name when a task of that name existed, so this one got another. */
  sharedName: string;
  examples: number;
  withDelta: boolean;
  medium: 'link' | 'file';
}

export interface ShareSlice {
  making: boolean;
  link: MadeLink | null;
  /** The task is too large for a link: the shortest link's length and the limit. */
  tooLarge: { taskId: string; chars: number; limit: number } | null;
  makeError: WireError | null;
  opened: OpenedShare | null;
  openError: WireError | null;
}

export const initialShareSlice: ShareSlice = { making: false, link: null, tooLarge: null, makeError: null, opened: null, openError: null };
