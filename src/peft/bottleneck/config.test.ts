import { describe, expect, it } from 'vitest';
import {
  adapterParameterCount,
  adapterSites,
  BOTTLENECK_DEFAULTS,
  bottleneckParameterCount,
  bottleneckSize,
  HOULSBY,
  LIST_LINEAR,
  PFEIFFER,
  startsAsIdentity,
  validateBottleneckConfig,
} from './config';

describe('bottleneck config', () => {
  it("sizes the bottleneck as AdapterHub does: int(hidden // reduction_factor), at least 1", () => {
    expect(bottleneckSize(768, 16)).toBe(48);
    expect(bottleneckSize(384, 16)).toBe(24);
    expect(bottleneckSize(32, 3)).toBe(10);
    expect(bottleneckSize(32, 64)).toBe(1);
    expect(bottleneckSize(32, 0.5)).toBe(64);
    expect(() => bottleneckSize(32, 0)).toThrow(/reductionFactor/);
  });

  it('counts 2md + d + m parameters per adapter with biases, 2md without', () => {
    expect(adapterParameterCount(768, 48, true)).toBe(2 * 48 * 768 + 768 + 48);
    expect(adapterParameterCount(768, 48, false)).toBe(2 * 48 * 768);
    const minilm = { hiddenSize: 384, numHiddenLayers: 6 };
    expect(bottleneckParameterCount(minilm, HOULSBY)).toEqual({ bottleneck: 24, perAdapter: 18840, adapters: 12, total: 226080 });
    expect(bottleneckParameterCount(minilm, PFEIFFER)).toEqual({ bottleneck: 24, perAdapter: 18840, adapters: 6, total: 113040 });
    expect(bottleneckParameterCount(minilm, LIST_LINEAR).perAdapter).toBe(18432);
  });

  it("puts Houlsby's adapters at both sites, Pfeiffer's after the FFN only", () => {
    expect(adapterSites(HOULSBY)).toEqual(['attention', 'ffn']);
    expect(adapterSites(PFEIFFER)).toEqual(['ffn']);
  });

  it('starts every preset (and the defaults) as the identity', () => {
    for (const c of [HOULSBY, PFEIFFER, LIST_LINEAR, BOTTLENECK_DEFAULTS]) expect(startsAsIdentity(c)).toBe(true);
    expect(startsAsIdentity({ ...HOULSBY, initWeights: 'bert' })).toBe(false);
    expect(startsAsIdentity({ ...PFEIFFER, residual: 'postAdd' })).toBe(false);
    expect(startsAsIdentity({ ...PFEIFFER, residual: 'adapterInput' })).toBe(false);
    expect(startsAsIdentity({ ...HOULSBY, residual: 'adapterInput' })).toBe(true);
  });

  it('refuses a config with no site, or "postAdd" without originalLnBefore', () => {
    expect(() => validateBottleneckConfig({ ...HOULSBY, mhAdapter: false, outputAdapter: false })).toThrow(/mhAdapter or outputAdapter/);
    expect(() => validateBottleneckConfig({ ...HOULSBY, residual: 'postAdd' })).toThrow(/originalLnBefore/);
    expect(() => validateBottleneckConfig({ ...PFEIFFER, residual: 'postAdd' })).not.toThrow();
  });
});
