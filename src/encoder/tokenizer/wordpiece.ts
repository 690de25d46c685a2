/**
 * The WordPiece model: greedy longest-match-first over one pre-tokenized word. A word longer than
 * `maxInputCharsPerWord` code points, or one with any piece missing from the vocabulary, becomes [UNK] whole.
 */

export interface WordPieceConfig {
  /** token -> id, the model's own vocabulary (added tokens live elsewhere). */
  vocab: Map<string, number>;
  unkToken: string;
  /** Prefix of every piece that does not start a word ("##"). */
  continuingSubwordPrefix: string;
  /** Longer words (counted in code points) are [UNK] without trying to split them. */
  maxInputCharsPerWord: number;
}

/** The pieces of one word. */
export interface WordPieces {
  ids: number[];
  tokens: string[];
}

/** Words seen are cached; the cache is dropped whole when it reaches this size. */
const CACHE_LIMIT = 50_000;

export class WordPiece {
  readonly unkId: number;
  /** Longest vocabulary entry in UTF-16 units: no piece (with its prefix) can be longer. */
  private readonly maxEntryLength: number;
  private readonly cache = new Map<string, WordPieces>();

  constructor(readonly config: WordPieceConfig) {
    const unkId = config.vocab.get(config.unkToken);
    if (unkId === undefined) throw new Error(`WordPiece: unk_token "${config.unkToken}" is not in the vocabulary`);
    this.unkId = unkId;
    let longest = 0;
    for (const token of config.vocab.keys()) longest = Math.max(longest, token.length);
    this.maxEntryLength = longest;
  }

  /** Splits one word (no whitespace inside) into vocabulary pieces. The result is shared: do not mutate it. */
  tokenize(word: string): WordPieces {
    const cached = this.cache.get(word);
    if (cached) return cached;
    const pieces = this.split(word);
    if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
    this.cache.set(word, pieces);
    return pieces;
  }

  private split(word: string): WordPieces {
    const { vocab, unkToken, continuingSubwordPrefix: prefix, maxInputCharsPerWord } = this.config;
    const unk: WordPieces = { ids: [this.unkId], tokens: [unkToken] };
    if (codePointLength(word, maxInputCharsPerWord) > maxInputCharsPerWord) return unk;

    const ids: number[] = [];
    const tokens: string[] = [];
    let start = 0;
    while (start < word.length) {
      let end = Math.min(word.length, start + this.maxEntryLength);
      if (end < word.length && isLowSurrogate(word.charCodeAt(end)) && end > start + 1) end--; // whole chars only
      let found: string | undefined;
      let id: number | undefined;
      while (end > start) {
        const piece = start > 0 ? prefix + word.slice(start, end) : word.slice(start, end);
        id = vocab.get(piece);
        if (id !== undefined) {
          found = piece;
          break;
        }
        end -= end - start >= 2 && isLowSurrogate(word.charCodeAt(end - 1)) && isHighSurrogate(word.charCodeAt(end - 2)) ? 2 : 1;
      }
      if (found === undefined || id === undefined) return unk;
      ids.push(id);
      tokens.push(found);
      start = end;
    }
    return { ids, tokens };
  }
}

/** Code points in `s`, counting stops once past `limit` (a long word's exact length does not matter). */
function codePointLength(s: string, limit: number): number {
  if (s.length <= limit) return s.length; // UTF-16 length >= code point count
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    if (!(isLowSurrogate(s.charCodeAt(i)) && i > 0 && isHighSurrogate(s.charCodeAt(i - 1)))) n++;
    if (n > limit) break;
  }
  return n;
}

function isHighSurrogate(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}
function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}
