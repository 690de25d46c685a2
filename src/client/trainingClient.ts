/**
 * Training, self-training and predictions, as the studio uses them. It talks to the worker only through the
 * EncoderClient (the one owner of the Worker), keeps the run being trained as a RunRecord that it saves to
 * IndexedDB as it goes (so a reload finds it, interrupted and resumable), and feeds the store plain data at most
 * every FLUSH_MS, so a fast stream of step events never floods React.
 */
import { EncoderWorkerError, toWireError, type JobExample, type SelfTrainOutcome, type TrainCheckpoint, type TrainedDelta, type TrainOutcome } from '../protocol/messages';
import type { MethodName } from '../peft/method';
import type { MethodConfig } from '../peft/registry';
import type { SelfTrainConfig, StudentPreset } from '../selftrain/config';
import type { PseudoLabel } from '../selftrain/events';
import type { SelfTrainState } from '../selftrain/state';
import * as db from '../storage/db';
import type { DeltaRecord, RunRecord, TextItem } from '../storage/db';
import type { TrainingConfig } from '../training/config';
import { pickLeastSure } from '../state/predictSlice';
import { patchSlice, type StudioState, type StudioStore } from '../state/store';
import type { ShownError } from '../state/tasksSlice';
import { formFromSettings, initialTrainingSlice, mayStopEarly, newestDelta, roundsOf, type RunPace, type TrainingSlice, settingsOfForm, withMethod, withStudentPreset, type DeltaView, type LiveRun, type PseudoRow, type RunView } from '../state/trainingSlice';
import type { EncoderClient, TrainingEvent } from './encoderClient';
import { historyUpToRound, historyUpToStep } from './runHistory';
import { setPickNext } from './studioData';

/** Store updates during a run are batched: at most one per FLUSH_MS. */
export const FLUSH_MS = 250;
/** A running run is saved to IndexedDB at least this often (and at every checkpoint). */
export const PERSIST_MS = 2000;
/** Unlabelled texts scored after each training for active learning (the Try page scores all of them). */
export const ACTIVE_POOL = 500;
/** Texts per predict request, so a long batch shows progress and yields to other requests. */
export const PREDICT_CHUNK = 256;
/** Unlabelled texts sent to a self-training run (it samples unlabeledPerRound of them each round). */
export const SELF_TRAIN_POOL = 10_000;

const CRASH_CODES = new Set(['worker-crashed', 'worker-stopped']);

function shown(error: unknown): ShownError {
  const wire = toWireError(error);
  return { name: wire.code ?? wire.name, message: wire.message };
}

/** A run's checkpoint, typed by its kind: a SelfTrainState for self-training, a TrainCheckpoint for training. */
function checkpointOf(run: RunRecord): { kind: 'selfTrain'; state: SelfTrainState } | { kind: 'train'; state: TrainCheckpoint } | null {
  if (run.checkpoint === null || run.checkpoint === undefined) return null;
  return run.kind === 'selfTrain' ? { kind: 'selfTrain', state: run.checkpoint as SelfTrainState } : { kind: 'train', state: run.checkpoint as TrainCheckpoint };
}

function viewOf(run: RunRecord): RunView {
  const { checkpoint: _checkpoint, ...rest } = run;
  const saved = checkpointOf(run);
  return {
    ...rest, hasCheckpoint: saved !== null,
    roundsFinished: saved?.kind === 'selfTrain' ? saved.state.roundsFinished : 0,
    checkpointStep: saved?.kind === 'train' ? saved.state.loop.step : 0,
  };
}

/**
 * The weights table to keep once a self-training run has stopped: the round it stopped in, or, when it stopped
 * before that round's first student step, the last finished one; null when it stopped before any.
 */
