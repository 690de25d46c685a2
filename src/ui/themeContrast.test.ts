/**
 * The studio's text colours against the surfaces they sit on, in both colour schemes: WCAG 2.1 AA asks 4.5:1 for
 * body text. axe-core checks what is on screen in the e2e specs; this checks every pair the stylesheet defines,
 * including states a spec rarely catches on screen (a run's "running" chip, an error).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const css = readFileSync(join(import.meta.dirname, 'theme.css'), 'utf8');

/** The custom properties of the first `:root { ... }` block after `from`. */
function variables(from: number): Record<string, string> {
  const start = css.indexOf(':root', from);
  const block = css.slice(css.indexOf('{', start) + 1, css.indexOf('}', start));
  return Object.fromEntries([...block.matchAll(/--([a-z0-9-]+):\s*(#[0-9a-f]{6})\s*;/gi)].map((m) => [m[1], m[2].toLowerCase()]));
}

/** WCAG 2.1 relative luminance and contrast ratio of two #rrggbb colours. */
function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}
function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

const SCHEMES = { light: variables(0), dark: variables(css.indexOf('prefers-color-scheme: dark')) };
/** Colours the stylesheet sets as text (`color: var(--x)`) on the page, panels and the second surface. */
const TEXT = ['text', 'muted', 'accent', 'accent-strong', 'ok', 'busy', 'danger'];
const SURFACES = ['bg', 'surface', 'surface-2'];

describe('theme colours', () => {
  it('computes contrast as WCAG defines it', () => {
    expect(contrast('#000000', '#ffffff')).toBeCloseTo(21);
    expect(contrast('#767676', '#ffffff')).toBeCloseTo(4.54, 2); // the lightest grey that passes on white
  });

  for (const [scheme, vars] of Object.entries(SCHEMES)) {
    it(`gives every text colour 4.5:1 on every surface (${scheme})`, () => {
      const failing: string[] = [];
      for (const t of TEXT) for (const s of SURFACES) if (contrast(vars[t], vars[s]) < 4.5) failing.push(`--${t} on --${s}: ${contrast(vars[t], vars[s]).toFixed(2)}`);
      expect(Object.keys(vars)).toEqual(expect.arrayContaining([...TEXT, ...SURFACES]));
      expect(failing).toEqual([]);
    });
  }

  it('keeps text on filled buttons readable: accent-text on accent, surface on danger', () => {
    for (const vars of Object.values(SCHEMES)) {
      expect(contrast(vars['accent-text'], vars.accent)).toBeGreaterThanOrEqual(4.5);
      expect(contrast(vars.surface, vars.danger)).toBeGreaterThanOrEqual(4.5);
    }
  });
});
