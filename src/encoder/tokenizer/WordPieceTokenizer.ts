/**
 * A BERT WordPiece tokenizer read from a Hugging Face `tokenizer.json`, producing exactly what HF `tokenizers`
 * (the Rust fast tokenizer) produces: ids, type ids, attention mask and truncation
 * (checked against fixtures/tokenizer/golden.json).
 *
 * Pipeline per sequence: added tokens in the raw text -> BertNormalizer -> added tokens in the normalized
 * text -> BertPreTokenizer -> WordPiece; then truncation, then the post-processor template.
 */
import type { EncodedBatch } from '../types';
import { ModelLoadError } from '../errors';
import { AddedTokenMatcher } from './addedTokens';
import { BertNormalizer } from './normalizer';
import { applyTemplate, specialTokenCount, type Sequence, type Template } from './postProcessor';
import { bertPreTokenize } from './preTokenizer';
import { keep, truncatedLengths, type TruncationDirection, type TruncationStrategy } from './truncation';
import { parseTokenizerJson, type TokenizerSpec } from './tokenizerJson';
import { WordPiece } from './wordpiece';

export interface Encoding {
  ids: number[];
  typeIds: number[];
  attentionMask: number[];
  tokens: string[];
}

export interface EncodeOptions {
  /** Total length cap, special tokens included. Default: the JSON's truncation.max_length, else 512. */
  maxLength?: number;
  /** Truncate to maxLength (default true). With false, sequences keep every token. */
  truncation?: boolean;
}

/** BERT's model_max_length, used when tokenizer.json has no truncation block. */
export const DEFAULT_MAX_LENGTH = 512;

/** Lone UTF-16 surrogates cannot reach the Rust reference; UTF-8 encoding would make them U+FFFD. */
const LONE_SURROGATE_RE = /\p{Cs}/u;
const LONE_SURROGATES_RE = /\p{Cs}/gu;

export class WordPieceTokenizer {
  /** One past the largest id in the vocabulary and added tokens: the embedding table's row count. */
  readonly vocabSize: number;
  readonly padId: number;
  readonly padTypeId: number;
  readonly clsId: number;
  readonly sepId: number;
  readonly unkId: number;
  readonly maskId: number | undefined;

  private readonly normalizer: BertNormalizer | null;
  private readonly model: WordPiece;
  private readonly template: Template;
  private readonly rawMatcher: AddedTokenMatcher;
  private readonly normalizedMatcher: AddedTokenMatcher;
  private readonly addedByContent = new Map<string, number>();
  private readonly idToTokenTable: (string | undefined)[] = [];
  private readonly defaultMaxLength: number;
  private readonly strategy: TruncationStrategy;
  private readonly direction: TruncationDirection;

  private constructor(spec: TokenizerSpec) {
    this.normalizer = spec.normalizer ? new BertNormalizer(spec.normalizer) : null;
    this.model = new WordPiece(spec.wordPiece);
    this.template = spec.template;
    const normalizer = this.normalizer;
    this.rawMatcher = new AddedTokenMatcher(spec.addedTokens.filter((t) => !t.normalized));
    this.normalizedMatcher = new AddedTokenMatcher(
      spec.addedTokens.filter((t) => t.normalized),
      (t) => (normalizer ? normalizer.normalize(t.content) : t.content),
    );

    for (const [token, id] of spec.wordPiece.vocab) this.idToTokenTable[id] ??= token;
    for (const t of spec.addedTokens) {
      this.addedByContent.set(t.content, t.id);
      this.idToTokenTable[t.id] = t.content; // added tokens take precedence, as in HF
    }
    this.vocabSize = this.idToTokenTable.length;
    this.unkId = this.model.unkId;
    this.clsId = spec.clsId;
    this.sepId = spec.sepId;
    this.maskId = this.tokenToId('[MASK]');
    const padId = spec.padding?.padId ?? this.tokenToId('[PAD]');
    if (padId === undefined) {
      throw new ModelLoadError('bad-tokenizer', 'tokenizer.json has neither a padding.pad_id nor a "[PAD]" token; batches cannot be padded.', 'tokenizer.json');
    }
    this.padId = padId;
    this.padTypeId = spec.padding?.padTypeId ?? 0;
    this.defaultMaxLength = spec.truncation?.maxLength ?? DEFAULT_MAX_LENGTH;
    this.strategy = spec.truncation?.strategy ?? 'LongestFirst';
    this.direction = spec.truncation?.direction ?? 'Right';
  }

