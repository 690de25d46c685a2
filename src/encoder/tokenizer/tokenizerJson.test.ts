import { describe, expect, it } from 'vitest';
import { ModelLoadError } from '../errors';
import { parseTokenizerJson } from './tokenizerJson';
import { miniLmTokenizerJson } from './testing';

/** The error parseTokenizerJson throws for `json`, or a failure if it throws none. */
function refusal(json: unknown): ModelLoadError {
  try {
    parseTokenizerJson(json);
  } catch (e) {
    if (e instanceof ModelLoadError) return e;
    throw e;
  }
  throw new Error('expected a ModelLoadError, got none');
}

const withField = (key: string, value: unknown): Record<string, unknown> => ({ ...miniLmTokenizerJson(), [key]: value });

describe('parseTokenizerJson', () => {
  it('reads the MiniLM tokenizer.json', () => {
    const spec = parseTokenizerJson(miniLmTokenizerJson());
    expect(spec.normalizer).toEqual({ cleanText: true, handleChineseChars: true, stripAccents: true, lowercase: true });
    expect(spec.wordPiece.vocab.size).toBe(30522);
    expect([spec.clsId, spec.sepId]).toEqual([101, 102]);
    expect(spec.truncation).toEqual({ maxLength: 128, strategy: 'LongestFirst', direction: 'Right' });
    expect(spec.template.pair.map((p) => p.typeId)).toEqual([0, 0, 0, 1, 1]);
  });

  it('takes strip_accents from lowercase when null, and honours an explicit value', () => {
    const norm = (fields: object) => parseTokenizerJson(withField('normalizer', { type: 'BertNormalizer', ...fields })).normalizer;
    expect(norm({ lowercase: false, strip_accents: null })?.stripAccents).toBe(false);
    expect(norm({ lowercase: true, strip_accents: false })?.stripAccents).toBe(false);
    expect(norm({ lowercase: false, strip_accents: true })?.stripAccents).toBe(true);
  });

  it('understands BertProcessing', () => {
    const spec = parseTokenizerJson(withField('post_processor', { type: 'BertProcessing', sep: ['[SEP]', 102], cls: ['[CLS]', 101] }));
    expect([spec.clsId, spec.sepId]).toEqual([101, 102]);
    expect(spec.template.single.length).toBe(3);
  });

  const unsupported: [string, unknown, RegExp][] = [
    ['a BPE model', withField('model', { type: 'BPE', vocab: {}, merges: [] }), /model "BPE"/],
    ['a Unigram model', withField('model', { type: 'Unigram', vocab: [] }), /model "Unigram"/],
    ['another normalizer', withField('normalizer', { type: 'NFKC' }), /normalizer "NFKC"/],
    ['a normalizer Sequence', withField('normalizer', { type: 'Sequence', normalizers: [] }), /normalizer "Sequence"/],
    ['a ByteLevel pre-tokenizer', withField('pre_tokenizer', { type: 'ByteLevel' }), /pre_tokenizer "ByteLevel"/],
    ['no pre-tokenizer', withField('pre_tokenizer', null), /pre_tokenizer none/],
    ['RobertaProcessing', withField('post_processor', { type: 'RobertaProcessing' }), /post_processor "RobertaProcessing"/],
    ['a missing unk token', withField('model', { type: 'WordPiece', vocab: { a: 0 }, unk_token: '[UNK]' }), /unk_token/],
    ['not an object', [1, 2], /not a JSON object/],
  ];
  it.each(unsupported)('refuses %s with a bad-tokenizer error that says what was found', (_, json, found) => {
    const e = refusal(json);
    expect(e.code).toBe('bad-tokenizer');
    expect(e.file).toBe('tokenizer.json');
    expect(e.message).toMatch(found);
    expect(e.message).toMatch(/Only BERT WordPiece tokenizers are supported/);
  });
});
