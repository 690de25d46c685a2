import { describe, expect, it } from 'vitest';
import { parseModulesJson, parsePoolingJson, parseSentenceTransformersPooling } from './pooling';

const where = 'the test model';

describe('pooling files', () => {
  it('reads pooling.json', () => {
    expect(parsePoolingJson({ mode: 'cls', normalize: true }, where)).toEqual({ mode: 'cls', normalize: true });
    expect(parsePoolingJson({ mode: 'mean' }, where)).toEqual({ mode: 'mean', normalize: false });
    expect(() => parsePoolingJson({ mode: 'max' }, where)).toThrow(/mean and cls/);
  });

  it('finds the Pooling module and a Normalize module in modules.json', () => {
    const modules = [
      { idx: 0, name: '0', path: '', type: 'sentence_transformers.models.Transformer' },
      { idx: 1, name: '1', path: '1_Pooling', type: 'sentence_transformers.models.Pooling' },
      { idx: 2, name: '2', path: '2_Normalize', type: 'sentence_transformers.models.Normalize' },
    ];
    expect(parseModulesJson(modules, where)).toEqual({ poolingConfigFile: '1_Pooling/config.json', normalize: true });
    expect(parseModulesJson(modules.slice(0, 2), where)).toEqual({ poolingConfigFile: '1_Pooling/config.json', normalize: false });
    expect(parseModulesJson(modules.slice(0, 1), where).poolingConfigFile).toBeUndefined();
  });

  it('maps sentence-transformers pooling modes to mean / cls and refuses the rest', () => {
    const st = (mode: string) => ({ word_embedding_dimension: 8, pooling_mode_cls_token: mode === 'cls', pooling_mode_mean_tokens: mode === 'mean', pooling_mode_max_tokens: mode === 'max' });
    expect(parseSentenceTransformersPooling(st('mean'), '1_Pooling/config.json', true, where)).toEqual({ mode: 'mean', normalize: true });
    expect(parseSentenceTransformersPooling(st('cls'), '1_Pooling/config.json', false, where)).toEqual({ mode: 'cls', normalize: false });
    expect(() => parseSentenceTransformersPooling(st('max'), '1_Pooling/config.json', false, where)).toThrow(/pooling_mode_max_tokens/);
  });
});
