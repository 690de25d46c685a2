/**
 * trainStudent's weighting after warm-up, on pseudo-labels given outright (half of each class, so every batch can
 * hold both): 'meta-by-class' keeps each label's share of the batch where LiST's 'meta' moves weight between labels,
 * and 'meta-cosine' weighs the same batch otherwise than 'meta'.
 * Tiny BERT with LoRA, on cpu.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { readCheckpointDir, TINY_BERT_DIR } from '../encoder/bert/testing/fixtures';
import { BertWeights } from '../encoder/bert/weights';
import { WordPieceTokenizer } from '../encoder/tokenizer';
import { PeftClassifier } from '../peft/classifier';
import { LinearHead } from '../peft/head';
import { createDelta, PEFT_METHODS } from '../peft/registry';
import { initNodeBackend } from '../runtime/nodeBackends';
import { resolveSelfTrainConfig, type Weighting } from './config';
import type { SelfTrainEvent } from './events';
import { trainStudent } from './student';

const TEXTS = ['good fun', 'the worst music', 'i love the film', 'sad day', 'the best music', 'bad and sad', 'fun film', 'i hate the day'];
/** The pseudo-labels: 1, 0, 1, 0, ... */
const LABEL_OF = TEXTS.map((_, i) => (i + 1) % 2);
const LABELLED = [
  { text: 'very good', label: 1 },
  { text: 'very bad', label: 0 },
  { text: 'the best', label: 1 },
  { text: 'sad and bad', label: 0 },
];

describe('trainStudent weighting', () => {
  const ckpt = readCheckpointDir(TINY_BERT_DIR);
  const tokenizer = WordPieceTokenizer.fromJSON(ckpt.tokenizerJson);
  let weights: BertWeights;

  beforeAll(async () => {
    await initNodeBackend('cpu');
    weights = BertWeights.fromCheckpoint(ckpt);
  });

  /** Each meta step's weight per pseudo-label, each label's share of that step's batch, and its weights. */
  const metaSteps = async (weighting: Weighting) => {
    const lora = { ...PEFT_METHODS.lora.defaults, r: 2, loraAlpha: 4, loraDropout: 0 };
    const student = new PeftClassifier(weights, ckpt.pooling, createDelta(ckpt.config, lora, 1), LinearHead.random(32, 2, 2));
    // Off its init, so that every trainable tensor has a gradient (LoRA's B = 0 would leave A without one).
    tf.tidy(() => student.trainableVariables().forEach((v, k) => v.assign(tf.add(v, tf.randomNormal(v.shape, 0, 0.3, 'float32', 10 + k)))));
    const events: SelfTrainEvent[] = [];
    const config = resolveSelfTrainConfig({ studentSteps: 6, warmupFraction: 0, weighting, innerLr: 0.5, unlabeledBatchSize: 4, labelledBatchSize: 4, seed: 3 });
    await trainStudent({
      student, tokenizer, texts: TEXTS, poolIndices: TEXTS.map((_, i) => i), classes: 2, labelled: LABELLED, round: 1, config,
      targets: Float32Array.from(LABEL_OF.flatMap((c) => (c === 1 ? [0, 1] : [1, 0]))),
      onEvent: (e) => events.push(e),
    });
    student.dispose();
    return events.flatMap((e) => {
      if (e.kind !== 'studentStep' || e.phase !== 'meta' || e.weights.every((w) => w === 0)) return [];
      const weight = [0, 0];
      const share = [0, 0];
      e.poolIndices.forEach((p, j) => {
        weight[LABEL_OF[p]] += e.weights[j];
        share[LABEL_OF[p]] += 1 / e.poolIndices.length;
      });
      return [{ weight, share, weights: e.weights }];
    });
  };

  it("'meta-by-class' keeps each label's share of every meta step's batch; 'meta' does not", async () => {
    const byClass = await metaSteps('meta-by-class');
    const mixed = byClass.filter((s) => s.share.every((x) => x > 0) && s.weight.every((w) => w > 0));
    expect(mixed.length).toBeGreaterThan(0);
    for (const s of mixed) s.weight.forEach((w, c) => expect(w).toBeCloseTo(s.share[c], 6));
    const meta = await metaSteps('meta');
    const moved = meta.map((s) => Math.abs(s.weight[0] - s.share[0]));
    expect(Math.max(...moved)).toBeGreaterThan(0.01);
  }, 60_000);

  it("'meta-cosine' weighs the same first batch otherwise than 'meta' (same seed: same student, batch and gradients)", async () => {
    const [meta, cosine] = [await metaSteps('meta'), await metaSteps('meta-cosine')];
    expect(cosine[0].weights.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    const apart = Math.max(...cosine[0].weights.map((w, j) => Math.abs(w - meta[0].weights[j])));
    expect(apart).toBeGreaterThan(0.01);
  }, 60_000);
});
