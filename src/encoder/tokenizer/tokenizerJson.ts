/**
 * Reads a Hugging Face `tokenizer.json` into plain typed pieces, refusing anything but a BERT WordPiece
 * tokenizer: normalizer BertNormalizer (or none), pre_tokenizer BertPreTokenizer, model WordPiece,
 * post_processor TemplateProcessing or BertProcessing. Every refusal is a ModelLoadError('bad-tokenizer').
 */
import { ModelLoadError } from '../errors';
import type { AddedTokenSpec } from './addedTokens';
import type { BertNormalizerConfig } from './normalizer';
import { bertTemplate, type Template, type TemplatePiece } from './postProcessor';
import {
  TRUNCATION_DIRECTIONS,
  TRUNCATION_STRATEGIES,
  type TruncationDirection,
  type TruncationStrategy,
} from './truncation';
import type { WordPieceConfig } from './wordpiece';

const FILE = 'tokenizer.json';
const SUPPORTED =
  'Only BERT WordPiece tokenizers are supported (normalizer BertNormalizer, pre_tokenizer BertPreTokenizer, ' +
  'model WordPiece, post_processor TemplateProcessing or BertProcessing); pick a BERT-family checkpoint.';

/** Everything the tokenizer needs, validated. */
export interface TokenizerSpec {
  /** null: the JSON has no normalizer, text goes to the pre-tokenizer as is. */
  normalizer: BertNormalizerConfig | null;
  wordPiece: WordPieceConfig;
  addedTokens: AddedTokenSpec[];
  template: Template;
  /** The ids the template puts first and between/after sequences ([CLS], [SEP]). */
  clsId: number;
  sepId: number;
  /** The JSON's own truncation block, if any (max_length is the total, special tokens included). */
  truncation: { maxLength: number; strategy: TruncationStrategy; direction: TruncationDirection } | null;
  /** The JSON's padding block, if any. Only pad id and type id are used: batches pad to their longest row. */
  padding: { padId: number; padTypeId: number } | null;
}

type Obj = Record<string, unknown>;

function bad(message: string): ModelLoadError {
  return new ModelLoadError('bad-tokenizer', `${message} ${SUPPORTED}`, FILE);
}

