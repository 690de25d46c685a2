import { describe, expect, it } from 'vitest';
import { detectQuantization, expectedTensorShapes, normaliseTensorNames, validateWeights } from './validateWeights';
import { parseBertConfig } from './config';
import { makeTinyCheckpointFiles, TINY_CONFIG } from './testing/tinyCheckpoint';
import { parseSafetensors, writeSafetensors, type TensorToWrite } from '../weights/safetensors';
import { loadErrorOf } from './testing/loadErrors';

const where = 'the test model';
const config = parseBertConfig(TINY_CONFIG, where);

function tinyWeights(opts: Parameters<typeof makeTinyCheckpointFiles>[0] = {}) {
  return parseSafetensors(makeTinyCheckpointFiles(opts)['model.safetensors']);
}


describe('validateWeights', () => {
  it('expects 5 embedding tensors and 16 per layer', () => {
    expect(expectedTensorShapes(config).size).toBe(5 + 16 * config.numHiddenLayers);
  });

  it('accepts the tiny f32 checkpoint and its int8 twin', () => {
    expect(() => validateWeights(config, tinyWeights(), 'f32', where)).not.toThrow();
    const int8 = tinyWeights({ int8: true });
    expect(detectQuantization(int8.metadata, where)).toBe('int8');
    expect(() => validateWeights(config, int8, 'int8', where)).not.toThrow();
  });

  it('strips a leading "bert." and keeps heads under their own names', () => {
    const named = normaliseTensorNames(tinyWeights({ prefix: 'bert.' }));
    expect(named.tensors.has('embeddings.word_embeddings.weight')).toBe(true);
    expect([...named.tensors.keys()].some((n) => n.startsWith('bert.'))).toBe(false);
    expect(() => validateWeights(config, named, 'f32', where)).not.toThrow();
  });

  it('renames TF-era LayerNorm.gamma/beta', () => {
    const t = (shape: number[]): TensorToWrite => ({ dtype: 'F32', shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)) });
    const file = parseSafetensors(writeSafetensors({ 'bert.embeddings.LayerNorm.gamma': t([8]), 'bert.embeddings.LayerNorm.beta': t([8]) }).slice().buffer);
    expect([...normaliseTensorNames(file).tensors.keys()].sort()).toEqual(['embeddings.LayerNorm.bias', 'embeddings.LayerNorm.weight']);
  });

  it('names the tensor and both shapes when config.json disagrees', () => {
    const wider = parseBertConfig({ ...TINY_CONFIG, intermediate_size: 16 }, where);
    const err = loadErrorOf(() => validateWeights(wider, tinyWeights(), 'f32', where));
    expect(err.code).toBe('config-mismatch');
    expect(err.message).toContain('encoder.layer.0.intermediate.dense.weight');
    expect(err.message).toContain('[12, 8]');
    expect(err.message).toContain('[16, 8]');
  });

  it('reports a missing tensor and extra layers', () => {
    const deeper = parseBertConfig({ ...TINY_CONFIG, num_hidden_layers: 3 }, where);
    expect(loadErrorOf(() => validateWeights(deeper, tinyWeights(), 'f32', where)).message).toContain('"encoder.layer.2.attention.self.query.weight"');
    const shallower = parseBertConfig({ ...TINY_CONFIG, num_hidden_layers: 1 }, where);
    expect(loadErrorOf(() => validateWeights(shallower, tinyWeights(), 'f32', where)).message).toContain('encoder layer 1');
  });

  it('refuses I8 tensors without the int8 metadata, and int8 weights without their scale', () => {
    expect(loadErrorOf(() => validateWeights(config, tinyWeights({ int8: true }), 'f32', where)).message).toContain('tabtune.quantization');
    const int8 = tinyWeights({ int8: true });
    int8.tensors.delete('encoder.layer.1.output.dense.weight_scale');
    expect(loadErrorOf(() => validateWeights(config, int8, 'int8', where)).message).toContain('"encoder.layer.1.output.dense.weight_scale"');
  });

  it('refuses an unknown tabtune.quantization', () => {
    expect(() => detectQuantization({ 'tabtune.quantization': 'int4-awq' }, where)).toThrow(/int4-awq/);
  });
});