  /** Builds a tokenizer from a parsed tokenizer.json; throws ModelLoadError('bad-tokenizer') for other kinds. */
  static fromJSON(json: unknown): WordPieceTokenizer {
    return new WordPieceTokenizer(parseTokenizerJson(json));
  }

  tokenToId(token: string): number | undefined {
    return this.addedByContent.get(token) ?? this.model.config.vocab.get(token);
  }

  idToToken(id: number): string | undefined {
    return this.idToTokenTable[id];
  }

  /** The tokens of one text, before truncation and special tokens. */
  tokenize(text: string): Sequence {
    const ids: number[] = [];
    const tokens: string[] = [];
    const clean = LONE_SURROGATE_RE.test(text) ? text.replace(LONE_SURROGATES_RE, '\ufffd') : text;
    for (const raw of this.rawMatcher.split(clean)) {
      if (raw.id !== undefined) {
        ids.push(raw.id);
        tokens.push(raw.text);
        continue;
      }
      const normalized = this.normalizer ? this.normalizer.normalize(raw.text) : raw.text;
      for (const seg of this.normalizedMatcher.split(normalized)) {
        if (seg.id !== undefined) {
          ids.push(seg.id);
          tokens.push(seg.text);
          continue;
        }
        for (const word of bertPreTokenize(seg.text)) {
          const pieces = this.model.tokenize(word);
          for (let i = 0; i < pieces.ids.length; i++) {
            ids.push(pieces.ids[i]);
            tokens.push(pieces.tokens[i]);
          }
        }
      }
    }
    return { ids, tokens };
  }

  encode(text: string, pair?: string, opts: EncodeOptions = {}): Encoding {
    let a = this.tokenize(text);
    let b = pair === undefined ? undefined : this.tokenize(pair);
    if (opts.truncation ?? true) {
      const maxLength = opts.maxLength ?? this.defaultMaxLength;
      const special = specialTokenCount(this.template, b !== undefined);
      if (!Number.isInteger(maxLength) || maxLength < special) {
        throw new RangeError(`maxLength ${maxLength} leaves no room: the template alone adds ${special} special tokens.`);
      }
      const [nA, nB] = truncatedLengths(a.ids.length, b?.ids.length, {
        maxLength: maxLength - special,
        strategy: this.strategy,
        direction: this.direction,
      });
      a = cut(a, nA, this.direction);
      if (b) b = cut(b, nB, this.direction);
    }
    const out = applyTemplate(this.template, a, b);
    return { ids: out.ids, typeIds: out.typeIds, attentionMask: new Array<number>(out.ids.length).fill(1), tokens: out.tokens };
  }

  /** Encodes every text (with pairs[i] as its second sequence when given) and pads right to the longest row. */
  encodeBatch(texts: string[], opts: EncodeOptions & { pairs?: string[] } = {}): EncodedBatch {
    const { pairs } = opts;
    if (pairs && pairs.length !== texts.length) {
      throw new RangeError(`encodeBatch: ${texts.length} texts but ${pairs.length} pairs; give one pair per text.`);
    }
    const rows = texts.map((t, i) => this.encode(t, pairs?.[i], opts));
    const batch = rows.length;
    const seqLen = rows.reduce((m, r) => Math.max(m, r.ids.length), 0);
    const inputIds = new Int32Array(batch * seqLen).fill(this.padId); // [batch, seqLen]
    const attentionMask = new Int32Array(batch * seqLen); // [batch, seqLen], 0 on padding
    const tokenTypeIds = new Int32Array(batch * seqLen).fill(this.padTypeId); // [batch, seqLen]
    rows.forEach((row, r) => {
      inputIds.set(row.ids, r * seqLen);
      attentionMask.set(row.attentionMask, r * seqLen);
      tokenTypeIds.set(row.typeIds, r * seqLen);
    });
    return { inputIds, attentionMask, tokenTypeIds, batch, seqLen };
  }
}

function cut(seq: Sequence, n: number, direction: TruncationDirection): Sequence {
  if (n >= seq.ids.length) return seq;
  return { ids: keep(seq.ids, n, direction), tokens: keep(seq.tokens, n, direction) };
}
