/** Sharing a task: as a link whose fragment carries it, or as a .tabtune file with the same bytes. */
export { SHARE_ERROR_CODES, ShareError, type ShareErrorCode } from './errors';
export { parseSharedTask, toSharedJson, type SharedDelta, type SharedExample, type SharedLabel, type SharedTask } from './sharedTask';
export {
  decodeSharedTask,
  decodeShareLink,
  encodeSharedTask,
  hasShareFragment,
  makeShareLink,
  MAX_LINK_CHARS,
  SHARE_FORMAT_VERSION,
  SHARE_FRAGMENT_PREFIX,
  shareLinkFor,
  TASK_FILE_EXTENSION,
  safeFileStem,
  taskFileName,
  type ShareLinkResult,
  type ShareMedium,
} from './shareCodec';