function lastWeightsOf(active: Active): TrainingSlice['lastWeights'] {
  const { run, live, finishedRound } = active;
  const rows = [...active.rows.values()];
  if (rows.length > 0) return { runId: run.id, rows, round: live.round, finished: run.status === 'completed' || finishedRound?.round === live.round };
  return finishedRound ? { runId: run.id, rows: finishedRound.rows, round: finishedRound.round, finished: true } : null;
}

function deltaView(d: DeltaRecord): DeltaView {
  return { id: d.id, runId: d.runId, method: d.method, format: d.format, createdAt: d.createdAt, bytes: d.zip.byteLength, metrics: d.metrics };
}

/** Class counts as columns c0, c1, ... (history rows are flat records of numbers). */
function countsRow(counts: readonly number[]): Record<string, number> {
  return Object.fromEntries(counts.map((c, i) => [`c${i}`, c]));
}

interface Active {
  run: RunRecord;
  live: LiveRun;
  pool: string[];
  /** The current round's pseudo-labels by pool index, from its 'pseudoLabels' event. */
  labels: Map<number, PseudoLabel>;
  /** The weights table: the texts the student met this round, with their latest weight. */
  rows: Map<number, PseudoRow>;
  /** The weights table as the last finished round left it (kept for when a run stops before the next one's steps). */
  finishedRound: { round: number; rows: PseudoRow[] } | null;
  /** The history as last given to the store; only series changed since (`dirty`) are copied again. */
  shown: RunRecord['history'];
  dirty: Set<string>;
}

export class TrainingClient {
  private active: Active | null = null;
  private flushTimer: ReturnType<typeof setTimeout> | null = null;
  private lastPersist = 0;
  private loadedTask: string | null = null;
  /** A pending save of the form into the open task (debounced). */
  private saveForm: { timer: ReturnType<typeof setTimeout>; taskId: string | null; settings: ReturnType<typeof settingsOfForm> } | null = null;

  constructor(
    private readonly encoder: EncoderClient,
    private readonly store: StudioStore,
  ) {
    encoder.onTrainingEvent((event) => this.receive(event));
    setPickNext((texts, skipped) => pickLeastSure(this.store.getState().predict.byTextId)(texts, skipped));
  }

  /** Follows the open task: loads its runs and deltas, then scores its unlabelled texts for active learning. */
  start(): void {
    const follow = () => {
      const { currentId, loaded } = this.store.getState().tasks;
      if (!loaded || currentId === this.loadedTask) return;
      this.loadedTask = currentId;
      void this.loadTask(currentId);
    };
    this.store.subscribe(follow);
    follow();
  }

  async loadTask(taskId: string | null): Promise<void> {
    patchSlice('predict', { deltaId: null, byTextId: {}, tryResult: null, error: null }, this.store);
    // The form shows the task's own settings (saved as the person changed them, or brought by a share link).
    const task = this.slice('tasks').list.find((t) => t.id === taskId);
    patchSlice('training', { form: formFromSettings(task?.settings) ?? initialTrainingSlice.form }, this.store);
    if (!taskId) {
      patchSlice('training', { taskId: null, runs: [], deltas: [], selectedRunId: null }, this.store);
      return;
    }
    try {
      const [runs, deltas] = await Promise.all([db.listRuns(taskId), db.listDeltas(taskId)]);
      // A run saved as 'running' that this page is not training was cut off (a reload, a closed tab, a crash).
      for (const run of runs) {
        if (run.status === 'running' && run.id !== this.active?.run.id) {
          run.status = 'interrupted';
          run.error = 'The page was closed or reloaded while this run was training. Resume it from its last checkpoint.';
          await db.putRun(run);
        }
      }
      if (this.store.getState().tasks.currentId !== taskId) return;
      patchSlice('training', {
        taskId, runs: runs.map(viewOf), deltas: deltas.map(deltaView), selectedRunId: this.active?.run.id ?? runs.at(-1)?.id ?? null, error: null,
      }, this.store);
      if (deltas.length > 0) await this.refreshPredictions();
    } catch (error) {
      patchSlice('training', { error: shown(error) }, this.store);
    }
  }

