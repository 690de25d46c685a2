import { describe, expect, it } from 'vitest';
import { fromAdapterHubConfig, stringifyAdapterHubConfig, toAdapterHubConfig, toAdapterHubConfigFile, UnsupportedAdapterConfigError } from './adapterConfig';
import { HOULSBY, LIST_LINEAR, PFEIFFER, type BottleneckConfig } from './config';
import { ADAPTER_NAME, adapterTensorNames, fromAdapterHubTensors } from './names';

describe("AdapterHub's adapter_config.json", () => {
  it('round-trips every config AdapterHub can hold', () => {
    const configs: BottleneckConfig[] = [
      HOULSBY,
      PFEIFFER,
      { ...PFEIFFER, residual: 'postAdd', nonLinearity: 'gelu', scaling: 0.5, dropout: 0.1, reductionFactor: 4, initWeights: 'houlsby' },
      { ...HOULSBY, residual: 'adapterInput', originalLnAfter: false, nonLinearity: 'linear', initWeights: 'bert' },
    ];
    for (const c of configs) {
      expect(fromAdapterHubConfig(toAdapterHubConfigFile(c, { hiddenSize: 32 }) as unknown as Record<string, unknown>)).toEqual(c);
    }
    const file = toAdapterHubConfigFile(PFEIFFER);
    expect(file).toMatchObject({ name: ADAPTER_NAME, model_type: 'bert', model_class: 'BertAdapterModel', version: 'adapters.1.2.0' });
    expect(toAdapterHubConfig(HOULSBY)).toMatchObject({ residual_before_ln: true, non_linearity: 'swish', mh_adapter: true, init_weights: 'mam_adapter' });
  });

  it('writes scaling as a float, which AdapterHub requires, and leaves out the default 1', () => {
    expect(toAdapterHubConfig(HOULSBY)).not.toHaveProperty('scaling');
    expect(stringifyAdapterHubConfig(toAdapterHubConfig({ ...HOULSBY, scaling: 2 }))).toContain('"scaling": 2.0,');
    expect(stringifyAdapterHubConfig(toAdapterHubConfig({ ...HOULSBY, scaling: 0.5 }), 0)).toContain('"scaling":0.5,');
    expect(fromAdapterHubConfig(JSON.parse(stringifyAdapterHubConfig(toAdapterHubConfigFile({ ...HOULSBY, scaling: 3 }))))).toEqual({ ...HOULSBY, scaling: 3 });
  });

  it("reads AdapterHub's preset names, which keep its 'bert' init", () => {
    expect(fromAdapterHubConfig('double_seq_bn')).toEqual({ ...HOULSBY, initWeights: 'bert' });
    expect(fromAdapterHubConfig({ config: 'seq_bn' })).toEqual({ ...PFEIFFER, initWeights: 'bert' });
    expect(() => fromAdapterHubConfig('lora')).toThrow(UnsupportedAdapterConfigError);
  });

  it('refuses what Tabtune does not implement, and the bias-free LiST adapter on writing', () => {
    const base = toAdapterHubConfig(PFEIFFER);
    expect(() => fromAdapterHubConfig({ ...base, ln_after: true })).toThrow(/ln_after/);
    expect(() => fromAdapterHubConfig({ ...base, is_parallel: true })).toThrow(/is_parallel/);
    expect(() => fromAdapterHubConfig({ ...base, phm_layer: true })).toThrow(/phm_layer/);
    expect(() => fromAdapterHubConfig({ ...base, leave_out: [0] })).toThrow(/leave_out/);
    expect(() => fromAdapterHubConfig({ ...base, scaling: 'learned' })).toThrow(/scaling/);
    expect(() => fromAdapterHubConfig({ ...base, reduction_factor: { default: 16 } })).toThrow(/reduction_factor/);
    expect(() => fromAdapterHubConfig({ ...base, non_linearity: 'leakyrelu' })).toThrow(/non_linearity/);
    expect(() => fromAdapterHubConfig({ ...base, architecture: 'lora' })).toThrow(/architecture/);
    expect(() => toAdapterHubConfig(LIST_LINEAR)).toThrow(/biases/);
  });
});

describe("AdapterHub's tensor names", () => {
  it('names the four tensors of each site as save_adapter does for a BertAdapterModel', () => {
    expect(adapterTensorNames(1, 'attention', 'sst')).toEqual({
      downWeight: 'bert.encoder.layer.1.attention.output.adapters.sst.adapter_down.0.weight',
      downBias: 'bert.encoder.layer.1.attention.output.adapters.sst.adapter_down.0.bias',
      upWeight: 'bert.encoder.layer.1.attention.output.adapters.sst.adapter_up.weight',
      upBias: 'bert.encoder.layer.1.attention.output.adapters.sst.adapter_up.bias',
    });
    expect(adapterTensorNames(0, 'ffn').upWeight).toBe(`bert.encoder.layer.0.output.adapters.${ADAPTER_NAME}.adapter_up.weight`);
  });

  it("reads either prefix and any adapter name; asks for a name when there are several", () => {
    const state = {
      'encoder.layer.0.output.adapters.sst.adapter_up.weight': 1,
      'bert.encoder.layer.1.attention.output.adapters.sst.adapter_down.0.bias': 2,
      'bert.encoder.layer.0.output.adapters.other.adapter_up.bias': 3,
      'heads.sst.1.weight': 4,
    };
    expect(fromAdapterHubTensors(state, 'sst')).toEqual({
      [adapterTensorNames(0, 'ffn').upWeight]: 1,
      [adapterTensorNames(1, 'attention').downBias]: 2,
    });
    expect(() => fromAdapterHubTensors(state)).toThrow(/sst, other/);
    expect(() => fromAdapterHubTensors(state, 'nope')).toThrow(/pass its name/);
  });
});
