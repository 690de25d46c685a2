/**
 * Training runs of the open task, as plain data copied from IndexedDB's RunRecords (without their checkpoints,
 * which hold Float32Arrays), the live view of a run in progress, and the training form. The writer is
 * src/client/trainingClient.ts.
 */
import type { FieldSpec, MethodName } from '../peft/method';
import { PEFT_METHODS, type MethodConfig } from '../peft/registry';
import { DEFAULT_SELF_TRAIN_CONFIG, STUDENT_PRESETS, type StudentPreset } from '../selftrain/config';
import { SELF_TRAIN_FIELDS, type SelfTrainKnobs } from '../selftrain/fields';
import { TRAINING_FIELDS } from '../training/fields';
import { STUDENT_PHASE_WORDS, type StudentPhase } from '../selftrain/events';
import type { RunRecord } from '../storage/db';
import { DEFAULT_TRAINING_CONFIG, type TrainingConfig } from '../training/config';
import type { ShownError } from './tasksSlice';

/** A run as the page shows it: the record minus its checkpoint. */
export type RunView = Omit<RunRecord, 'checkpoint'> & {
  /** A checkpoint is saved (self-training: the state after round `roundsFinished`; training: at `checkpointStep`). */
  hasCheckpoint: boolean;
  roundsFinished: number;
  checkpointStep: number;
};

/** A delta of the task, minus its zip bytes. */
export interface DeltaView {
  id: string;
  runId: string | null;
  method: string;
  format: string;
  createdAt: number;
  bytes: number;
  metrics: Record<string, number | null>;
}

/** One pseudo-labelled text of the current round, as the weights table shows it. */
export interface PseudoRow {
  poolIndex: number;
  text: string;
  /** The round's teacher's label (argmax) and its probability; null until the worker reported it. */
  label: number | null;
  confidence: number | null;
  /** Its weight in the last student step that used it (uniform in warm-up, meta-learned after). */
  weight: number;
  /** The student step that set `weight`. */
  step: number;
  phase: StudentPhase;
}

export interface LiveRun {
  runId: string;
  requestId: number;
  kind: RunRecord['kind'];
  round: number;
  /** The latest student step of this round (self-training). */
  studentStep: number;
  studentSteps: number;
  /** What a self-training run is doing now (null for plain training). */
  stage: SelfTrainStage | null;
  /** The phase of the latest student step of this round; null before its first. */
  phase: StudentPhase | null;
  pseudo: PseudoRow[];
  /** Step and total steps of the current fit (plain training, or a round's fit). */
  step: number;
  totalSteps: number;
  /** How fast the run has gone since it started (or resumed) in this page: what secondsLeft estimates from. */
  pace: RunPace;
  /** When this copy was handed to the store (ms since the epoch): the "now" of its time-left estimate. */
  at: number;
}

/**
 * A self-training run's stages: the first teacher fits the labels (round 0), then each round the teacher labels
 * the unlabelled sample, a fresh student learns from it, and the student fine-tunes on the labels.
 */
export type SelfTrainStage = 'firstTeacher' | 'labelling' | 'student' | 'fineTune';

export interface RunPace {
  /**
   * When the first step of this (re)start arrived here, ms since the epoch, and that step (plain training, or a
   * self-training run's first teacher): the time per step counts from there, so the worker's setup before it
   * does not count as step time.
   */
  since: number | null;
  fromStep: number;
  /** A self-training run's round count (its config's), so the estimate needs nothing but the live run. */
  rounds: number;
  /** The fit it times may stop early (patience > 0): plain training's estimate, and the first teacher's, are then upper bounds. */
  mayStopEarly: boolean;
  /** Rounds finished so far, the time the last one ended here (or `since`), and each one's length in seconds. */
  roundsDone: number;
  roundSince: number;
  roundSeconds: number[];
}

/** The self-training knobs the form shows (fineTune comes from the training fields). */
export type { SelfTrainKnobs };

export interface TrainForm {
  method: MethodName;
  /** One config per method, so switching methods keeps what was typed. */
  configs: { [K in MethodName]: MethodConfig<K> };
  training: TrainingConfig;
  selfTrain: SelfTrainKnobs;
}

export interface TrainingSlice {
  /** The task whose runs these are. */
  taskId: string | null;
  runs: RunView[];
  deltas: DeltaView[];
  live: LiveRun | null;
  /**
   * The weights table of the last self-training run that stopped in this page (the round it stopped in, or its last
   * finished one), so it stays on screen after the run; kept in memory only, as the live one is.
   */
  lastWeights: { runId: string; rows: PseudoRow[]; round: number; finished: boolean } | null;
  /** The run whose charts show (the live one while it runs). */
  selectedRunId: string | null;
  form: TrainForm;
  error: ShownError | null;
}

