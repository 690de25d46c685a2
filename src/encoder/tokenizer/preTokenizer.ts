/**
 * BertPreTokenizer: split on whitespace (dropped) and isolate every punctuation character, where punctuation
 * is HF's: ASCII 33-47, 58-64, 91-96, 123-126, plus Unicode P* (of the reference's Unicode version).
 */
import { PRE_TOKEN_RE } from './charClasses';

/** The same split for text that is all ASCII: a much smaller regex. */
const ASCII_ONLY_RE = /^[\x00-\x7f]*$/;
const ASCII_PRE_TOKEN_RE = /[!-/:-@[-`{-~]|[^\t-\r !-/:-@[-`{-~]+/g;

export function bertPreTokenize(text: string): string[] {
  return text.match(ASCII_ONLY_RE.test(text) ? ASCII_PRE_TOKEN_RE : PRE_TOKEN_RE) ?? [];
}
