export { WordPieceTokenizer, DEFAULT_MAX_LENGTH } from './WordPieceTokenizer';
export type { Encoding, EncodeOptions } from './WordPieceTokenizer';