function defaultConfigs(): TrainForm['configs'] {
  const out = {} as Record<MethodName, MethodConfig>;
  for (const name of Object.keys(PEFT_METHODS) as MethodName[]) out[name] = structuredClone(PEFT_METHODS[name].defaults);
  return out as TrainForm['configs'];
}

const { fineTune: _fineTune, ...selfTrainKnobs } = DEFAULT_SELF_TRAIN_CONFIG;

/** The knobs a form starts with for a method: the defaults, at the method's starting learning rate. */
function startingKnobs(method: MethodName): Pick<TrainForm, 'training' | 'selfTrain'> {
  const lr = methodLr(method);
  return { training: { ...DEFAULT_TRAINING_CONFIG, lr }, selfTrain: { ...selfTrainKnobs, studentLr: lr } };
}

/**
 * Whether a saved value fits its field: one of a select's options, numbers in range (whole for 'int'), a subset of
 * a multiselect's options; without a spec, the default's type.
 */
function fits(value: unknown, fallback: unknown, spec: FieldSpec | undefined): boolean {
  if (!spec) return typeof value === typeof fallback;
  switch (spec.kind) {
    case 'int':
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) && value >= spec.min && value <= spec.max && (spec.kind === 'number' || Number.isInteger(value));
    case 'boolean':
      return typeof value === 'boolean';
    case 'select':
      return typeof value === 'string' && spec.options.includes(value);
    case 'multiselect':
      return Array.isArray(value) && value.length >= (spec.minItems ?? 0) && value.every((v) => typeof v === 'string' && spec.options.includes(v));
  }
}

/**
 * The form a task's saved (or shared) settings describe, over the defaults; null when they name no known method.
 * Unknown keys are dropped, and a value that does not fit its field (an option the menu lacks, a number out of
 * range) keeps the default, so a tampered, mistyped or older settings object cannot put the form in a state it
 * cannot show or a run would refuse.
 */
export function formFromSettings(settings: { method?: unknown; training?: unknown; selfTrain?: unknown } | undefined | null): TrainForm | null {
  const record = (x: unknown): Record<string, unknown> => (x !== null && typeof x === 'object' && !Array.isArray(x) ? (x as Record<string, unknown>) : {});
  const method = record(settings?.method);
  const name = method.method;
  if (typeof name !== 'string' || !(name in PEFT_METHODS)) return null;
  const known = <T extends object>(base: T, over: Record<string, unknown>, fields: Readonly<Record<string, FieldSpec>>): T => {
    const out = { ...base } as Record<string, unknown>;
    for (const key of Object.keys(base)) if (key in over && fits(over[key], out[key], fields[key])) out[key] = over[key];
    return out as T;
  };
  const configs = defaultConfigs();
  const fields = PEFT_METHODS[name as MethodName].fields as Readonly<Record<string, FieldSpec>>;
  (configs as Record<string, MethodConfig>)[name] = known(configs[name as MethodName] as MethodConfig, method, fields);
  const start = startingKnobs(name as MethodName);
  return {
    method: name as MethodName,
    configs,
    training: known(start.training, record(settings?.training), TRAINING_FIELDS),
    selfTrain: known(start.selfTrain, record(settings?.selfTrain), SELF_TRAIN_FIELDS),
  };
}

/** The learning rate the form starts at for a method: its own (PeftMethod.lr) or the training default. */
export function methodLr(method: MethodName): number {
  return PEFT_METHODS[method].lr ?? DEFAULT_TRAINING_CONFIG.lr;
}

/**
 * The form with another method chosen. A learning rate still at the old method's starting value follows to the new
 * method's (a head alone wants a far larger one than an adapter); one the person typed is theirs and stays. The
 * self-training students' rate follows the same way.
 */
export function withMethod(form: TrainForm, method: MethodName): TrainForm {
  const follow = (lr: number) => (lr === methodLr(form.method) ? methodLr(method) : lr);
  return {
    ...form,
    method,
    training: { ...form.training, lr: follow(form.training.lr) },
    selfTrain: { ...form.selfTrain, studentLr: follow(form.selfTrain.studentLr) },
  };
}

/** The form with a preset's student (STUDENT_PRESETS); every other knob stays as it was. */
export function withStudentPreset(form: TrainForm, preset: StudentPreset): TrainForm {
  return { ...form, selfTrain: { ...form.selfTrain, ...STUDENT_PRESETS[preset] } };
}

/** What a task saves of its form: the chosen method's config and the knobs. */
export function settingsOfForm(form: TrainForm): { method: MethodConfig; training: TrainForm['training']; selfTrain: TrainForm['selfTrain'] } {
  return { method: form.configs[form.method] as MethodConfig, training: form.training, selfTrain: form.selfTrain };
}