function isObj(x: unknown): x is Obj {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function typeName(x: unknown): string {
  if (x === null || x === undefined) return 'none';
  return isObj(x) && typeof x.type === 'string' ? `"${x.type}"` : 'an object without a type';
}

function int(x: unknown, what: string): number {
  if (typeof x !== 'number' || !Number.isInteger(x) || x < 0) throw bad(`tokenizer.json: ${what} is not a non-negative integer.`);
  return x;
}

function bool(x: unknown, what: string, fallback?: boolean): boolean {
  if (x === undefined && fallback !== undefined) return fallback;
  if (typeof x !== 'boolean') throw bad(`tokenizer.json: ${what} is not true/false.`);
  return x;
}

function str(x: unknown, what: string): string {
  if (typeof x !== 'string') throw bad(`tokenizer.json: ${what} is not a string.`);
  return x;
}

export function parseTokenizerJson(json: unknown): TokenizerSpec {
  if (!isObj(json)) throw bad('tokenizer.json is not a JSON object.');
  const wordPiece = parseModel(json.model);
  const normalizer = parseNormalizer(json.normalizer);
  checkPreTokenizer(json.pre_tokenizer);
  const addedTokens = parseAddedTokens(json.added_tokens);
  const idOf = (token: string): number | undefined =>
    addedTokens.find((t) => t.content === token)?.id ?? wordPiece.vocab.get(token);
  const { template, clsId, sepId } = parsePostProcessor(json.post_processor, idOf);
  return {
    normalizer,
    wordPiece,
    addedTokens,
    template,
    clsId,
    sepId,
    truncation: parseTruncation(json.truncation),
    padding: parsePadding(json.padding),
  };
}

function parseModel(model: unknown): WordPieceConfig {
  if (!isObj(model) || model.type !== 'WordPiece') {
    throw bad(`tokenizer.json has model ${typeName(model)}.`);
  }
  if (!isObj(model.vocab)) throw bad('tokenizer.json: model.vocab is not an object of token -> id.');
  const vocab = new Map<string, number>();
  for (const [token, id] of Object.entries(model.vocab)) vocab.set(token, int(id, `model.vocab["${token}"]`));
  const unkToken = str(model.unk_token ?? '[UNK]', 'model.unk_token');
  if (!vocab.has(unkToken)) throw bad(`tokenizer.json: unk_token "${unkToken}" is not in model.vocab.`);
  return {
    vocab,
    unkToken,
    continuingSubwordPrefix: str(model.continuing_subword_prefix ?? '##', 'model.continuing_subword_prefix'),
    maxInputCharsPerWord: int(model.max_input_chars_per_word ?? 100, 'model.max_input_chars_per_word'),
  };
}

function parseNormalizer(normalizer: unknown): BertNormalizerConfig | null {
  if (normalizer === null || normalizer === undefined) return null;
  if (!isObj(normalizer) || normalizer.type !== 'BertNormalizer') {
    throw bad(`tokenizer.json has normalizer ${typeName(normalizer)}.`);
  }
  const lowercase = bool(normalizer.lowercase, 'normalizer.lowercase', true);
  const strip = normalizer.strip_accents;
  return {
    cleanText: bool(normalizer.clean_text, 'normalizer.clean_text', true),
    handleChineseChars: bool(normalizer.handle_chinese_chars, 'normalizer.handle_chinese_chars', true),
    stripAccents: strip === null || strip === undefined ? lowercase : bool(strip, 'normalizer.strip_accents'),
    lowercase,
  };
}

/** The pre-tokenizer has no settings; it only has to be the right kind. */
function checkPreTokenizer(preTokenizer: unknown): void {
  if (!isObj(preTokenizer) || preTokenizer.type !== 'BertPreTokenizer') {
    throw bad(`tokenizer.json has pre_tokenizer ${typeName(preTokenizer)}.`);
  }
}

function parseAddedTokens(list: unknown): AddedTokenSpec[] {
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) throw bad('tokenizer.json: added_tokens is not a list.');
  return list.map((t, i): AddedTokenSpec => {
    if (!isObj(t)) throw bad(`tokenizer.json: added_tokens[${i}] is not an object.`);
    const special = bool(t.special, `added_tokens[${i}].special`, false);
    return {
      id: int(t.id, `added_tokens[${i}].id`),
      content: str(t.content, `added_tokens[${i}].content`),
      singleWord: bool(t.single_word, `added_tokens[${i}].single_word`, false),
      lstrip: bool(t.lstrip, `added_tokens[${i}].lstrip`, false),
      rstrip: bool(t.rstrip, `added_tokens[${i}].rstrip`, false),
      normalized: bool(t.normalized, `added_tokens[${i}].normalized`, !special),
      special,
    };
  });
}

