/**
 * TemplateProcessing (and BertProcessing, which is the fixed template below): where the special tokens go
 * and which type id each part gets.
 *   single: [CLS] $A [SEP]            type ids 0 ... 0
 *   pair:   [CLS] $A [SEP] $B [SEP]   type ids 0 ... 0 1 ... 1
 */

/** One element of a template: a special token (possibly several ids) or the slot of sequence A or B. */
export type TemplatePiece =
  | { kind: 'special'; ids: number[]; tokens: string[]; typeId: number }
  | { kind: 'sequence'; sequence: 'A' | 'B'; typeId: number };

export interface Template {
  single: TemplatePiece[];
  pair: TemplatePiece[];
}

/** The tokens of one sequence after the model (and truncation). */
export interface Sequence {
  ids: number[];
  tokens: string[];
}

export interface Processed {
  ids: number[];
  typeIds: number[];
  tokens: string[];
}

/** How many special tokens the template adds. */
export function specialTokenCount(template: Template, isPair: boolean): number {
  let n = 0;
  for (const piece of isPair ? template.pair : template.single) if (piece.kind === 'special') n += piece.ids.length;
  return n;
}

export function applyTemplate(template: Template, a: Sequence, b?: Sequence): Processed {
  const out: Processed = { ids: [], typeIds: [], tokens: [] };
  for (const piece of b ? template.pair : template.single) {
    const part = piece.kind === 'special' ? piece : piece.sequence === 'A' ? a : b;
    if (!part) continue;
    for (let i = 0; i < part.ids.length; i++) {
      out.ids.push(part.ids[i]);
      out.tokens.push(part.tokens[i]);
      out.typeIds.push(piece.typeId);
    }
  }
  return out;
}

/** BertProcessing's fixed layout as a template. */
export function bertTemplate(cls: { id: number; token: string }, sep: { id: number; token: string }): Template {
  const special = (t: { id: number; token: string }, typeId: number): TemplatePiece => ({
    kind: 'special',
    ids: [t.id],
    tokens: [t.token],
    typeId,
  });
  return {
    single: [special(cls, 0), { kind: 'sequence', sequence: 'A', typeId: 0 }, special(sep, 0)],
    pair: [
      special(cls, 0),
      { kind: 'sequence', sequence: 'A', typeId: 0 },
      special(sep, 0),
      { kind: 'sequence', sequence: 'B', typeId: 1 },
      special(sep, 1),
    ],
  };
}