export const initialTrainingSlice: TrainingSlice = {
  taskId: null,
  runs: [],
  deltas: [],
  live: null,
  lastWeights: null,
  selectedRunId: null,
  form: { method: 'lora', configs: defaultConfigs(), ...startingKnobs('lora') },
  error: null,
};

/**
 * A run can continue: an interrupted one from its checkpoint (or from step 0 without one), a cancelled one from
 * the checkpoint it saved when it stopped.
 */
export function isResumable(run: RunView): boolean {
  return run.status === 'interrupted' || (run.status === 'cancelled' && run.hasCheckpoint);
}

/** What the Resume button of a resumable run says. */
export function resumeLabel(run: RunView): string {
  if (!run.hasCheckpoint) return 'Restart';
  return run.kind === 'selfTrain' ? `Resume after round ${run.roundsFinished}` : `Resume from step ${run.checkpointStep}`;
}

/**
 * A run's figures in one line for the runs list; a held-out accuracy is the kept parameters', and names their step
 * when training went on past it. A self-training run that can resume says how many rounds its
 * checkpoint holds; any other says how many rounds it finished (its checkpoint is dropped when it completes).
 */
export function describeRun(run: RunView): string {
  const m = run.metrics;
  const parts: string[] = [];
  if (m.heldOutAccuracy != null) {
    // The saved delta is the best evaluation's, which need not be the last one the chart shows.
    const earlier = m.bestStep != null && m.steps != null && m.bestStep < m.steps;
    parts.push(`held-out accuracy ${(100 * m.heldOutAccuracy).toFixed(0)}%${earlier ? ` (step ${m.bestStep}, kept)` : ''}`);
  }
  if (m.steps != null) parts.push(`${m.steps} steps`);
  const rounds = (n: number) => `${n} ${n === 1 ? 'round' : 'rounds'}`;
  if (run.kind === 'selfTrain') {
    if (run.hasCheckpoint) parts.push(`${rounds(run.roundsFinished)} saved`);
    else if (m.roundsFinished != null) parts.push(rounds(m.roundsFinished));
  }
  if (m.studentAccuracy != null) parts.push(`student ${(100 * m.studentAccuracy).toFixed(0)}%`);
  return parts.join(' · ');
}

/**
 * Whether the latest student step among `rows` was a meta step that weighed every text of its batch 0: no text's
 * gradient agreed with the labelled batch's, so the student skipped the update (src/selftrain/metaWeights.ts).
 */
export function lastStepSkipped(rows: readonly PseudoRow[]): boolean {
  const lastStep = rows.reduce((m, r) => Math.max(m, r.step), 0);
  const last = rows.filter((r) => r.step === lastStep);
  return last.length > 0 && last.every((r) => r.phase === 'meta' && r.weight === 0);
}

/**
 * About how many seconds a run has left, from its pace in this page: plain training from the time per step since
 * it (re)started (after 3 steps), self-training from the mean length of the rounds it finished here, less the
 * time the current round has run. `rounds` is the self-training run's round count. Null until there is a pace to
 * go on.
 */
export function secondsLeft(live: Pick<LiveRun, 'kind' | 'step' | 'totalSteps' | 'pace'>, now: number): number | null {
  const p = live.pace;
  if (live.kind === 'train') return fitSecondsLeft(live, now);
  if (p.roundSeconds.length === 0) return null;
  const perRound = p.roundSeconds.reduce((a, b) => a + b, 0) / p.roundSeconds.length;
  return Math.max(0, (p.rounds - p.roundsDone) * perRound - (now - p.roundSince) / 1000);
}

/**
 * Before a self-training run has finished a round here, what can be timed is its first teacher: the seconds that
 * fit has left, from its time per step (after 3 steps). Null at any other stage, or once a round has finished
 * (secondsLeft then covers the whole run).
 */
export function firstTeacherSecondsLeft(live: Pick<LiveRun, 'kind' | 'stage' | 'step' | 'totalSteps' | 'pace'>, now: number): number | null {
  if (live.kind !== 'selfTrain' || live.stage !== 'firstTeacher' || live.pace.roundSeconds.length > 0) return null;
  return fitSecondsLeft(live, now);
}

/** A fit's seconds left: its time per step since the first step seen here, times the steps left; null before 3 steps. */
function fitSecondsLeft(live: Pick<LiveRun, 'step' | 'totalSteps' | 'pace'>, now: number): number | null {
  const p = live.pace;
  const done = live.step - p.fromStep;
  if (p.since === null || done < 3 || live.totalSteps <= 0) return null;
  return Math.max(0, ((now - p.since) / 1000 / done) * (live.totalSteps - live.step));
}

