/**
 * The stylesheet's blocks are closed where they were meant to be. A missing `}` is not a syntax error in CSS
 * with nesting: every rule after it silently becomes a descendant rule of the unclosed one and stops matching
 * (a merge once left `.drop-zone--active` open, and the Train and Try pages lost their form and list styles).
 * theme.css uses no nesting, so a style rule may sit only at the top level or inside an at-rule.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/** Style rules opened inside another style rule, and blocks left open, as "line N: selector" strings. */
function nestingProblems(css: string): string[] {
  const problems: string[] = [];
  const stack: Array<{ kind: 'at' | 'rule'; line: number; prelude: string }> = [];
  let prelude = '';
  let line = 1;
  for (let i = 0; i < css.length; i++) {
    const c = css[i];
    if (c === '/' && css[i + 1] === '*') {
      const end = css.indexOf('*/', i + 2);
      const stop = end < 0 ? css.length : end + 2;
      line += (css.slice(i, stop).match(/\n/g) ?? []).length;
      i = stop - 1;
      continue;
    }
    if (c === '"' || c === "'") {
      const end = css.indexOf(c, i + 1);
      prelude += css.slice(i, end < 0 ? css.length : end + 1);
      i = end < 0 ? css.length : end;
      continue;
    }
    if (c === '\n') line += 1;
    if (c === '{') {
      const text = prelude.trim();
      const kind = text.startsWith('@') ? 'at' : 'rule';
      // Keyframe selectors (from, 50%) are rules inside an at-rule: allowed, like any rule there.
      const outer = stack.findLast((b) => b.kind === 'rule');
      if (kind === 'rule' && outer) problems.push(`line ${line}: "${text}" is inside "${outer.prelude}" (line ${outer.line})`);
      stack.push({ kind, line, prelude: text });
      prelude = '';
    } else if (c === '}') {
      if (stack.pop() === undefined) problems.push(`line ${line}: a } that closes nothing`);
      prelude = '';
    } else if (c === ';') {
      prelude = '';
    } else {
      prelude += c;
    }
  }
  for (const open of stack) problems.push(`line ${open.line}: "${open.prelude}" is never closed`);
  return problems;
}

describe('theme.css', () => {
  it('has every style rule at the top level or inside an at-rule, and every block closed', () => {
    const css = readFileSync(join(import.meta.dirname, 'theme.css'), 'utf8');
    expect(css.length).toBeGreaterThan(1000);
    expect(nestingProblems(css)).toEqual([]);
  });

  it('reports a rule left open, the way it broke the Train page', () => {
    const broken = '.a {\n  color: red;\n/* next */\n.b {\n  color: blue;\n}\n@media (x) {\n  .c { color: green; }\n}\n';
    expect(nestingProblems(broken)).toEqual(['line 4: ".b" is inside ".a" (line 1)', 'line 8: ".c" is inside ".a" (line 1)', 'line 1: ".a" is never closed']);
    expect(nestingProblems(broken.replace('/* next */', '}'))).toEqual([]);
  });
});
