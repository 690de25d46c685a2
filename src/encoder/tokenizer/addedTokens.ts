/**
 * Added tokens ([CLS], [MASK], ...) found in the text itself. Like HF `tokenizers`, tokens with
 * `normalized: false` are matched in the raw text before normalization, the others in each normalized piece;
 * matching is leftmost-longest, non-overlapping, and honours single_word, lstrip and rstrip.
 */
import { LEADING_SPACE_RE, TRAILING_SPACE_RE, WORD_CHAR_RE } from './charClasses';

export interface AddedTokenSpec {
  id: number;
  content: string;
  /** Match only when not glued to word characters on either side. */
  singleWord: boolean;
  /** Swallow the whitespace before the token into it. */
  lstrip: boolean;
  /** Swallow the whitespace after the token into it. */
  rstrip: boolean;
  /** Match against the normalized text (true) or the raw text (false). */
  normalized: boolean;
  special: boolean;
}

/** A slice of the input: either plain text for the normal pipeline, or one matched added token. */
export type Segment = { text: string; id?: undefined } | { text: string; id: number };

interface Pattern {
  text: string;
  token: AddedTokenSpec;
}

export class AddedTokenMatcher {
  private readonly re: RegExp | undefined;
  private readonly byText = new Map<string, AddedTokenSpec>();

  /** `patterns[i]` is the text to look for for `tokens[i]` (the content, normalized or not). */
  constructor(tokens: readonly AddedTokenSpec[], patternOf: (token: AddedTokenSpec) => string = (t) => t.content) {
    const patterns: Pattern[] = [];
    for (const token of tokens) {
      const text = patternOf(token);
      if (text === '' || this.byText.has(text)) continue; // the first token with a given pattern wins
      this.byText.set(text, token);
      patterns.push({ text, token });
    }
    // Alternation tries left to right, so longest first gives leftmost-longest matches.
    patterns.sort((a, b) => b.text.length - a.text.length);
    this.re = patterns.length ? new RegExp(patterns.map((p) => escapeRegExp(p.text)).join('|'), 'gu') : undefined;
  }

  /** Splits `text` into plain segments and matched tokens, in order; plain segments may be empty. */
  split(text: string): Segment[] {
    const re = this.re;
    if (!re) return [{ text }];
    re.lastIndex = 0;
    const out: Segment[] = [];
    let done = 0; // end of what has been emitted so far
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      const token = this.byText.get(m[0]);
      if (!token) continue;
      let start = m.index;
      let stop = start + m[0].length;
      if (token.singleWord) {
        const glued =
          (start > 0 && WORD_CHAR_RE.test(lastChar(text, start))) ||
          (stop < text.length && WORD_CHAR_RE.test(firstChar(text, stop)));
        if (glued) continue;
      }
      if (token.lstrip) {
        const before = text.slice(0, start);
        start = Math.max(done, before.length - (TRAILING_SPACE_RE.exec(before)?.[0].length ?? 0));
      }
      if (token.rstrip) {
        stop += LEADING_SPACE_RE.exec(text.slice(stop))?.[0].length ?? 0;
        re.lastIndex = stop;
      }
      if (done < start) out.push({ text: text.slice(done, start) });
      out.push({ text: text.slice(start, stop), id: token.id });
      done = stop;
    }
    if (done < text.length || out.length === 0) out.push({ text: text.slice(done) });
    return out;
  }
}

/** Escapes the syntax characters; the only escapes a `u`-flag regex allows outside a class. */
function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

function lastChar(s: string, end: number): string {
  const c = s.charCodeAt(end - 1);
  return c >= 0xdc00 && c <= 0xdfff && end >= 2 ? s.slice(end - 2, end) : s.slice(end - 1, end);
}

function firstChar(s: string, start: number): string {
  return String.fromCodePoint(s.codePointAt(start) ?? 0);
}
