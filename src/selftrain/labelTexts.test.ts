/**
 * The teacher's pass batches texts by length; each text's targets must still land on its own row, equal to what
 * the teacher gives that text alone.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCheckpointDir, TINY_BERT_DIR } from '../encoder/bert/testing/fixtures';
import { BertWeights } from '../encoder/bert/weights';
import { WordPieceTokenizer } from '../encoder/tokenizer';
import { PeftClassifier } from '../peft/classifier';
import { LinearHead } from '../peft/head';
import { createDelta, PEFT_METHODS } from '../peft/registry';
import { initNodeBackend } from '../runtime/nodeBackends';
import { resolveSelfTrainConfig } from './config';
import { pseudoLabels } from './metaWeights';
import { keepConfident, labelTexts } from './selfTrain';

const TEXTS = ['a very long text about a good film and the best music of the day', 'bad', 'i love this', 'the worst day', 'fun', 'very bad and sad music'];

describe('labelTexts', () => {
  const ckpt = readCheckpointDir(TINY_BERT_DIR);
  const tokenizer = WordPieceTokenizer.fromJSON(ckpt.tokenizerJson);
  let weights: BertWeights;
  let teacher: PeftClassifier;

  beforeAll(async () => {
    await initNodeBackend('cpu');
    weights = BertWeights.fromCheckpoint(ckpt);
    teacher = new PeftClassifier(weights, ckpt.pooling, createDelta(ckpt.config, PEFT_METHODS.lora.defaults, 3), LinearHead.random(ckpt.config.hiddenSize, 3, 4));
  });

  it('puts each text\'s soft label on its own row, as the teacher labels that text alone', async () => {
    const cfg = resolveSelfTrainConfig({ labelBatchSize: 4, maxLength: 32 });
    const before = tf.memory().numTensors;
    const { targets, classCounts } = await labelTexts(teacher, tokenizer, TEXTS, cfg, 3);
    expect(tf.memory().numTensors).toBe(before);
    for (let i = 0; i < TEXTS.length; i++) {
      const alone = pseudoLabels(teacher, tokenizer.encodeBatch([TEXTS[i]], { maxLength: 32 }), true);
      const want = Array.from(await alone.data());
      alone.dispose();
      Array.from(targets.subarray(i * 3, (i + 1) * 3)).forEach((x, c) => expect(x).toBeCloseTo(want[c], 5));
    }
    expect(classCounts.reduce((a, b) => a + b, 0)).toBe(TEXTS.length);
  });

  it("gives each text's label (the argmax) and confidence (the top probability); hard targets are their one-hots", async () => {
    const soft = await labelTexts(teacher, tokenizer, TEXTS, resolveSelfTrainConfig({ labelBatchSize: 4, maxLength: 32 }), 3);
    const hard = await labelTexts(teacher, tokenizer, TEXTS, resolveSelfTrainConfig({ labelBatchSize: 4, maxLength: 32, softLabels: false }), 3);
    for (let i = 0; i < TEXTS.length; i++) {
      const row = Array.from(soft.targets.subarray(i * 3, (i + 1) * 3));
      expect(soft.labels[i]).toBe(row.indexOf(Math.max(...row)));
      expect(soft.confidences[i]).toBe(Math.max(...row));
      expect(Array.from(hard.targets.subarray(i * 3, (i + 1) * 3))).toEqual([0, 1, 2].map((c) => (c === soft.labels[i] ? 1 : 0)));
    }
    expect(hard.labels).toEqual(soft.labels);
    expect(hard.confidences).toEqual(soft.confidences); // the teacher's probability, not the one-hot's 1
    expect(Math.max(...soft.confidences)).toBeLessThan(1);
    expect(hard.meanConfidence).toBeCloseTo(soft.confidences.reduce((a, b) => a + b, 0) / TEXTS.length, 6);
    expect(soft.classCounts).toEqual([0, 1, 2].map((c) => soft.labels.filter((l) => l === c).length));
  });

  it('keepConfident keeps, per label, the most confident ceil(share x count) positions, in sample order', () => {
    const labels = [0, 1, 0, 0, 1, 2, 0];
    const confidences = [0.6, 0.9, 0.8, 0.7, 0.5, 0.4, 0.8];
    expect(keepConfident(labels, confidences, 3, 1)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    // label 0: 0.8 (2), 0.8 (6; a tie goes to the earlier), then 0.7, 0.6; label 1: 0.9 (1); label 2: 0.4 (5).
    expect(keepConfident(labels, confidences, 3, 0.5)).toEqual([1, 2, 5, 6]);
    expect(keepConfident(labels, confidences, 3, 0.25)).toEqual([1, 2, 5]); // label 0: ceil(0.25 x 4) = 1, the earlier 0.8
    expect(keepConfident([], [], 3, 0.5)).toEqual([]);
  });

  afterAll(() => {
    teacher?.dispose();
    weights?.dispose();
  });
});
