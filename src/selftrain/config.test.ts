import { describe, expect, it } from 'vitest';
import { DEFAULT_SELF_TRAIN_CONFIG, resolveSelfTrainConfig, SelfTrainConfigError } from './config';

describe('resolveSelfTrainConfig', () => {
  it('fills in the defaults', () => {
    expect(resolveSelfTrainConfig({ rounds: 2 })).toEqual({ ...DEFAULT_SELF_TRAIN_CONFIG, rounds: 2, fineTune: {} });
  });
  it('names the knob to fix', () => {
    expect(() => resolveSelfTrainConfig({ warmupFraction: 1.5 })).toThrow(SelfTrainConfigError);
    expect(() => resolveSelfTrainConfig({ warmupFraction: 1.5 })).toThrow(/warmupFraction must be in \[0, 1\]/);
    expect(() => resolveSelfTrainConfig({ studentHead: 'other' as never })).toThrow(/studentHead/);
    expect(() => resolveSelfTrainConfig({ confidentShare: 0 })).toThrow(/confidentShare must be in \(0, 1\]/);
    expect(resolveSelfTrainConfig({ confidentShare: 1 }).confidentShare).toBe(1);
  });
});
