/**
 * What can go wrong reading a share link or a task file. Each message says what happened and what to do;
 * `code` lets the UI and tests tell them apart without reading messages.
 */
export const SHARE_ERROR_CODES = [
  'not-a-share', // the text or file is not a Tabtune share link or task file at all
  'truncated', // a share, but shorter than it says it is (a link cut off while copying, a partial download)
  'damaged', // the bytes fail their checksum or do not decode: changed after it was made
  'newer-version', // made by a newer Tabtune, whose format this one cannot read
] as const;
export type ShareErrorCode = (typeof SHARE_ERROR_CODES)[number];

export class ShareError extends Error {
  override readonly name = 'ShareError';
  constructor(
    readonly code: ShareErrorCode,
    message: string,
  ) {
    super(message);
  }
}
