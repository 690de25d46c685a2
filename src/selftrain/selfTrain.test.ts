/**
 * Self-training end to end on the tiny BERT, for three PEFT methods from the registry (cpu and wasm): the events a UI reads,
 * a flat tensor count across student and meta steps and across rounds, cancellation after a round, and a resume
 * from the state after round 1 that gives exactly the uninterrupted run's round 2.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCheckpointDir, TINY_BERT_DIR } from '../encoder/bert/testing/fixtures';
import { BertWeights } from '../encoder/bert/weights';
import { WordPieceTokenizer } from '../encoder/tokenizer';
import { LinearHead } from '../peft/head';
import { PEFT_METHODS, type MethodConfig } from '../peft/registry';
import { initNodeBackend } from '../runtime/nodeBackends';
import type { LabelledExample } from '../training/batching';
import type { SelfTrainConfig } from './config';
import type { SelfTrainEvent } from './events';
import { selfTrain, type SelfTrainOptions } from './selfTrain';
import type { SelfTrainState } from './state';

const POSITIVE = ['a good film', 'the best day', 'very good and fun', 'i love this', 'good music', 'love it'];
const NEGATIVE = ['a bad film', 'the worst day', 'very bad and sad', 'i hate this', 'bad music', 'hate it'];
const LABELLED: LabelledExample[] = [...POSITIVE.map((text) => ({ text, label: 1 })), ...NEGATIVE.map((text) => ({ text, label: 0 }))];
const UNLABELLED = ['good fun', 'the worst music', 'i love the film', 'sad day', 'the best music', 'bad and sad', 'fun film', 'i hate the day', 'very good', 'very bad'];

const CONFIG: Partial<SelfTrainConfig> = {
  rounds: 2, studentSteps: 4, warmupFraction: 0.5, innerLr: 0.5, unlabeledPerRound: 8, unlabeledBatchSize: 4,
  labelledBatchSize: 4, labelBatchSize: 8, studentLr: 1e-2, evalFraction: 0.25, seed: 11,
  fineTune: { lr: 2e-2, maxSteps: 3, batchSize: 4, heldOutFraction: 0, patience: 0 },
};

/** Methods x backends: two methods on cpu, a third on wasm. */
const ROWS: Array<{ name: string; backend: 'cpu' | 'wasm'; method: MethodConfig }> = [
  { name: 'lora', backend: 'cpu', method: { ...PEFT_METHODS.lora.defaults, r: 2, loraAlpha: 4, loraDropout: 0.1 } },
  { name: 'bottleneck', backend: 'cpu', method: PEFT_METHODS.bottleneck.defaults },
  { name: 'prefix', backend: 'wasm', method: PEFT_METHODS.prefix.defaults },
];

