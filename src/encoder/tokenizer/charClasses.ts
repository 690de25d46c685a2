/**
 * Compiled character classes of the reference tokenizer (HF `tokenizers`), built once from the measured
 * range tables in unicodeTables.ts. Regexes rather than per-character lookups: V8 compiles a character class
 * into a fast range test, and `replace`/`exec` over a whole string beats a JS loop over code points.
 */
import {
  CHINESE,
  CLEAN_REMOVED,
  CLEAN_TO_SPACE,
  MARKS,
  NFD_KEEP,
  PUNCTUATION,
  WHITESPACE,
} from './unicodeTables';

/** Turns flattened inclusive ranges [a0, b0, a1, b1, ...] into the body of a `u`-flag character class. */
export function rangesToClass(ranges: readonly number[]): string {
  if (ranges.length % 2 !== 0) throw new Error('rangesToClass: ranges must come in [first, last] pairs');
  let out = '';
  for (let i = 0; i < ranges.length; i += 2) {
    const a = ranges[i];
    const b = ranges[i + 1];
    out += a === b ? `\\u{${a.toString(16)}}` : `\\u{${a.toString(16)}}-\\u{${b.toString(16)}}`;
  }
  return out;
}

/** True when `cp` lies in one of the flattened ranges (binary search; for tests and one-off checks). */
export function inRanges(ranges: readonly number[], cp: number): boolean {
  let lo = 0;
  let hi = ranges.length / 2 - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (cp < ranges[2 * mid]) hi = mid - 1;
    else if (cp > ranges[2 * mid + 1]) lo = mid + 1;
    else return true;
  }
  return false;
}

const WS = rangesToClass(WHITESPACE);
const PUNCT = rangesToClass(PUNCTUATION);

/** clean_text deletes these (lone surrogates included: UTF-8 encoding would have made them U+FFFD). */
export const CLEAN_REMOVED_RE = new RegExp(`[${rangesToClass(CLEAN_REMOVED)}]|\\p{Cs}`, 'gu');
/** clean_text turns these into ' '. */
export const CLEAN_TO_SPACE_RE = new RegExp(`[${rangesToClass(CLEAN_TO_SPACE)}]`, 'gu');
/** handle_chinese_chars surrounds each of these with spaces. */
export const CHINESE_RE = new RegExp(`[${rangesToClass(CHINESE)}]`, 'gu');
/** strip_accents removes these after NFD. */
export const MARKS_RE = new RegExp(`[${rangesToClass(MARKS)}]`, 'gu');
/** Characters the reference's NFD leaves alone although a newer JS engine decomposes them. */
export const NFD_KEEP_RE = new RegExp(`([${rangesToClass(NFD_KEEP)}])`, 'u');
/** BertPreTokenizer: one punctuation char, or a run of chars that are neither whitespace nor punctuation. */
export const PRE_TOKEN_RE = new RegExp(`[${PUNCT}]|[^${WS}${PUNCT}]+`, 'gu');
/** Rust regex `\w` (Unicode), as used by single_word added tokens. */
export const WORD_CHAR_RE = /[\p{Alphabetic}\p{M}\p{Nd}\p{Pc}\p{Join_Control}]/u;
/** Rust regex `\s` (Unicode White_Space). */
export const LEADING_SPACE_RE = /^\p{White_Space}*/u;
export const TRAILING_SPACE_RE = /\p{White_Space}*$/u;