/** A self-training run's round count: its config's, or the default's. */
export function roundsOf(run: Pick<RunView, 'config'> | undefined): number {
  const rounds = (run?.config.selfTrain as { rounds?: unknown } | undefined)?.rounds;
  return typeof rounds === 'number' && Number.isInteger(rounds) && rounds > 0 ? rounds : DEFAULT_SELF_TRAIN_CONFIG.rounds;
}

/**
 * Whether the fit a run's estimate times may stop before its last step (plain training, or a self-training run's
 * first teacher, which fits with the same training fields): early stopping on (patience > 0, its config's or the
 * default's).
 */
export function mayStopEarly(run: Pick<RunView, 'config'>): boolean {
  const patience = (run.config.training as { patience?: unknown } | undefined)?.patience;
  return (typeof patience === 'number' ? patience : DEFAULT_TRAINING_CONFIG.patience) > 0;
}

/**
 * The live run's time left in words, as of its last update: the whole run's, or, while a self-training run's first
 * teacher learns and no round has finished, that teacher's ("about 2 min left for the first teacher"). Null while
 * there is no pace to estimate from.
 */
export function liveTimeLeft(live: LiveRun | null): string | null {
  if (!live) return null;
  const left = secondsLeft(live, live.at);
  // Rounds are timed whole, so a student's early-stopping fine-tune is already in their mean: "about", not "up to".
  if (left !== null) return formatTimeLeft(left, live.kind === 'train' && live.pace.mayStopEarly);
  const teacher = firstTeacherSecondsLeft(live, live.at);
  return teacher === null ? null : `${formatTimeLeft(teacher, live.pace.mayStopEarly)} for the first teacher`;
}

/** What a live self-training run is doing, in words, for its panel's status line. */
export function selfTrainStatus(live: LiveRun): string {
  const fit = `step ${live.step} of ${live.totalSteps}`;
  switch (live.stage) {
    case 'firstTeacher':
      return `the first teacher learns the labels · ${fit}`;
    case 'labelling':
      return `round ${live.pace.roundsDone + 1} · the teacher labels the unlabelled sample`;
    case 'fineTune':
      return `round ${live.round} · the student fine-tunes on the labels · ${fit}`;
    default:
      return `round ${live.round} · student step ${live.studentStep} of ${live.studentSteps}${live.phase ? ` (${STUDENT_PHASE_WORDS[live.phase]})` : ''}`;
  }
}

/**
 * A duration in words, rounded as an estimate should be: "under a minute", "about 4 min", "about 1 h 10 min";
 * "up to" for a run that may stop early.
 */
export function formatTimeLeft(seconds: number, upperBound = false): string {
  if (seconds < 60) return 'under a minute left';
  const minutes = Math.round(seconds / 60);
  const about = upperBound ? 'up to' : 'about';
  if (minutes < 60) return `${about} ${minutes} min left`;
  return `${about} ${Math.floor(minutes / 60)} h${minutes % 60 ? ` ${minutes % 60} min` : ''} left`;
}

/** The task's newest adapter (trained or imported), which the Try and Label pages use; null when it has none. */
export function newestDelta(deltas: readonly DeltaView[]): DeltaView | null {
  return deltas.reduce<DeltaView | null>((best, d) => (!best || d.createdAt >= best.createdAt ? d : best), null);
}

/**
 * The adapter that answers on the Try page and labels the Label page's guesses (the task's newest), in words:
 * "Answering: LoRA adapter, trained 11/24/2026, 11:42:05 AM."; imported ones (a file or a share link) say so.
 */
export function describeModel(delta: Pick<DeltaView, 'method' | 'runId' | 'createdAt'> | null): string {
  if (!delta) return 'No model yet: train one on the Train page, or import an adapter on the Files page.';
  const name = delta.method in PEFT_METHODS ? PEFT_METHODS[delta.method as MethodName].label : delta.method;
  const what = delta.method === 'head' ? 'Classification head' : /adapter/i.test(name) ? name : `${name} adapter`;
  return `Answering: ${what}, ${delta.runId ? 'trained' : 'imported'} ${new Date(delta.createdAt).toLocaleString()}.`;
}

/** Buckets of weights for the histogram: `bins` equal bins over [0, max(weights)] (at least [0, 1/bins]). */
export function weightHistogram(weights: readonly number[], bins = 10): Array<{ from: number; to: number; count: number }> {
  const top = Math.max(1 / bins, ...weights);
  const width = top / bins;
  const out = Array.from({ length: bins }, (_, i) => ({ from: i * width, to: (i + 1) * width, count: 0 }));
  for (const w of weights) out[Math.min(bins - 1, Math.floor(w / width))].count += 1;
  return out;
}
