import { describe, expect, it } from 'vitest';
import { PEFT_METHODS } from '../peft/registry';
import { DEFAULT_TRAINING_CONFIG } from '../training/config';
import { DEFAULT_SELF_TRAIN_CONFIG, STUDENT_PRESETS, studentPresetOf } from '../selftrain/config';
import { describeRun, formFromSettings, initialTrainingSlice, lastStepSkipped, methodLr, settingsOfForm, weightHistogram, withMethod, withStudentPreset, describeModel, newestDelta, secondsLeft, firstTeacherSecondsLeft, liveTimeLeft, roundsOf, formatTimeLeft, mayStopEarly, selfTrainStatus, type LiveRun, type RunPace, type DeltaView, type PseudoRow, type RunView } from './trainingSlice';

describe('formFromSettings', () => {
  it('applies a task\'s settings over the defaults and round-trips through settingsOfForm', () => {
    const form = formFromSettings({ method: { ...PEFT_METHODS.lora.defaults, r: 4 }, training: { maxSteps: 17, lr: 0.002 }, selfTrain: { rounds: 2, weighting: 'uniform' } });
    expect(form?.method).toBe('lora');
    expect(form?.configs.lora.r).toBe(4);
    expect(form?.configs.bottleneck).toEqual(PEFT_METHODS.bottleneck.defaults);
    expect(form?.training).toEqual({ ...DEFAULT_TRAINING_CONFIG, maxSteps: 17, lr: 0.002 });
    expect(form?.selfTrain).toEqual({ ...initialTrainingSlice.form.selfTrain, rounds: 2, weighting: 'uniform' });
    expect(formFromSettings(settingsOfForm(form!))).toEqual(form);
  });

  it('drops keys the form does not have and values of the wrong type; refuses unknown methods', () => {
    const form = formFromSettings({ method: { method: 'lora', r: 'eight', sneaky: 1 }, training: { maxSteps: 5, extra: true }, selfTrain: 'nonsense' });
    expect(form?.configs.lora).toEqual(PEFT_METHODS.lora.defaults);
    expect(form?.training).toEqual({ ...DEFAULT_TRAINING_CONFIG, lr: methodLr('lora'), maxSteps: 5 }); // a missing lr: the method's start
    expect(formFromSettings({ method: { method: 'head' }, training: {} })?.training.lr).toBe(methodLr('head'));
    expect(form?.selfTrain).toEqual(initialTrainingSlice.form.selfTrain);
    expect(formFromSettings({ method: { method: 'mystery' }, training: {} })).toBeNull();
    expect(formFromSettings(null)).toBeNull();
    expect(formFromSettings({ method: 'lora' })).toBeNull();
  });

  it('keeps the default where a value does not fit its field: an option the menu lacks, a number out of range', () => {
    const form = formFromSettings({
      method: { method: 'lora', r: 4.5, loraAlpha: 32, targetModules: ['query', 'bogus'] },
      training: { lr: -1, maxSteps: 1e9, epochs: 3, schedule: 'cosine' },
      selfTrain: { weighting: 'meta-cosinus', rounds: 2, studentHead: 'teacher', evalFraction: 0.9 },
    });
    expect(form?.configs.lora).toEqual({ ...PEFT_METHODS.lora.defaults, loraAlpha: 32 });
    expect(form?.training).toEqual({ ...DEFAULT_TRAINING_CONFIG, lr: methodLr('lora'), epochs: 3 });
    expect(form?.selfTrain).toEqual({ ...initialTrainingSlice.form.selfTrain, rounds: 2, studentHead: 'teacher' });
    expect(formFromSettings({ method: { method: 'lora' }, selfTrain: { weighting: 'meta-cosine' } })?.selfTrain.weighting).toBe('meta-cosine');
  });
});