  // ---- the form ------------------------------------------------------------------------------------------

  setMethod(method: MethodName): void {
    const { training, selfTrain } = withMethod(this.slice('training').form, method);
    this.patchForm({ method, training, selfTrain });
  }

  setMethodField(method: MethodName, field: string, value: unknown): void {
    const { configs } = this.slice('training').form;
    this.patchForm({ configs: { ...configs, [method]: { ...configs[method], [field]: value } } });
  }

  setTrainingField(field: keyof TrainingConfig, value: unknown): void {
    this.patchForm({ training: { ...this.slice('training').form.training, [field]: value } });
  }

  setSelfTrainField(field: string, value: unknown): void {
    this.patchForm({ selfTrain: { ...this.slice('training').form.selfTrain, [field]: value } });
  }

  setStudentPreset(preset: StudentPreset): void {
    this.patchForm({ selfTrain: withStudentPreset(this.slice('training').form, preset).selfTrain });
  }

  selectRun(runId: string): void {
    patchSlice('training', { selectedRunId: runId }, this.store);
  }

  // ---- runs ----------------------------------------------------------------------------------------------

  get busy(): boolean {
    return this.active !== null;
  }

  /** Trains the form's method on the task's labels. */
  startTraining(): Promise<void> {
    const { form } = this.slice('training');
    const method = form.configs[form.method] as MethodConfig;
    return this.launch(this.newRun('train', method, { method, training: form.training }));
  }

  /** Self-trains the form's method on the task's labels and unlabelled texts. */
  startSelfTraining(): Promise<void> {
    const { form } = this.slice('training');
    const method = form.configs[form.method] as MethodConfig;
    const selfTrain: Partial<SelfTrainConfig> = { ...form.selfTrain, fineTune: form.training };
    return this.launch(this.newRun('selfTrain', method, { method, training: form.training, selfTrain }));
  }

  /**
   * Continues an interrupted (or cancelled) run from its checkpoint: self-training after its last finished round,
   * plain training from its last checkpointed step; without a checkpoint it starts again at step 0.
   */
  async resume(runId: string): Promise<void> {
    const run = await db.getRun(runId);
    if (!run) return;
    const saved = checkpointOf(run);
    if (!saved) {
      run.history = {};
      run.metrics = {};
    } else if (saved.kind === 'train') {
      run.history = historyUpToStep(run.history, saved.state.loop.step);
    } else {
      run.history = historyUpToRound(run.history, saved.state.roundsFinished);
    }
    run.status = 'running';
    run.error = null;
    return this.launch(run, saved ?? undefined);
  }

  cancel(): void {
    if (this.active) this.encoder.cancelRequest(this.active.live.requestId);
  }

  private newRun(kind: RunRecord['kind'], method: MethodConfig, config: RunRecord['config']): RunRecord {
    const now = Date.now();
    return {
      id: db.newId(), taskId: this.slice('tasks').currentId ?? '', kind, method: method.method, config, status: 'running',
      createdAt: now, updatedAt: now, history: {}, metrics: {}, checkpoint: null, deltaId: null, error: null,
      ...(this.slice('encoder').model ? { encoderFingerprint: this.slice('encoder').model!.fingerprint } : {}),
    };
  }

