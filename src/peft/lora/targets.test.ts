import { describe, expect, it } from 'vitest';
import { loraTensorNames, resolvePeftTargets, toPeftTargetModules } from './targets';

describe("peft's target_modules for BERT", () => {
  it('matches list entries as peft does: equal, or a suffix after a dot', () => {
    expect(resolvePeftTargets(['query', 'value'])).toEqual(['query', 'value']);
    expect(resolvePeftTargets(['dense'])).toEqual(['attentionOutput', 'intermediate', 'output']);
    expect(resolvePeftTargets(['output.dense'])).toEqual(['attentionOutput', 'output']);
    expect(resolvePeftTargets(['self.key', 'intermediate.dense'])).toEqual(['key', 'intermediate']);
    expect(resolvePeftTargets(['ery'])).toEqual([]);
  });

  it('writes a regex that selects exactly the chosen layers, and reads it back', () => {
    for (const targets of [['query', 'value'], ['output'], ['key', 'attentionOutput', 'intermediate']] as const) {
      expect(resolvePeftTargets(toPeftTargetModules(targets))).toEqual(targets);
    }
    const re = new RegExp(`^(?:${toPeftTargetModules(['output'])})$`);
    expect(re.test('bert.encoder.layer.11.output.dense')).toBe(true);
    expect(re.test('bert.encoder.layer.11.attention.output.dense')).toBe(false);
  });

  it('names tensors as get_peft_model_state_dict does for a BertModel', () => {
    expect(loraTensorNames(3, 'attentionOutput')).toEqual({
      a: 'base_model.model.encoder.layer.3.attention.output.dense.lora_A.weight',
      b: 'base_model.model.encoder.layer.3.attention.output.dense.lora_B.weight',
    });
  });
});

describe("peft's adapter_config.json", () => {
  it('round-trips a LoraConfig and rejects what is not implemented', async () => {
    const { fromPeftAdapterConfig, toPeftAdapterConfig } = await import('./adapterConfig');
    const c = { method: 'lora', r: 4, loraAlpha: 8, loraDropout: 0.1, targetModules: ['query', 'output'], useRslora: true } as const;
    expect(fromPeftAdapterConfig({ ...toPeftAdapterConfig({ ...c, targetModules: [...c.targetModules] }) })).toEqual(c);
    expect(fromPeftAdapterConfig({ peft_type: 'LORA', r: 4, lora_alpha: 8, target_modules: ['query', 'value', 'dense'] }).targetModules).toEqual([
      'query', 'value', 'attentionOutput', 'intermediate', 'output',
    ]);
    expect(() => fromPeftAdapterConfig({ peft_type: 'LORA', r: 4, target_modules: ['query'], use_dora: true })).toThrow(/use_dora/);
  });
});