describe('withMethod', () => {
  it('moves a learning rate still at the old method\'s start to the new method\'s, and keeps one the person typed', () => {
    const lora = initialTrainingSlice.form;
    expect(lora.method).toBe('lora');
    expect(lora.training.lr).toBe(methodLr('lora'));
    expect(methodLr('head')).not.toBe(methodLr('lora'));
    const head = withMethod(lora, 'head');
    expect(head.method).toBe('head');
    expect(head.training.lr).toBe(methodLr('head'));
    expect(lora.selfTrain.studentLr).toBe(methodLr('lora'));
    expect(head.selfTrain.studentLr).toBe(methodLr('head'));
    expect(withMethod(head, 'bottleneck').training.lr).toBe(methodLr('bottleneck'));
    const typed = { ...lora, training: { ...lora.training, lr: 5e-4 } };
    expect(withMethod(typed, 'head').training.lr).toBe(5e-4);
    expect(withMethod(typed, 'head').training.batchSize).toBe(lora.training.batchSize);
    expect(withMethod(typed, 'head').selfTrain.studentLr).toBe(methodLr('head')); // untouched, so it follows
    expect(lora.training.lr).toBe(methodLr('lora')); // the old form is not changed
  });
});

describe('withStudentPreset', () => {
  it("sets the preset's student knobs and keeps every other knob the person set", () => {
    const start = initialTrainingSlice.form;
    expect(studentPresetOf(start.selfTrain)).toBe('list');
    const own = { ...start, selfTrain: { ...start.selfTrain, rounds: 3, weighting: 'uniform' as const, studentLr: 0.02, confidentShare: 0.7 } };
    expect(studentPresetOf(own.selfTrain)).toBeNull();
    const measured = withStudentPreset(own, 'measured');
    expect(measured.selfTrain).toEqual({ ...own.selfTrain, ...STUDENT_PRESETS.measured });
    expect(measured.selfTrain.softLabels).toBe(false);
    expect(studentPresetOf(measured.selfTrain)).toBe('measured');
    expect(withStudentPreset(measured, 'list').selfTrain).toEqual({ ...own.selfTrain, confidentShare: 1 });
    expect(own.selfTrain.confidentShare).toBe(0.7); // the old form is not changed
  });
});

describe('describeRun', () => {
  const run = (over: Partial<RunView>): RunView =>
    ({ id: 'r', taskId: 't', kind: 'selfTrain', status: 'completed', metrics: {}, hasCheckpoint: false, roundsFinished: 0, checkpointStep: 0, ...over }) as RunView;

  it('counts a finished self-training run\'s rounds from its metrics, not from the checkpoint it no longer has', () => {
    expect(describeRun(run({ metrics: { roundsFinished: 2, studentAccuracy: 0.5 } }))).toBe('2 rounds · student 50%');
    expect(describeRun(run({ metrics: { roundsFinished: 1 } }))).toBe('1 round');
  });

  it('says how many rounds an interrupted run can resume from, and leaves rounds out of plain training', () => {
    expect(describeRun(run({ status: 'interrupted', hasCheckpoint: true, roundsFinished: 1, metrics: { roundsFinished: 1 } }))).toBe('1 round saved');
    expect(describeRun(run({ kind: 'train', metrics: { heldOutAccuracy: 0.75, steps: 12 } }))).toBe('held-out accuracy 75% · 12 steps');
    expect(describeRun(run({ kind: 'train', metrics: { heldOutAccuracy: 0.75, steps: 12, bestStep: 12 } }))).toBe('held-out accuracy 75% · 12 steps');
    // Early stopping kept step 3's parameters: their accuracy, not the last evaluation's.
    expect(describeRun(run({ kind: 'train', metrics: { heldOutAccuracy: 1, steps: 12, bestStep: 3 } }))).toBe('held-out accuracy 100% (step 3, kept) · 12 steps');
  });
});

describe('the weights table', () => {
  const row = (poolIndex: number, step: number, weight: number, phase: PseudoRow['phase'] = 'meta'): PseudoRow => ({ poolIndex, text: `t${poolIndex}`, label: 0, confidence: 0.9, weight, step, phase });

  it('says a meta step was skipped only when every text of the latest step weighs 0', () => {
    expect(lastStepSkipped([row(0, 5, 0), row(1, 5, 0), row(2, 4, 0.5)])).toBe(true);
    expect(lastStepSkipped([row(0, 5, 0), row(1, 5, 1), row(2, 4, 0)])).toBe(false); // one text helped
    expect(lastStepSkipped([row(0, 5, 0, 'warmup'), row(1, 5, 0, 'warmup')])).toBe(false); // not a meta step
    expect(lastStepSkipped([row(0, 4, 0), row(1, 5, 0.25)])).toBe(false); // the step before was skipped, not the last
    expect(lastStepSkipped([])).toBe(false);
  });

  it('bins weights from 0 to the largest (at least 1 / bins)', () => {
    expect(weightHistogram([0, 0.5, 1], 4).map((b) => b.count)).toEqual([1, 0, 1, 1]);
    expect(weightHistogram([], 10).every((b) => b.count === 0 && b.to <= 0.1 + 1e-12)).toBe(true);
  });
});