  private async launch(run: RunRecord, from?: NonNullable<ReturnType<typeof checkpointOf>>): Promise<void> {
    if (this.active) return;
    const task = this.slice('tasks').list.find((t) => t.id === run.taskId);
    if (!task) return;
    const texts = this.slice('tasks').texts;
    const examples: JobExample[] = texts.flatMap((t) => (t.label === null ? [] : [{ text: t.text, label: t.label }]));
    const pool = texts.flatMap((t) => (t.label === null ? [t.text] : [])).slice(0, SELF_TRAIN_POOL);
    const deltaId = db.newId();
    const common = { task: { name: task.name, labels: task.labels.map((l) => l.name) }, method: run.config.method as MethodConfig, examples, deltaId, ...(run.encoderFingerprint ? { encoderFingerprint: run.encoderFingerprint } : {}) };
    patchSlice('training', { error: null, selectedRunId: run.id }, this.store);
    try {
      await db.putRun(run);
    } catch (error) {
      patchSlice('training', { error: shown(error) }, this.store);
      return;
    }
    const request = run.kind === 'train'
      ? this.encoder.request<'train'>((id) => ({ type: 'train', id, job: { ...common, training: run.config.training as Partial<TrainingConfig>, ...(from?.kind === 'train' ? { resume: from.state } : {}) } }))
      : this.encoder.request<'selfTrain'>((id) => ({ type: 'selfTrain', id, job: { ...common, selfTrain: run.config.selfTrain as Partial<SelfTrainConfig>, unlabelled: pool, ...(from?.kind === 'selfTrain' ? { resume: from.state } : {}) } }));
    const round = from?.kind === 'selfTrain' ? from.state.roundsFinished : 0;
    const step = from?.kind === 'train' ? from.state.loop.step : 0;
    const started = Date.now();
    const pace: RunPace = { since: null, fromStep: step, rounds: roundsOf(run), mayStopEarly: mayStopEarly(run), roundsDone: round, roundSince: started, roundSeconds: [] };
    // A fresh self-training run starts with its first teacher; a resumed one with the next round's labelling.
    const stage = run.kind === 'train' ? null : from ? 'labelling' : 'firstTeacher';
    const live: LiveRun = { runId: run.id, requestId: request.id, kind: run.kind, round, stage, studentStep: 0, studentSteps: 0, phase: null, pseudo: [], step, totalSteps: 0, pace, at: started };
    const active: Active = { run, live, pool, labels: new Map(), rows: new Map(), finishedRound: null, shown: {}, dirty: new Set(Object.keys(run.history)) };
    this.active = active;
    this.flush(true);
    try {
      const outcome: TrainOutcome | SelfTrainOutcome = await request.result;
      await this.finish(outcome);
    } catch (error) {
      await this.fail(error);
    } finally {
      if (run.kind === 'selfTrain') patchSlice('training', { lastWeights: lastWeightsOf(active) }, this.store);
      this.active = null;
      this.flush(true);
    }
  }

  private async finish(outcome: TrainOutcome | SelfTrainOutcome): Promise<void> {
    const { run } = this.active!;
    const cancelled = outcome.reason === 'cancelled';
    run.status = cancelled ? 'cancelled' : 'completed';
    run.updatedAt = Date.now();
    if ('steps' in outcome) run.metrics = { ...run.metrics, ...outcome.delta.metrics, steps: outcome.steps, bestStep: outcome.bestStep };
    else run.metrics = { ...run.metrics, roundsFinished: outcome.roundsFinished };
    const delta = outcome.delta;
    if (!cancelled && delta) {
      run.checkpoint = null;
      run.deltaId = delta.deltaId;
      const record = this.deltaRecord(run, delta);
      await db.putRunWithDelta(run, record);
      patchSlice('training', { deltas: [...this.slice('training').deltas, deltaView(record)] }, this.store);
    } else {
      await db.putRun(run);
    }
    this.replaceRun(run);
    if (!cancelled && delta) void this.refreshPredictions();
  }

  private async fail(error: unknown): Promise<void> {
    const { run } = this.active!;
    const crashed = error instanceof EncoderWorkerError && CRASH_CODES.has(error.code ?? '');
    run.status = crashed ? 'interrupted' : 'failed';
    run.updatedAt = Date.now();
    run.error = crashed
      ? `The worker running the model stopped in the middle of this run (${error.wire.reason ?? error.message}). Your labels and this run up to its last checkpoint are saved. Reload the page, then press Resume.`
      : toWireError(error).message;
    try {
      await db.putRun(run);
    } catch {
      // The error below says what happened; the run in the store still shows it.
    }
    this.replaceRun(run);
    patchSlice('training', { error: { name: crashed ? 'WorkerCrashed' : shown(error).name, message: run.error } }, this.store);
  }

