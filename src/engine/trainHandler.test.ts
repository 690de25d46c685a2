/**
 * Training through the worker protocol without a Worker: EncoderHandler (which owns a TrainHandler) on the plain-JS
 * cpu backend with the tiny BERT fixture. Requests in; responses, step events and checkpoints out.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { TINY_LABELS, TINY_TRAINING } from '../peft/export/testing/tinyTask';
import type { LoraConfig } from '../peft/lora/config';
import type { EncoderEvent, EncoderRequest, EncoderResponse, EncoderResults, JobExample, SelfTrainJob, TrainCheckpoint, TrainJob } from '../protocol/messages';
import type { SelfTrainState } from '../selftrain/state';
import { EncoderHandler } from './encoderHandler';

const TINY_DIR = join(import.meta.dirname, '../../fixtures/models/tiny-bert');
const read = (file: string): ArrayBuffer => {
  const bytes = readFileSync(join(TINY_DIR, file));
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
};

const LORA: LoraConfig = { method: 'lora', r: 2, loraAlpha: 4, loraDropout: 0, targetModules: ['query', 'value'], useRslora: false };
const EXAMPLES: JobExample[] = TINY_TRAINING.map(([text, label]) => ({ text, label }));
const UNLABELLED = ['the film was lovely', 'i hate cold soup', 'the bus leaves at noon', 'great music and a happy crowd', 'a rude waiter', 'the shop opens on monday'];
const TASK = { name: 'tiny', labels: [...TINY_LABELS] };

let nextId = 1;
const events: EncoderEvent[] = [];
const handler = new EncoderHandler({ emit: (e) => events.push(e) });

function resultOf<K extends keyof EncoderResults>(response: EncoderResponse, kind: K): EncoderResults[K] {
  if (response.type === 'error') throw new Error(`unexpected error response: ${JSON.stringify(response.error)}`);
  if (response.request !== kind) throw new Error(`expected ${kind}, got ${response.request}`);
  return response.result as EncoderResults[K];
}

async function ask<K extends EncoderRequest['type']>(request: Extract<EncoderRequest, { type: K }>): Promise<EncoderResults[K]> {
  return resultOf((await handler.handle(request)).response, request.type as K);
}

const trainJob = (deltaId: string, training: TrainJob['training']): TrainJob => ({ task: TASK, method: LORA, training, examples: EXAMPLES, deltaId });
const selfJob = (deltaId: string, selfTrain: SelfTrainJob['selfTrain'], resume?: SelfTrainState): SelfTrainJob => ({
  task: TASK, method: LORA, examples: EXAMPLES, unlabelled: UNLABELLED, deltaId, selfTrain, ...(resume ? { resume } : {}),
});
const SELF_KNOBS: SelfTrainJob['selfTrain'] = {
  rounds: 1, studentSteps: 4, warmupFraction: 0.5, unlabeledPerRound: 6, unlabeledBatchSize: 3, labelledBatchSize: 3, evalFraction: 0, maxLength: 16,
  fineTune: { maxSteps: 2, batchSize: 3, heldOutFraction: 0 },
};

describe('training in the encoder worker', () => {
  beforeAll(async () => {
    await ask({ id: nextId++, type: 'setBackend', preference: 'cpu' });
    await ask({ id: nextId++, type: 'loadModel', source: { kind: 'files', id: 'tiny-bert', files: { 'config.json': read('config.json'), 'tokenizer.json': read('tokenizer.json'), 'model.safetensors': read('model.safetensors') } } });
  });

  it('trains LoRA with step events, exports a peft zip, and leaks no tensor across steps or runs', async () => {
    events.length = 0;
    const counts: number[] = [];
    const id = nextId++;
    expect(handler.training.keptDeltaId).toBeNull();
    const onStep = events.push.bind(events);
    events.push = (...e: EncoderEvent[]) => {
      if (e[0]?.type === 'trainEvent' && e[0].event.kind === 'step') counts.push(tf.memory().numTensors);
      return onStep(...e);
    };
    const outcome = await ask({ id, type: 'train', job: trainJob('delta-1', { maxSteps: 6, batchSize: 3, heldOutFraction: 0, maxLength: 16, lr: 5e-3 }) });
    events.push = onStep;

    expect(outcome).toMatchObject({ reason: 'completed', steps: 6, delta: { deltaId: 'delta-1', format: 'peft' } });
    expect(Array.from(outcome.delta.zip.subarray(0, 2))).toEqual([0x50, 0x4b]); // "PK": a zip
    const steps = events.filter((e) => e.type === 'trainEvent' && e.event.kind === 'step');
    expect(steps).toHaveLength(6);
    expect(steps.every((e) => e.type === 'trainEvent' && e.id === id)).toBe(true);
    expect(counts).toHaveLength(6);
    expect(new Set(counts).size).toBe(1); // flat across steps

    const afterFirst = tf.memory().numTensors;
    await ask({ id: nextId++, type: 'train', job: trainJob('delta-2', { maxSteps: 3, batchSize: 3, heldOutFraction: 0, maxLength: 16 }) });
    expect(tf.memory().numTensors).toBe(afterFirst); // the kept classifier was replaced, not added to
    expect(handler.training.keptDeltaId).toBe('delta-2');
  });

  it('reports held-out accuracy while it trains', async () => {
    events.length = 0;
    const examples = [...EXAMPLES, ...EXAMPLES.map((e) => ({ ...e, text: `${e.text} !` }))];
    const outcome = await ask({ id: nextId++, type: 'train', job: { ...trainJob('delta-eval', { maxSteps: 4, batchSize: 4, heldOutFraction: 0.34, evalEvery: 2, maxLength: 16 }), examples } });
    const evals = events.flatMap((e) => (e.type === 'trainEvent' && e.event.kind === 'eval' ? [e.event] : []));
    expect(evals.map((e) => e.step)).toEqual([2, 4]);
    expect(evals.every((e) => e.heldOutAccuracy !== null && e.heldOutAccuracy >= 0 && e.heldOutAccuracy <= 1)).toBe(true);
    expect(outcome.delta.metrics.heldOutAccuracy).not.toBeNull();
  });

  it('predicts probabilities with the kept classifier, and with the same delta rebuilt from its zip', async () => {
    const outcome = await ask({ id: nextId++, type: 'train', job: trainJob('delta-p', { maxSteps: 4, batchSize: 3, heldOutFraction: 0, maxLength: 16, lr: 1e-2 }) });
    const texts = ['the movie was great', 'the food was cold'];
    const kept = await ask({ id: nextId++, type: 'predict', deltaId: 'delta-p', texts });
    expect([kept.count, kept.classes, kept.probabilities.length]).toEqual([2, 3, 6]);
    for (let r = 0; r < 2; r++) expect(kept.probabilities.subarray(r * 3, r * 3 + 3).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);

    const unknown = await handler.handle({ id: nextId++, type: 'predict', deltaId: 'nope', texts });
    expect(unknown.response).toMatchObject({ type: 'error', error: { name: 'NoClassifierError', code: 'no-classifier' } });

    const before = tf.memory().numTensors;
    expect(await ask({ id: nextId++, type: 'useDelta', deltaId: 'from-zip', zip: outcome.delta.zip })).toEqual({ deltaId: 'from-zip', method: 'lora', classes: 3 });
    expect(tf.memory().numTensors).toBe(before); // swapped, not added
    const rebuilt = await ask({ id: nextId++, type: 'predict', deltaId: 'from-zip', texts, maxLength: 16 });
    Array.from(rebuilt.probabilities).forEach((p, i) => expect(p).toBeCloseTo(kept.probabilities[i], 5));
  });

  it('stops a run on cancel and says so', async () => {
    events.length = 0;
    const id = nextId++;
    const running = handler.handle({ id, type: 'train', job: trainJob('delta-c', { maxSteps: 5000, batchSize: 3, heldOutFraction: 0, maxLength: 16 }) });
    while (!events.some((e) => e.type === 'trainEvent')) await new Promise((r) => setTimeout(r, 5));
    expect(await ask({ id: nextId++, type: 'cancel', target: id })).toEqual({ cancelled: true });
    const outcome = resultOf((await running).response, 'train');
    expect(outcome.reason).toBe('cancelled');
    expect(outcome.steps).toBeLessThan(5000);
  });

  it('checkpoints a plain run; resumed from a checkpoint it ends exactly as the uninterrupted run', async () => {
    // Held-out evaluations every 2 steps and dropout, so the early-stopping memory and the seeded order both matter.
    const examples = [...EXAMPLES, ...EXAMPLES.map((e) => ({ ...e, text: `${e.text} !` }))];
    const training: TrainJob['training'] = { maxSteps: 7, batchSize: 4, heldOutFraction: 0.34, evalEvery: 2, patience: 0, maxLength: 16, lr: 2e-2, seed: 7, monitor: 'heldOutAccuracy' };
    const job = (deltaId: string, resume?: TrainCheckpoint): TrainJob => ({
      ...trainJob(deltaId, training), method: { ...LORA, loraDropout: 0.2 }, examples, checkpointMs: 0, ...(resume ? { resume } : {}),
    });
    const stepLosses = (id: number) => events.flatMap((e) => (e.type === 'trainEvent' && e.id === id && e.event.kind === 'step' ? [[e.event.step, e.event.loss]] : []));
    const texts = ['the movie was great', 'the food was cold', 'the bus is late'];
    /** The probabilities a delta's zip gives (zips hold f32 tensors, so equal deltas give equal numbers). */
    const probsOf = async (zip: Uint8Array) => {
      await ask({ id: nextId++, type: 'useDelta', deltaId: 'probe', zip });
      return Array.from((await ask({ id: nextId++, type: 'predict', deltaId: 'probe', texts, maxLength: 16 })).probabilities);
    };

    events.length = 0;
    const fullId = nextId++;
    const full = await ask({ id: fullId, type: 'train', job: job('full') });
    const checkpoints = events.flatMap((e) => (e.type === 'trainCheckpoint' && e.id === fullId ? [e.checkpoint] : []));
    expect(checkpoints.map((c) => c.loop.step)).toEqual([1, 2, 3, 4, 5, 6]); // every step but the last (checkpointMs 0)
    expect(full.bestStep).toBe(2); // later evaluations do not beat step 2: the end restores values from before step 3
    const at3 = checkpoints[2];
    expect(at3).toMatchObject({ version: 1, method: 'lora', classes: 3, loop: { early: { bestStep: 2 } } });
    expect(at3.loop.variables.every((v) => v instanceof Float32Array)).toBe(true);
    expect(at3.loop.early.snapshot).not.toBeNull(); // the best values (step 2) differ from step 3's

    const resumedId = nextId++;
    const before = tf.memory().numTensors;
    const resumed = await ask({ id: resumedId, type: 'train', job: job('resumed', structuredClone(at3)) });
    expect(tf.memory().numTensors).toBe(before); // the kept classifier was swapped; the restored arrays were freed
    expect(stepLosses(resumedId).map(([s]) => s)).toEqual([4, 5, 6, 7]); // steps 1-3 were not redone
    expect(stepLosses(resumedId)).toEqual(stepLosses(fullId).slice(3));
    expect({ steps: resumed.steps, bestStep: resumed.bestStep, metrics: resumed.delta.metrics }).toEqual({ steps: full.steps, bestStep: full.bestStep, metrics: full.delta.metrics });
    const fullProbs = await probsOf(full.delta.zip);
    expect(await probsOf(resumed.delta.zip)).toEqual(fullProbs);

    // Without the checkpoint's early-stopping memory the same steps end elsewhere (step 2's values are lost).
    const forgetful = { ...at3, loop: { ...at3.loop, early: { best: null, bestStep: null, sinceBest: 0, snapshot: null } } };
    const fresh = await ask({ id: nextId++, type: 'train', job: job('fresh', forgetful) });
    expect(fresh.bestStep).toBe(4);
    expect(await probsOf(fresh.delta.zip)).not.toEqual(fullProbs);
  });

  it('sends a checkpoint when a run is cancelled, and refuses one of another method', async () => {
    events.length = 0;
    const id = nextId++;
    const running = handler.handle({ id, type: 'train', job: { ...trainJob('delta-cc', { maxSteps: 5000, batchSize: 3, heldOutFraction: 0, maxLength: 16 }), checkpointMs: 60_000 } });
    while (!events.some((e) => e.type === 'trainEvent' && e.event.kind === 'step' && e.event.step >= 2)) await new Promise((r) => setTimeout(r, 5));
    await ask({ id: nextId++, type: 'cancel', target: id });
    const outcome = resultOf((await running).response, 'train');
    const checkpoints = events.flatMap((e) => (e.type === 'trainCheckpoint' ? [e.checkpoint] : []));
    expect(checkpoints).toHaveLength(1); // none on the clock (60 s), one on cancel
    expect(checkpoints[0].loop.step).toBe(outcome.steps);
    expect(checkpoints[0].loop.optimizer.slots.every((s) => s.step === outcome.steps)).toBe(true);

    const other = await handler.handle({ id: nextId++, type: 'train', job: { ...trainJob('x', { maxSteps: 3000 }), resume: { ...checkpoints[0], method: 'bottleneck' } } });
    expect(other.response).toMatchObject({ type: 'error', error: { name: 'TrainJobError', code: 'bad-checkpoint', message: expect.stringContaining('bottleneck') } });
  });

  it('refuses jobs it cannot train, naming what to change', async () => {
    const oneLabel = await handler.handle({ id: nextId++, type: 'train', job: { ...trainJob('x', {}), task: { name: 't', labels: ['only'] } } });
    expect(oneLabel.response).toMatchObject({ type: 'error', error: { name: 'TrainJobError', message: expect.stringContaining('two labels') } });
    const otherEncoder = await handler.handle({ id: nextId++, type: 'train', job: { ...trainJob('x', {}), encoderFingerprint: 'f'.repeat(64) } });
    expect(otherEncoder.response).toMatchObject({ type: 'error', error: { name: 'TrainJobError', message: expect.stringContaining('Load that encoder') } });
    const noPool = await handler.handle({ id: nextId++, type: 'selfTrain', job: { ...selfJob('x', SELF_KNOBS), unlabelled: [] } });
    expect(noPool.response).toMatchObject({ type: 'error', error: { message: expect.stringContaining('unlabelled') } });
  });

  it('self-trains a round with weights and teacher labels per text, checkpoints it, and resumes from the checkpoint', async () => {
    events.length = 0;
    const id = nextId++;
    const baseline = tf.memory().numTensors;
    const first = await ask({ id, type: 'selfTrain', job: selfJob('self-1', SELF_KNOBS) });
    expect(first).toMatchObject({ reason: 'completed', roundsFinished: 1, delta: { deltaId: 'self-1', format: 'peft' } });

    const self = events.flatMap((e) => (e.type === 'selfTrainEvent' ? [e.event] : []));
    const studentSteps = self.flatMap((e) => (e.kind === 'studentStep' ? [e] : []));
    expect(studentSteps.map((e) => e.phase)).toEqual(['warmup', 'warmup', 'meta', 'meta']);
    expect(self.some((e) => e.kind === 'round' && e.round === 1)).toBe(true);
    // Every text the student meets has its teacher's label in the round's pseudoLabels event (the weights table's source).
    const labelled = self.flatMap((e) => (e.kind === 'pseudoLabels' && e.round === 1 ? e.items : []));
    const seen = studentSteps.flatMap((e) => e.poolIndices);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.filter((i) => !labelled.some((l) => l.poolIndex === i))).toEqual([]);
    expect(labelled.every((l) => l.label >= 0 && l.label < 3 && l.confidence >= 1 / 3 - 1e-6 && l.confidence <= 1)).toBe(true);
    const states = events.flatMap((e) => (e.type === 'selfTrainState' && e.id === id ? [e.state] : []));
    expect(states.map((s) => s.roundsFinished)).toEqual([0, 1]);

    events.length = 0;
    const resumed = await ask({ id: nextId++, type: 'selfTrain', job: selfJob('self-2', { rounds: 2 }, states[1]) });
    expect(resumed).toMatchObject({ reason: 'completed', roundsFinished: 2 });
    const again = events.flatMap((e) => (e.type === 'selfTrainEvent' ? [e.event] : []));
    expect(again.some((e) => e.kind === 'fit' && e.round === 0)).toBe(false); // round 0 and 1 were not redone
    expect(again.filter((e) => e.kind === 'round').map((e) => (e.kind === 'round' ? e.round : -1))).toEqual([2]);
    // The kept classifier is the only thing left over; the round teachers and students are freed.
    const keptTensors = tf.memory().numTensors - baseline;
    await ask({ id: nextId++, type: 'selfTrain', job: selfJob('self-3', { ...SELF_KNOBS }) });
    expect(tf.memory().numTensors - baseline).toBe(keptTensors);
  });

  it('starts a fresh head from the label names (headInit labels) where the pooling normalises, else at random', async () => {
    const own = async (headInit: 'labels' | 'random') => {
      // One step at a negligible learning rate: the kept classifier is the fresh one.
      await ask({ id: nextId++, type: 'train', job: { ...trainJob(`init-${headInit}`, { maxSteps: 1, batchSize: 3, heldOutFraction: 0, maxLength: 16, lr: 1e-9, headInit }), method: { method: 'head' } } });
      const { probabilities, classes } = await ask({ id: nextId++, type: 'predict', deltaId: `init-${headInit}`, texts: [...TINY_LABELS] });
      return TINY_LABELS.map((_, c) => Array.from(probabilities.subarray(c * classes, (c + 1) * classes)));
    };
    // The tiny checkpoint has no pooling files: mean pooling, not normalised, where a cosine head would not fit.
    expect(await own('labels')).toEqual(await own('random'));

    // The same weights with a normalising pooling (the last test here: it leaves this model loaded).
    const pooling = new TextEncoder().encode(JSON.stringify({ mode: 'mean', normalize: true }));
    await ask({ id: nextId++, type: 'loadModel', source: { kind: 'files', id: 'tiny-bert-normalised', files: { 'config.json': read('config.json'), 'tokenizer.json': read('tokenizer.json'), 'model.safetensors': read('model.safetensors'), 'pooling.json': pooling.buffer as ArrayBuffer } } });
    // Scale 20 x cosine: a label's name has cosine 1 with its own row and less with the others, so each name is
    // classified as its own label, above chance.
    const rows = await own('labels');
    rows.forEach((row, c) => {
      expect(row.indexOf(Math.max(...row))).toBe(c);
      expect(row[c]).toBeGreaterThan(1 / TINY_LABELS.length);
    });
    expect(await own('random')).not.toEqual(rows);
  });
});
