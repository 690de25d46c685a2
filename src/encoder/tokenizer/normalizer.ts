/**
 * BertNormalizer, step for step as HF `tokenizers` runs it: clean_text, handle_chinese_chars, strip_accents
 * (NFD, then drop marks), lowercase. Every step works per code point, so it can run on any slice of the input.
 */
import { CHINESE_RE, CLEAN_REMOVED_RE, CLEAN_TO_SPACE_RE, MARKS_RE, NFD_KEEP_RE } from './charClasses';

export interface BertNormalizerConfig {
  /** Delete control/format/private-use chars, NUL and U+FFFD; turn every whitespace char into ' '. */
  cleanText: boolean;
  /** Put spaces around each CJK ideograph so the pre-tokenizer makes it a word of its own. */
  handleChineseChars: boolean;
  /** NFD, then remove combining marks. `null` in tokenizer.json means "same as lowercase". */
  stripAccents: boolean;
  /** Per-code-point lowercase (no final-sigma rule, unlike String.prototype.toLowerCase on a word). */
  lowercase: boolean;
}

/** Printable ASCII: nothing but lowercasing can change it. */
const PRINTABLE_ASCII_RE = /^[\x20-\x7e]*$/;
const CAPITAL_SIGMA = '\u03a3';

export class BertNormalizer {
  constructor(readonly config: BertNormalizerConfig) {}

  normalize(text: string): string {
    const { cleanText, handleChineseChars, stripAccents, lowercase } = this.config;
    if (PRINTABLE_ASCII_RE.test(text)) return lowercase ? text.toLowerCase() : text;
    let s = text;
    if (cleanText) s = s.replace(CLEAN_REMOVED_RE, '').replace(CLEAN_TO_SPACE_RE, ' ');
    if (handleChineseChars) s = s.replace(CHINESE_RE, ' $& ');
    if (stripAccents) s = nfd(s).replace(MARKS_RE, '');
    if (lowercase) s = lowercasePerCodePoint(s);
    return s;
  }
}

/** NFD as the reference computes it: the JS engine's, except for chars its older tables do not decompose. */
export function nfd(s: string): string {
  if (!NFD_KEEP_RE.test(s)) return s.normalize('NFD');
  // split() with a capture group keeps the separators at odd indices
  return s
    .split(NFD_KEEP_RE)
    .map((part, i) => (i % 2 === 1 ? part : part.normalize('NFD')))
    .join('');
}

/** Lowercase each code point on its own: Rust's char::to_lowercase, so 'Σ' is always 'σ' (never 'ς'). */
export function lowercasePerCodePoint(s: string): string {
  if (!s.includes(CAPITAL_SIGMA)) return s.toLowerCase(); // final sigma is the only context rule
  let out = '';
  for (const ch of s) out += ch.toLowerCase();
  return out;
}