  private deltaRecord(run: RunRecord, delta: TrainedDelta): DeltaRecord {
    return {
      id: delta.deltaId, taskId: run.taskId, runId: run.id, source: 'trained', createdAt: Date.now(), method: run.method, format: delta.format,
      config: run.config.method, zip: delta.zip, encoderFingerprint: delta.encoderFingerprint, metrics: { ...delta.metrics },
    };
  }

  // ---- events from the worker ----------------------------------------------------------------------------

  private receive(message: TrainingEvent): void {
    const active = this.active;
    if (!active || message.id !== active.live.requestId) return;
    const { run, live } = active;
    const series = (name: string) => {
      active.dirty.add(name);
      return (run.history[name] ??= []);
    };
    switch (message.type) {
      case 'trainEvent': {
        const e = message.event;
        if (e.kind === 'step') {
          series('steps').push({ step: e.step, loss: e.loss, lr: e.lr, examplesPerSecond: e.examplesPerSecond, gradNorm: e.gradNorm });
          Object.assign(live, { step: e.step, totalSteps: e.totalSteps });
          if (live.pace.since === null) live.pace = { ...live.pace, since: Date.now(), fromStep: e.step };
        } else if (e.kind === 'eval') {
          series('evals').push({ step: e.step, heldOutAccuracy: e.heldOutAccuracy, heldOutLoss: e.heldOutLoss });
        }
        break;
      }
      case 'selfTrainEvent': {
        const e = message.event;
        switch (e.kind) {
          case 'fit': {
            // A round's fit: charted on one axis across rounds (x counts every fit step of the run).
            const steps = series('steps');
            if (e.event.kind === 'step') {
              steps.push({ step: steps.length + 1, round: e.round, loss: e.event.loss, lr: e.event.lr, examplesPerSecond: e.event.examplesPerSecond, gradNorm: e.event.gradNorm });
              Object.assign(live, { step: e.event.step, totalSteps: e.event.totalSteps, round: e.round, stage: e.round === 0 ? 'firstTeacher' : 'fineTune' } satisfies Partial<LiveRun>);
              // The first teacher is timed as plain training is, until a finished round times the whole run.
              if (e.round === 0 && live.pace.since === null) live.pace = { ...live.pace, since: Date.now(), fromStep: e.event.step };
            } else if (e.event.kind === 'eval') {
              series('evals').push({ step: steps.length, round: e.round, heldOutAccuracy: e.event.heldOutAccuracy, heldOutLoss: e.event.heldOutLoss });
            }
            break;
          }
          case 'pseudoLabels':
            series('pseudoLabels').push({ round: e.round, count: e.count, dropped: e.dropped, meanConfidence: e.meanConfidence, ...countsRow(e.classCounts) });
            active.labels = new Map(e.items.map((item) => [item.poolIndex, item]));
            active.rows = new Map();
            Object.assign(live, { round: e.round, stage: 'student', studentStep: 0, phase: null } satisfies Partial<LiveRun>);
            break;
          case 'studentStep':
            series('student').push({ round: e.round, step: e.step, loss: e.loss, metaLoss: e.metaLoss });
            e.poolIndices.forEach((poolIndex, j) => {
              const next = { weight: e.weights[j], step: e.step, phase: e.phase };
              const row = active.rows.get(poolIndex);
              if (row) {
                active.rows.set(poolIndex, { ...row, ...next });
              } else {
                const pseudo = active.labels.get(poolIndex);
                active.rows.set(poolIndex, { poolIndex, text: active.pool[poolIndex] ?? '', label: pseudo?.label ?? null, confidence: pseudo?.confidence ?? null, ...next });
              }
            });
            Object.assign(live, { stage: 'student', studentStep: e.step, studentSteps: e.totalSteps, phase: e.phase } satisfies Partial<LiveRun>);
            break;
          case 'round':
            series('rounds').push({ round: e.round, teacherAccuracy: e.teacherAccuracy, studentAccuracy: e.studentAccuracy, seconds: e.seconds, ...countsRow(e.pseudoLabelClassCounts) });
            run.metrics = { ...run.metrics, roundsFinished: e.round, teacherAccuracy: e.teacherAccuracy, studentAccuracy: e.studentAccuracy };
            live.pace = { ...live.pace, roundsDone: e.round, roundSince: Date.now(), roundSeconds: [...live.pace.roundSeconds, e.seconds] };
            live.stage = 'labelling'; // the next round starts with the teacher labelling its sample
            active.finishedRound = { round: e.round, rows: [...active.rows.values()] };
            break;
          case 'done':
            break;
        }
        break;
      }
      case 'trainCheckpoint':
      case 'selfTrainState':
        // A self-training state is saved after each finished round (the first teacher's included): labelling is next.
        if (message.type === 'selfTrainState') live.stage = 'labelling';
        run.checkpoint = message.type === 'trainCheckpoint' ? message.checkpoint : message.state;
        this.lastPersist = 0; // save now: this is the point a reload resumes from
        break;
    }
    this.scheduleFlush();
  }

