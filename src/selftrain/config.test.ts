import { describe, expect, it } from 'vitest';
import { DEFAULT_SELF_TRAIN_CONFIG, describeStudent, resolveSelfTrainConfig, SelfTrainConfigError, STUDENT_PRESETS, studentPresetOf } from './config';

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

describe('student presets', () => {
  it("'list' is the defaults' student, and every preset passes the config's checks", () => {
    expect(studentPresetOf(DEFAULT_SELF_TRAIN_CONFIG)).toBe('list');
    for (const preset of Object.values(STUDENT_PRESETS)) expect(() => resolveSelfTrainConfig(preset)).not.toThrow();
  });
  it('describes a student in words', () => {
    expect(describeStudent(STUDENT_PRESETS.list)).toBe('soft labels on every pseudo-label, 30 steps on 256 texts a round');
    expect(describeStudent(STUDENT_PRESETS.measured)).toBe('hard labels on the most confident 50 %, 150 steps on 2000 texts a round');
    expect(describeStudent({ ...STUDENT_PRESETS.list, unlabeledPerRound: 0 })).toContain('on every unlabelled text a round');
  });
  it('names the preset whose student the knobs are, and none when one knob differs', () => {
    const measured = { ...DEFAULT_SELF_TRAIN_CONFIG, ...STUDENT_PRESETS.measured, rounds: 3 };
    expect(studentPresetOf(measured)).toBe('measured');
    expect(studentPresetOf({ ...measured, studentSteps: 151 })).toBeNull();
    expect(studentPresetOf({ ...DEFAULT_SELF_TRAIN_CONFIG, softLabels: false })).toBeNull();
  });
});