function parsePostProcessor(
  pp: unknown,
  idOf: (token: string) => number | undefined,
): { template: Template; clsId: number; sepId: number } {
  if (isObj(pp) && pp.type === 'BertProcessing') {
    const pairOf = (x: unknown, what: string) => {
      if (!Array.isArray(x) || x.length !== 2) throw bad(`tokenizer.json: post_processor.${what} is not [token, id].`);
      return { token: str(x[0], `post_processor.${what}[0]`), id: int(x[1], `post_processor.${what}[1]`) };
    };
    const cls = pairOf(pp.cls, 'cls');
    const sep = pairOf(pp.sep, 'sep');
    return { template: bertTemplate(cls, sep), clsId: cls.id, sepId: sep.id };
  }
  if (!isObj(pp) || pp.type !== 'TemplateProcessing') {
    throw bad(`tokenizer.json has post_processor ${typeName(pp)}.`);
  }
  const specials = isObj(pp.special_tokens) ? pp.special_tokens : {};
  const piece = (x: unknown, where: string): TemplatePiece => {
    if (isObj(x) && isObj(x.SpecialToken)) {
      const name = str(x.SpecialToken.id, `${where}.SpecialToken.id`);
      const def = specials[name];
      if (!isObj(def) || !Array.isArray(def.ids) || !Array.isArray(def.tokens) || def.ids.length !== def.tokens.length) {
        throw bad(`tokenizer.json: the template uses special token "${name}" that post_processor.special_tokens does not define.`);
      }
      return {
        kind: 'special',
        ids: def.ids.map((id, k) => int(id, `special_tokens["${name}"].ids[${k}]`)),
        tokens: def.tokens.map((t, k) => str(t, `special_tokens["${name}"].tokens[${k}]`)),
        typeId: int(x.SpecialToken.type_id ?? 0, `${where}.SpecialToken.type_id`),
      };
    }
    if (isObj(x) && isObj(x.Sequence)) {
      const seq = x.Sequence.id;
      if (seq !== 'A' && seq !== 'B') throw bad(`tokenizer.json: ${where}.Sequence.id must be "A" or "B".`);
      return { kind: 'sequence', sequence: seq, typeId: int(x.Sequence.type_id ?? 0, `${where}.Sequence.type_id`) };
    }
    throw bad(`tokenizer.json: ${where} is neither a SpecialToken nor a Sequence.`);
  };
  const list = (x: unknown, what: 'single' | 'pair'): TemplatePiece[] => {
    if (!Array.isArray(x)) throw bad(`tokenizer.json: post_processor.${what} is not a list.`);
    return x.map((p, i) => piece(p, `post_processor.${what}[${i}]`));
  };
  const template = { single: list(pp.single, 'single'), pair: list(pp.pair, 'pair') };
  // [CLS] is the special token before $A, [SEP] the one right after it; fall back to the usual names.
  const a = template.single.findIndex((p) => p.kind === 'sequence');
  const before = template.single[a - 1];
  const after = template.single[a + 1];
  const clsId = before?.kind === 'special' ? before.ids[before.ids.length - 1] : idOf('[CLS]');
  const sepId = after?.kind === 'special' ? after.ids[0] : idOf('[SEP]');
  if (clsId === undefined || sepId === undefined) {
    throw bad('tokenizer.json: cannot tell the [CLS] and [SEP] ids from the post_processor template.');
  }
  return { template, clsId, sepId };
}

function parseTruncation(t: unknown): TokenizerSpec['truncation'] {
  if (t === null || t === undefined) return null;
  if (!isObj(t)) throw bad('tokenizer.json: truncation is not an object.');
  const strategy = t.strategy ?? 'LongestFirst';
  const direction = t.direction ?? 'Right';
  if (!(TRUNCATION_STRATEGIES as readonly unknown[]).includes(strategy)) {
    throw bad(`tokenizer.json: truncation.strategy "${String(strategy)}" is unknown.`);
  }
  if (!(TRUNCATION_DIRECTIONS as readonly unknown[]).includes(direction)) {
    throw bad(`tokenizer.json: truncation.direction "${String(direction)}" is unknown.`);
  }
  return {
    maxLength: int(t.max_length, 'truncation.max_length'),
    strategy: strategy as TruncationStrategy,
    direction: direction as TruncationDirection,
  };
}

function parsePadding(p: unknown): TokenizerSpec['padding'] {
  if (p === null || p === undefined) return null;
  if (!isObj(p)) throw bad('tokenizer.json: padding is not an object.');
  return { padId: int(p.pad_id ?? 0, 'padding.pad_id'), padTypeId: int(p.pad_type_id ?? 0, 'padding.pad_type_id') };
}