describe('the model the Try page answers with', () => {
  const delta = (id: string, createdAt: number, method = 'lora', runId: string | null = 'run'): DeltaView => ({ id, runId, method, format: 'peft', createdAt, bytes: 1, metrics: {} });

  it('is the newest delta, trained or imported', () => {
    expect(newestDelta([])).toBeNull();
    expect(newestDelta([delta('a', 1), delta('b', 3), delta('c', 2)])?.id).toBe('b');
  });

  it('is named in words: method, trained or imported, and when', () => {
    const at = Date.UTC(2026, 10, 24, 11, 42, 5);
    expect(describeModel(delta('a', at))).toBe(`Answering: LoRA adapter, trained ${new Date(at).toLocaleString()}.`);
    expect(describeModel(delta('a', at, 'bottleneck', null))).toBe(`Answering: Bottleneck adapters, imported ${new Date(at).toLocaleString()}.`);
    expect(describeModel(delta('a', at, 'head', null))).toBe(`Answering: Classification head, imported ${new Date(at).toLocaleString()}.`);
    expect(describeModel(null)).toMatch(/^No model yet/);
  });
});

describe('time left', () => {
  const pace = (p: Partial<RunPace> = {}): RunPace => ({ since: 0, fromStep: 0, rounds: 6, mayStopEarly: false, roundsDone: 0, roundSince: 0, roundSeconds: [], ...p });

  it('for plain training: the time per step since its first step here, times the steps left; nothing before 3 steps', () => {
    expect(secondsLeft({ kind: 'train', step: 2, totalSteps: 40, pace: pace() }, 2_000)).toBeNull();
    expect(secondsLeft({ kind: 'train', step: 10, totalSteps: 40, pace: pace({ since: null }) }, 20_000)).toBeNull(); // no step seen yet
    expect(secondsLeft({ kind: 'train', step: 10, totalSteps: 40, pace: pace() }, 20_000)).toBeCloseTo(60); // 2 s a step, 30 left
    // Resumed: the first step seen here was 20, at t = 100 s.
    expect(secondsLeft({ kind: 'train', step: 24, totalSteps: 40, pace: pace({ since: 100_000, fromStep: 20 }) }, 104_000)).toBeCloseTo(16);
  });

  it('for self-training: the mean finished round, times the rounds left, less what the current round has run', () => {
    expect(secondsLeft({ kind: 'selfTrain', step: 0, totalSteps: 0, pace: pace() }, 50_000)).toBeNull();
    const two = pace({ roundsDone: 2, roundSince: 100_000, roundSeconds: [50, 70] }); // 60 s a round, 4 left
    expect(secondsLeft({ kind: 'selfTrain', step: 0, totalSteps: 0, pace: two }, 100_000)).toBeCloseTo(240);
    expect(secondsLeft({ kind: 'selfTrain', step: 0, totalSteps: 0, pace: two }, 130_000)).toBeCloseTo(210);
    expect(secondsLeft({ kind: 'selfTrain', step: 0, totalSteps: 0, pace: { ...two, rounds: 2 } }, 130_000)).toBe(0); // never below 0
  });

  it("reads the round count and early stopping from the run's config, and says the estimate in words", () => {
    expect(roundsOf({ config: { method: {}, training: {}, selfTrain: { rounds: 3 } } })).toBe(3);
    expect(roundsOf({ config: { method: {}, training: {} } })).toBe(DEFAULT_SELF_TRAIN_CONFIG.rounds);
    expect(roundsOf({ config: { method: {}, training: {}, selfTrain: { rounds: 'x' } } })).toBe(DEFAULT_SELF_TRAIN_CONFIG.rounds);
    expect(mayStopEarly({ config: { method: {}, training: { patience: 0 } } })).toBe(false);
    expect(mayStopEarly({ config: { method: {}, training: {} } })).toBe(DEFAULT_TRAINING_CONFIG.patience > 0);
    // A self-training run's first teacher fits with the same training fields, so it may stop early too.
    expect(mayStopEarly({ config: { method: {}, training: { patience: 3 }, selfTrain: { rounds: 2 } } })).toBe(true);
    expect([30, 89, 150, 3599, 3600 + 600].map((x) => formatTimeLeft(x))).toEqual(['under a minute left', 'about 1 min left', 'about 3 min left', 'about 1 h left', 'about 1 h 10 min left']);
    expect(formatTimeLeft(150, true)).toBe('up to 3 min left');
  });
});