describe.each(ROWS)('selfTrain with $name on $backend', ({ backend, method }) => {
  const ckpt = readCheckpointDir(TINY_BERT_DIR);
  const tokenizer = WordPieceTokenizer.fromJSON(ckpt.tokenizerJson);
  let weights: BertWeights;

  beforeAll(async () => {
    expect((await initNodeBackend(backend)).backend).toBe(backend);
    weights = BertWeights.fromCheckpoint(ckpt);
  });

  const run = async (extra: Partial<SelfTrainOptions> = {}, abortAfterRound?: number) => {
    const events: SelfTrainEvent[] = [];
    const states: SelfTrainState[] = [];
    const tensorsAtStep: Array<{ round: number; step: number; n: number }> = [];
    const tensorsAtRound: number[] = [];
    const controller = new AbortController();
    const result = await selfTrain({
      weights, pooling: ckpt.pooling, encoder: ckpt.config, tokenizer, method, classes: 2,
      labelled: LABELLED, unlabelled: UNLABELLED, config: CONFIG, signal: controller.signal,
      onState: (s) => void states.push(s),
      onEvent: (e) => {
        events.push(e);
        if (e.kind === 'studentStep') tensorsAtStep.push({ round: e.round, step: e.step, n: tf.memory().numTensors });
        if (e.kind === 'round') {
          tensorsAtRound.push(tf.memory().numTensors);
          if (e.round === abortAfterRound) controller.abort();
        }
      },
      ...extra,
    });
    return { result, events, states, tensorsAtStep, tensorsAtRound };
  };

  it('runs its rounds, reports what a UI charts, keeps tensors flat, and resumes to the same round 2', async () => {
    const full = await run();
    expect(full.result.reason).toBe('completed');
    expect(full.states.map((s) => s.roundsFinished)).toEqual([0, 1, 2]);

    for (const round of [1, 2]) {
      const labels = full.events.find((e) => e.kind === 'pseudoLabels' && e.round === round);
      if (labels?.kind !== 'pseudoLabels') throw new Error(`no pseudoLabels event in round ${round}`);
      expect(labels.classCounts.reduce((a, b) => a + b, 0)).toBe(8);
      // One label per sampled text, distinct pool indices, counted by classCounts.
      expect(new Set(labels.items.map((l) => l.poolIndex)).size).toBe(8);
      expect(labels.classCounts).toEqual(labels.classCounts.map((_, c) => labels.items.filter((l) => l.label === c).length));
      const steps = full.events.filter((e) => e.kind === 'studentStep' && e.round === round);
      const labelledIndices = new Set(labels.items.map((l) => l.poolIndex));
      expect(steps.every((e) => e.kind === 'studentStep' && e.poolIndices.every((i) => labelledIndices.has(i)))).toBe(true);
      expect(steps.map((e) => e.kind === 'studentStep' && e.phase)).toEqual(['warmup', 'warmup', 'meta', 'meta']);
      for (const e of steps) {
        if (e.kind !== 'studentStep') continue;
        expect(e.weights).toHaveLength(e.poolIndices.length);
        expect(e.poolIndices.every((i) => i >= 0 && i < UNLABELLED.length)).toBe(true);
        const sum = e.weights.reduce((a, b) => a + b, 0);
        expect(sum === 0 || Math.abs(sum - 1) < 1e-6).toBe(true);
        expect(Number.isFinite(e.loss)).toBe(true);
        expect(e.metaLoss === null).toBe(e.phase === 'warmup');
      }
      const summary = full.events.find((e) => e.kind === 'round' && e.round === round);
      expect(summary?.kind === 'round' && summary.studentAccuracy !== null && summary.teacherAccuracy !== null).toBe(true);
    }
    const metaWeightsSeen = full.events.flatMap((e) => (e.kind === 'studentStep' && e.phase === 'meta' ? [e.weights] : []));
    expect(metaWeightsSeen.some((w) => w.some((x) => Math.abs(x - 1 / w.length) > 1e-3))).toBe(true); // reweighting acts
    // The optimizer's moments appear on the first student step; from then on every step (meta ones included)
    // ends with the same tensor count, and every round ends with the same count as the one before.
    for (const round of [1, 2]) {
      const counts = full.tensorsAtStep.filter((t) => t.round === round && t.step > 1).map((t) => t.n);
      expect(new Set(counts).size).toBe(1);
    }
    expect(full.tensorsAtRound[0]).toBe(full.tensorsAtRound[1]);

    const stopped = await run({}, 1);
    expect(stopped.result.reason).toBe('cancelled');
    expect(stopped.result.state.roundsFinished).toBe(1);
    expect(stopped.result.state.teacher).toEqual(full.states[1].teacher);
    stopped.result.classifier.dispose();

    const resumed = await run({ resume: stopped.result.state });
    expect(resumed.result.reason).toBe('completed');
    expect(resumed.result.state.roundsFinished).toBe(2);
    expect(resumed.result.state.teacher).toEqual(full.result.state.teacher);
    const studentSteps = (r: typeof full) => r.events.filter((e) => e.kind === 'studentStep' && e.round === 2);
    expect(studentSteps(resumed)).toEqual(studentSteps(full));
    resumed.result.classifier.dispose();
    full.result.classifier.dispose();
  }, 120_000);

  it('with uniform weighting (the ablation) keeps every post-warm-up weight equal, takes no meta step, and fine-tunes students for studentFineTuneSteps', async () => {
    const uniform = await run({ config: { ...CONFIG, rounds: 1, weighting: 'uniform', studentFineTuneSteps: 2 } });
    const steps = uniform.events.filter((e) => e.kind === 'studentStep');
    expect(steps.map((e) => e.kind === 'studentStep' && e.phase)).toEqual(['warmup', 'warmup', 'uniform', 'uniform']);
    for (const e of steps) {
      if (e.kind !== 'studentStep') continue;
      expect(e.metaLoss).toBeNull();
      expect(e.weights.every((w) => Math.abs(w - 1 / e.weights.length) < 1e-9)).toBe(true);
    }
    const round = uniform.events.find((e) => e.kind === 'round');
    // studentFineTuneSteps: 2 left the first teacher at fineTune's 3 steps and gave the student 2.
    const fitSteps = (r: number) => uniform.events.filter((e) => e.kind === 'fit' && e.round === r && e.event.kind === 'step').length;
    expect([fitSteps(0), fitSteps(1)]).toEqual([3, 2]);
    expect(round?.kind === 'round' && Object.values(round.phaseSeconds).every((x) => x >= 0)).toBe(true);
    uniform.result.classifier.dispose();
  }, 120_000);

  it('with confidentShare 0.5 trains the student on the most confident half of each label, and reports the rest as dropped', async () => {
    const one = { ...CONFIG, rounds: 1 };
    const all = await run({ config: one });
    const half = await run({ config: { ...one, confidentShare: 0.5 } });
    const labelsOf = (r: typeof all) => r.events.find((e) => e.kind === 'pseudoLabels');
    const [every, kept] = [labelsOf(all), labelsOf(half)];
    if (every?.kind !== 'pseudoLabels' || kept?.kind !== 'pseudoLabels') throw new Error('no pseudoLabels event');
    expect([every.count, every.dropped]).toEqual([8, 0]);
    // The same first teacher labelled the same sample; per label, the top ceil(half) by confidence stay.
    const want = every.classCounts.flatMap((n, c) =>
      every.items.filter((l) => l.label === c).sort((a, b) => b.confidence - a.confidence).slice(0, Math.ceil(n / 2)));
    expect(new Set(kept.items.map((l) => l.poolIndex))).toEqual(new Set(want.map((l) => l.poolIndex)));
    expect(kept.count + kept.dropped).toBe(8);
    expect(kept.dropped).toBeGreaterThan(0);
    expect(kept.classCounts).toEqual(every.classCounts.map((n) => Math.ceil(n / 2)));
    const keptIndices = new Set(kept.items.map((l) => l.poolIndex));
    const met = half.events.flatMap((e) => (e.kind === 'studentStep' ? e.poolIndices : []));
    expect(half.events.filter((e) => e.kind === 'studentStep')).toHaveLength(CONFIG.studentSteps!);
    expect(new Set(met)).toEqual(keptIndices); // only kept texts; 4 steps of up to 4 cycle through all of them
    all.result.classifier.dispose();
    half.result.classifier.dispose();
  }, 120_000);

  it('waits for an onState that returns a promise, and with evalFraction 0 trains on every label and scores nothing', async () => {
    const order: string[] = [];
    const rounds: SelfTrainEvent[] = [];
    const slowSave = (s: SelfTrainState) => new Promise<void>((resolve) => setTimeout(() => { order.push(`saved ${s.roundsFinished}`); resolve(); }, 50));
    const { result } = await run({
      config: { ...CONFIG, rounds: 1, evalFraction: 0 },
      onState: slowSave,
      onEvent: (e) => {
        if (e.kind !== 'fit') order.push(e.kind);
        if (e.kind === 'round') rounds.push(e);
      },
    });
    // Round 0's state is saved before round 1 starts, round 1's before its summary goes out.
    expect(order.slice(0, 2)).toEqual(['saved 0', 'pseudoLabels']);
    expect(order.indexOf('saved 1')).toBe(order.indexOf('round') - 1);
    const round = rounds[0];
    expect(round?.kind === 'round' && [round.teacherAccuracy, round.studentAccuracy]).toEqual([null, null]);
    result.classifier.dispose();
  }, 120_000);

  it('with no rounds needs no unlabelled texts and hands back, bit for bit, the first teacher a run with rounds starts from', async () => {
    // The few-shot runner's plain runs: the method alone, trained as LiST trains its first teacher.
    const alone = await run({ unlabelled: [], config: { ...CONFIG, rounds: 0, evalFraction: 0 } });
    const list = await run({ config: { ...CONFIG, rounds: 1, evalFraction: 0 } });
    expect(alone.result.reason).toBe('completed');
    expect(alone.states.map((s) => s.roundsFinished)).toEqual([0]);
    expect(alone.events.some((e) => e.kind === 'pseudoLabels')).toBe(false);
    const firstTeacher = list.states.find((s) => s.roundsFinished === 0)!;
    expect(alone.result.state.teacher.map((a) => a.name)).toEqual(firstTeacher.teacher.map((a) => a.name));
    alone.result.state.teacher.forEach((a, i) => expect(Array.from(a.data)).toEqual(Array.from(firstTeacher.teacher[i].data)));
    // ... and which it was not, had the rounds been trained: round 1's teacher is another.
    const last = list.result.state.teacher;
    expect(last.some((a, i) => Array.from(a.data).some((x, j) => x !== firstTeacher.teacher[i].data[j]))).toBe(true);
    await expect(run({ unlabelled: [], config: { ...CONFIG, rounds: 1 } })).rejects.toThrow('Self-training needs unlabelled texts');
    alone.result.classifier.dispose();
    list.result.classifier.dispose();
  }, 120_000);

  it('starts the first teacher from a given head, copied (the caller keeps its own)', async () => {
    const init = new LinearHead({ weight: tf.fill([2, ckpt.config.hiddenSize], 0.25) as tf.Tensor2D, bias: tf.tensor1d([0.5, -0.5]) });
    // No fine-tuning steps: the round-0 teacher is exactly the given head.
    const { result } = await run({ initialHead: init, config: { ...CONFIG, rounds: 0, fineTune: { ...CONFIG.fineTune, maxSteps: 1, lr: 1e-12 } } });
    const head = result.state.teacher.find((a) => a.name.endsWith('classifier.bias'));
    expect(head && Array.from(head.data).map((x) => Math.round(x * 1e4) / 1e4)).toEqual([0.5, -0.5]);
    expect(Array.from(await init.bias.data())).toEqual([0.5, -0.5]); // untouched, still usable by the caller
    init.dispose();
    result.classifier.dispose();
  }, 120_000);

  afterAll(() => weights?.dispose());
});