  private scheduleFlush(): void {
    this.flushTimer ??= setTimeout(() => {
      this.flushTimer = null;
      this.flush(false);
    }, FLUSH_MS);
  }

  /** Copies the working run into the store (and, now and then, into IndexedDB). */
  private flush(force: boolean): void {
    const active = this.active;
    if (!active) {
      patchSlice('training', { live: null }, this.store);
      return;
    }
    const { run, live } = active;
    run.updatedAt = Date.now();
    // Unchanged series keep their identity, so their (memoised) charts do not draw again.
    for (const name of active.dirty) active.shown = { ...active.shown, [name]: [...(run.history[name] ?? [])] };
    active.dirty.clear();
    const history = active.shown;
    const pseudo = [...active.rows.values()];
    this.replaceRun({ ...run, history });
    patchSlice('training', { live: { ...live, pseudo, at: run.updatedAt } }, this.store);
    if (force || run.updatedAt - this.lastPersist >= PERSIST_MS) {
      this.lastPersist = run.updatedAt;
      void db.putRun({ ...run, history }).catch((error: unknown) => patchSlice('training', { error: shown(error) }, this.store));
    }
  }

  private replaceRun(run: RunRecord): void {
    const view = viewOf(run);
    const { runs, taskId } = this.slice('training');
    if (taskId !== run.taskId) return;
    const found = runs.some((r) => r.id === run.id);
    patchSlice('training', { runs: found ? runs.map((r) => (r.id === run.id ? view : r)) : [...runs, view] }, this.store);
  }

  // ---- predictions ---------------------------------------------------------------------------------------

  /** The task's newest delta, or null. */
  latestDelta(): DeltaView | null {
    return newestDelta(this.slice('training').deltas);
  }

  /** Scores unlabelled texts with the newest delta: the first ACTIVE_POOL, or all of them. */
  async refreshPredictions(all = false): Promise<void> {
    const delta = this.latestDelta();
    if (!delta) return;
    const unlabelled = this.slice('tasks').texts.filter((t) => t.label === null);
    const targets: TextItem[] = all ? unlabelled : unlabelled.slice(0, ACTIVE_POOL);
    const fresh = this.slice('predict').deltaId !== delta.id;
    patchSlice('predict', { deltaId: delta.id, ...(fresh ? { byTextId: {} } : {}), progress: { done: 0, total: targets.length }, error: null }, this.store);
    try {
      for (let start = 0; start < targets.length; start += PREDICT_CHUNK) {
        const chunk = targets.slice(start, start + PREDICT_CHUNK);
        const probs = await this.predictWith(delta.id, chunk.map((t) => t.text));
        const byTextId = { ...this.slice('predict').byTextId };
        chunk.forEach((t, i) => (byTextId[t.id] = probs[i]));
        patchSlice('predict', { byTextId, progress: { done: start + chunk.length, total: targets.length } }, this.store);
      }
      patchSlice('predict', { progress: null }, this.store);
    } catch (error) {
      patchSlice('predict', { progress: null, error: shown(error) }, this.store);
    }
  }