describe('the self-training status line', () => {
  const live = (l: Partial<LiveRun>): LiveRun => ({
    runId: 'r', requestId: 1, kind: 'selfTrain', round: 0, stage: 'firstTeacher', studentStep: 0, studentSteps: 0, phase: null, pseudo: [], step: 0, totalSteps: 0,
    pace: { since: null, fromStep: 0, rounds: 3, mayStopEarly: false, roundsDone: 0, roundSince: 0, roundSeconds: [] }, at: 0, ...l,
  });
  const timed = (p: Partial<RunPace>) => ({ ...live({}).pace, since: 10_000, fromStep: 1, ...p });

  it('times the first teacher until a round has finished, then the whole run', () => {
    // First step seen at t = 10 s; at t = 40 s it is at step 11: 3 s a step, 89 steps left.
    const teacher = live({ step: 11, totalSteps: 100, pace: timed({}), at: 40_000 });
    expect(firstTeacherSecondsLeft(teacher, 40_000)).toBeCloseTo(267);
    expect(liveTimeLeft(teacher)).toBe('about 4 min left for the first teacher');
    expect(liveTimeLeft({ ...teacher, pace: timed({ mayStopEarly: true }) })).toBe('up to 4 min left for the first teacher');
    // Nothing before 3 steps, before any step, or at any later stage of the first round.
    expect(liveTimeLeft({ ...teacher, step: 3 })).toBeNull();
    expect(liveTimeLeft({ ...teacher, pace: { ...teacher.pace, since: null } })).toBeNull();
    expect(liveTimeLeft({ ...teacher, stage: 'labelling' })).toBeNull();
    expect(liveTimeLeft({ ...teacher, stage: 'student', round: 1 })).toBeNull();
    // A finished round (120 s, 2 left, 30 s into the next) times the whole run, as "about" even when the fit may stop early.
    const later = live({ stage: 'student', round: 2, pace: timed({ mayStopEarly: true, roundsDone: 1, roundSince: 100_000, roundSeconds: [120] }), at: 130_000 });
    expect(firstTeacherSecondsLeft(later, 130_000)).toBeNull();
    expect(liveTimeLeft(later)).toBe('about 4 min left');
    // Plain training keeps its own wording.
    expect(liveTimeLeft({ ...teacher, kind: 'train', stage: null, pace: timed({ mayStopEarly: true }) })).toBe('up to 4 min left');
  });

  it('names what the run is doing: first teacher, labelling, student phase, fine-tuning', () => {
    expect(selfTrainStatus(live({ step: 4, totalSteps: 100 }))).toBe('the first teacher learns the labels · step 4 of 100');
    expect(selfTrainStatus(live({ stage: 'labelling', pace: { ...live({}).pace, roundsDone: 1 } }))).toBe('round 2 · the teacher labels the unlabelled sample');
    expect(selfTrainStatus(live({ stage: 'student', round: 2, studentStep: 0, studentSteps: 30 }))).toBe('round 2 · student step 0 of 30');
    expect(selfTrainStatus(live({ stage: 'student', round: 2, studentStep: 20, studentSteps: 30, phase: 'meta' }))).toBe('round 2 · student step 20 of 30 (meta-reweighted)');
    expect(selfTrainStatus(live({ stage: 'fineTune', round: 2, step: 5, totalSteps: 30 }))).toBe('round 2 · the student fine-tunes on the labels · step 5 of 30');
  });
});
