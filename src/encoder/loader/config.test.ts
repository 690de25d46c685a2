import { describe, expect, it } from 'vitest';
import { parseBertConfig } from './config';
import { TINY_CONFIG } from './testing/tinyCheckpoint';
import { loadErrorOf } from './testing/loadErrors';

const where = 'the test model';


describe('parseBertConfig', () => {
  it('reads a BertModel config into camelCase fields', () => {
    expect(parseBertConfig(TINY_CONFIG, where)).toEqual({
      modelType: 'bert',
      vocabSize: 16,
      hiddenSize: 8,
      numHiddenLayers: 2,
      numAttentionHeads: 2,
      intermediateSize: 12,
      hiddenAct: 'gelu',
      maxPositionEmbeddings: 10,
      typeVocabSize: 2,
      layerNormEps: 1e-12,
      padTokenId: 0,
    });
  });

  it.each(['BertForMaskedLM', 'BertForSequenceClassification', 'BertModel'])('accepts architecture %s', (arch) => {
    expect(parseBertConfig({ ...TINY_CONFIG, architectures: [arch] }, where).modelType).toBe('bert');
  });

  it('fills the defaults transformers uses for optional keys', () => {
    const { max_position_embeddings: _a, type_vocab_size: _b, layer_norm_eps: _c, pad_token_id: _d, hidden_act: _e, ...bare } = TINY_CONFIG;
    const config = parseBertConfig(bare, where);
    expect([config.maxPositionEmbeddings, config.typeVocabSize, config.layerNormEps, config.padTokenId, config.hiddenAct]).toEqual([512, 2, 1e-12, 0, 'gelu']);
  });

  it.each(['roberta', 'distilbert', 'gpt2', 'xlm-roberta', 'electra'])('rejects model_type %s, naming it', (type) => {
    const err = loadErrorOf(() => parseBertConfig({ ...TINY_CONFIG, model_type: type }, where));
    expect(err.code).toBe('unsupported-architecture');
    expect(err.message).toContain(`"${type}"`);
    expect(err.message).toMatch(/BERT, MiniLM, bge, e5/);
  });

  it('rejects a non-BERT architecture when model_type is missing', () => {
    const { model_type: _t, ...rest } = TINY_CONFIG;
    const err = loadErrorOf(() => parseBertConfig({ ...rest, architectures: ['RobertaModel'] }, where));
    expect(err.code).toBe('unsupported-architecture');
    expect(err.message).toContain('RobertaModel');
  });

  it('rejects BERT variants our forward does not implement', () => {
    expect(loadErrorOf(() => parseBertConfig({ ...TINY_CONFIG, position_embedding_type: 'relative_key' }, where)).code).toBe('unsupported-architecture');
    expect(loadErrorOf(() => parseBertConfig({ ...TINY_CONFIG, hidden_act: 'swish' }, where)).code).toBe('unsupported-architecture');
    expect(loadErrorOf(() => parseBertConfig({ ...TINY_CONFIG, is_decoder: true }, where)).code).toBe('unsupported-architecture');
  });

  it('reports missing or inconsistent sizes as config-mismatch', () => {
    const { hidden_size: _h, ...noHidden } = TINY_CONFIG;
    const missing = loadErrorOf(() => parseBertConfig(noHidden, where));
    expect(missing.code).toBe('config-mismatch');
    expect(missing.message).toContain('"hidden_size"');
    expect(loadErrorOf(() => parseBertConfig({ ...TINY_CONFIG, num_attention_heads: 3 }, where)).code).toBe('config-mismatch');
    expect(loadErrorOf(() => parseBertConfig([1, 2], where)).code).toBe('config-mismatch');
  });
});