  /** What the newest delta says about one typed text. */
  async tryText(text: string): Promise<void> {
    const delta = this.latestDelta();
    const trimmed = text.trim();
    if (!delta || !trimmed) {
      patchSlice('predict', { error: { name: 'InputError', message: delta ? 'Type a text first.' : 'Train a model on the Train page first.' } }, this.store);
      return;
    }
    patchSlice('predict', { running: true, error: null }, this.store);
    try {
      const [probabilities] = await this.predictWith(delta.id, [trimmed]);
      patchSlice('predict', { running: false, tryResult: { text: trimmed, probabilities } }, this.store);
    } catch (error) {
      patchSlice('predict', { running: false, error: shown(error) }, this.store);
    }
  }

  /** Rows of class probabilities; loads the delta into the worker first when it does not hold it. */
  private async predictWith(deltaId: string, texts: string[]): Promise<number[][]> {
    await this.modelReady();
    const ask = () => this.encoder.request<'predict'>((id) => ({ type: 'predict', id, deltaId, texts })).result;
    let result;
    try {
      result = await ask();
    } catch (error) {
      if (!(error instanceof EncoderWorkerError) || error.code !== 'no-classifier') throw error;
      const record = await db.getDelta(deltaId);
      if (!record) throw error;
      await this.encoder.request<'useDelta'>((id) => ({ type: 'useDelta', id, deltaId, zip: record.zip })).result;
      result = await ask();
    }
    const { count, classes, probabilities } = result;
    return Array.from({ length: count }, (_, i) => Array.from(probabilities.subarray(i * classes, (i + 1) * classes)));
  }

  /** Resolves once an encoder is loaded in the worker. */
  private modelReady(): Promise<void> {
    if (this.slice('encoder').model) return Promise.resolve();
    return new Promise((resolve) => {
      const stop = this.store.subscribe((s) => {
        if (s.encoder.model) {
          stop();
          resolve();
        }
      });
    });
  }

  private patchForm(patch: Partial<StudioState['training']['form']>): void {
    patchSlice('training', { form: { ...this.slice('training').form, ...patch } }, this.store);
    // Saved shortly after the last change, to the task it was made for (even if another is opened meanwhile).
    const taskId = this.slice('tasks').currentId;
    const settings = settingsOfForm(this.slice('training').form);
    if (this.saveForm !== null) clearTimeout(this.saveForm.timer);
    if (this.saveForm !== null && this.saveForm.taskId !== taskId) void this.saveSettings(this.saveForm.taskId, this.saveForm.settings);
    const timer = setTimeout(() => {
      this.saveForm = null;
      void this.saveSettings(taskId, settings);
    }, 400);
    this.saveForm = { timer, taskId, settings };
  }

  /** Keeps the form in the task's record, so a reload (or a share link) brings it back. */
  private async saveSettings(taskId: string | null, settings: ReturnType<typeof settingsOfForm>): Promise<void> {
    const task = this.slice('tasks').list.find((t) => t.id === taskId);
    if (!task) return;
    const next = { ...task, settings };
    try {
      await db.putTask(next);
      patchSlice('tasks', { list: this.slice('tasks').list.map((t) => (t.id === task.id ? next : t)) }, this.store);
    } catch (error) {
      patchSlice('training', { error: shown(error) }, this.store);
    }
  }

  private slice<K extends keyof StudioState>(key: K): StudioState[K] {
    return this.store.getState()[key];
  }
}
