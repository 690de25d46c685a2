/**
 * The meta-gradient g against central finite differences of the real thing it stands for: the labelled
 * cross-entropy of the student after one SGD step on sum_i eps_i KL_i, with only eps_i moved by +-h. Real PEFT
 * classifier (LoRA r=2 on the tiny BERT, cpu), float32. Also: the weights rule, and no tensor leaks.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCheckpointDir, TINY_BERT_DIR } from '../encoder/bert/testing/fixtures';
import { BertWeights } from '../encoder/bert/weights';
import { WordPieceTokenizer } from '../encoder/tokenizer';
import type { EncodedBatch } from '../encoder/types';
import { PeftClassifier } from '../peft/classifier';
import { LinearHead } from '../peft/head';
import { createDelta, PEFT_METHODS } from '../peft/registry';
import { initNodeBackend } from '../runtime/nodeBackends';
import { batchRow, klPerExample, metaGradient, metaWeights, metaWeightsByClass, metaWeightsCosine, pseudoLabels } from './metaWeights';

const UNLABELLED = ['a good day', 'the worst film', 'fun music', 'i hate it', 'love this'];
const LABELLED = ['very good', 'very bad', 'the best', 'sad and bad'];
const LABELS = [1, 0, 1, 0];
const INNER_LR = 0.5;
const H = 1e-2;
/** |g - fd| <= ABS + REL * max|g|: float32 losses near 0.7 resolve ~1e-7, divided by 2h (measured: 4e-6 of 2.6e-2). */
const TOL = { abs: 1e-5, rel: 2e-3 };

describe('metaGradient', () => {
  const ckpt = readCheckpointDir(TINY_BERT_DIR);
  const tokenizer = WordPieceTokenizer.fromJSON(ckpt.tokenizerJson);
  let weights: BertWeights;
  let student: PeftClassifier;
  let teacher: PeftClassifier;
  let unlabelled: EncodedBatch;
  let labelled: EncodedBatch;
  let targets: tf.Tensor2D;

  beforeAll(async () => {
    await initNodeBackend('cpu');
    weights = BertWeights.fromCheckpoint(ckpt);
    const lora = { ...PEFT_METHODS.lora.defaults, r: 2, loraAlpha: 4, loraDropout: 0 };
    student = new PeftClassifier(weights, ckpt.pooling, createDelta(ckpt.config, lora, 1), LinearHead.random(32, 2, 2));
    teacher = new PeftClassifier(weights, ckpt.pooling, createDelta(ckpt.config, lora, 3), LinearHead.random(32, 2, 4));
    // Move every student tensor off its init (LoRA B = 0 would leave A without a gradient).
    tf.tidy(() => student.trainableVariables().forEach((v, k) => v.assign(tf.add(v, tf.randomNormal(v.shape, 0, 0.3, 'float32', 10 + k)))));
    unlabelled = tokenizer.encodeBatch(UNLABELLED, {});
    labelled = tokenizer.encodeBatch(LABELLED, {});
    targets = pseudoLabels(teacher, unlabelled, true);
  });

  /** L_labelled(theta - innerLr * eps_i * grad KL_i(theta)), the variables restored afterwards. */
  const steppedLoss = async (i: number, eps: number): Promise<number> => {
    const vars = student.trainableVariables();
    const saved = vars.map((v) => v.clone());
    const row = batchRow(unlabelled, i);
    tf.tidy(() => {
      const target = tf.slice(targets, [i, 0], [1, -1]) as tf.Tensor2D;
      const { grads } = tf.variableGrads(() => tf.sum(klPerExample(student.logits(row), target)) as tf.Scalar, vars);
      vars.forEach((v) => grads[v.name] && v.assign(tf.sub(v, tf.mul(grads[v.name], INNER_LR * eps))));
    });
    const loss = student.loss(labelled, LABELS);
    const value = (await loss.data())[0];
    loss.dispose();
    vars.forEach((v, k) => v.assign(saved[k]));
    tf.dispose(saved);
    return value;
  };

  it('matches central finite differences of the stepped labelled loss', async () => {
    const { g } = await metaGradient(student, unlabelled, targets, labelled, LABELS, INNER_LR);
    const fd: number[] = [];
    for (let i = 0; i < UNLABELLED.length; i++) fd.push(((await steppedLoss(i, H)) - (await steppedLoss(i, -H))) / (2 * H));
    const scale = Math.max(...Array.from(g, Math.abs));
    const worst = Math.max(...fd.map((f, i) => Math.abs(f - g[i])));
    console.log(`meta-gradient g=${Array.from(g).map((x) => x.toExponential(3))} fd=${fd.map((x) => x.toExponential(3))} max|diff|=${worst.toExponential(2)} max|g|=${scale.toExponential(2)}`);
    expect(scale).toBeGreaterThan(1e-3); // a real signal, not two zeros agreeing
    fd.forEach((f, i) => expect(Math.abs(f - g[i])).toBeLessThanOrEqual(TOL.abs + TOL.rel * scale));
  });

  it("reports each row's gradient norm: ||grad KL_i||^2 is KL_i's slope along its own gradient (central differences)", async () => {
    const { rowGradNorms } = await metaGradient(student, unlabelled, targets, labelled, LABELS, INNER_LR);
    const vars = student.trainableVariables();
    const klOf = async (i: number) => {
      const t = tf.tidy(() => tf.sum(klPerExample(student.logits(batchRow(unlabelled, i)), tf.slice(targets, [i, 0], [1, -1]) as tf.Tensor2D)));
      const v = (await t.data())[0];
      t.dispose();
      return v;
    };
    for (let i = 0; i < UNLABELLED.length; i++) {
      const saved = vars.map((v) => v.clone());
      const { value, grads } = tf.variableGrads(() => tf.sum(klPerExample(student.logits(batchRow(unlabelled, i)), tf.slice(targets, [i, 0], [1, -1]) as tf.Tensor2D)) as tf.Scalar, vars);
      value.dispose();
      const along = async (h: number) => {
        tf.tidy(() => vars.forEach((v, k) => grads[v.name] && v.assign(tf.add(saved[k], tf.mul(grads[v.name], h)))));
        return klOf(i);
      };
      const slope = ((await along(H)) - (await along(-H))) / (2 * H);
      vars.forEach((v, k) => v.assign(saved[k]));
      tf.dispose([...saved, ...Object.values(grads)]);
      const squared = rowGradNorms[i] ** 2;
      expect(squared).toBeGreaterThan(1e-4);
      expect(Math.abs(slope - squared)).toBeLessThanOrEqual(TOL.abs + 2 * TOL.rel * squared);
    }
  });

  it('weighs a labelled text pseudo-labelled with its own label, and not with the other', async () => {
    // One labelled text, and the same text twice in the pseudo-labelled batch: with its label, and with the other
    // one. With two classes the two KL gradients point in opposite directions, and the first is the labelled loss's
    // own gradient, so the meta step must keep the first and drop the second, whatever the student.
    const text = batchRow(labelled, 0);
    const twice = tokenizer.encodeBatch([LABELLED[0], LABELLED[0]], {});
    const targets2 = tf.tensor2d([LABELS[0] === 1 ? [0, 1] : [1, 0], LABELS[0] === 1 ? [1, 0] : [0, 1]]);
    const { g } = await metaGradient(student, twice, targets2, text, [LABELS[0]], INNER_LR);
    targets2.dispose();
    expect(g[0]).toBeLessThan(0);
    expect(g[1]).toBeGreaterThan(0);
    expect(metaWeights(Array.from(g))).toEqual([1, 0]);
  });

  it('keeps the tensor count flat across meta steps', async () => {
    await metaGradient(student, unlabelled, targets, labelled, LABELS, INNER_LR);
    const before = tf.memory().numTensors;
    for (let k = 0; k < 3; k++) await metaGradient(student, unlabelled, targets, labelled, LABELS, INNER_LR);
    expect(tf.memory().numTensors).toBe(before);
  });

  afterAll(() => {
    tf.dispose(targets);
    student?.dispose();
    teacher?.dispose();
    weights?.dispose();
  });
});

describe('metaWeights', () => {
  it('keeps the examples whose step lowers the labelled loss, normalised to sum 1', () => {
    expect(metaWeights([-1, 3, -3, 0])).toEqual([0.25, 0, 0.75, 0]);
  });
  it('gives all zeros when no example helps', () => {
    expect(metaWeights([0, 2, 1])).toEqual([0, 0, 0]);
  });
});

describe('metaWeightsByClass', () => {
  const close = (got: number[], want: number[]) => want.forEach((w, i) => expect(got[i]).toBeCloseTo(w, 12));
  it('keeps each class at its share of the batch and ranks only within it', () => {
    // metaWeights would give class 0 four fifths: [0.6, 0.2, 0.1, 0.1]
    close(metaWeightsByClass([-3, -1, -0.5, -0.5], [0, 0, 1, 1]), [0.375, 0.125, 0.25, 0.25]);
    close(metaWeightsByClass([-3, -1, -0.5], [0, 0, 1]), [0.5, 1 / 6, 1 / 3]);
  });
  it('gives no weight to a class none of whose rows helps, and scales the others back to sum 1', () => {
    close(metaWeightsByClass([-2, -2, 1], [0, 0, 1]), [0.5, 0.5, 0]);
    close(metaWeightsByClass([-1, 0, 2, -4], [0, 0, 1, 2]), [2 / 3, 0, 0, 1 / 3]); // class 0 holds two rows, class 2 one
  });
  it('gives all zeros when no row helps', () => {
    expect(metaWeightsByClass([0, 2, 1], [0, 1, 1])).toEqual([0, 0, 0]);
  });
});

describe('metaWeightsCosine', () => {
  it("weighs by agreement alone: each row's -g divided by its gradient's norm, then as metaWeights", () => {
    // -g = [2, 1, -1]: metaWeights gives [2/3, 1/3, 0]; the first row's gradient is four times as long as the second's
    const w = metaWeightsCosine([-2, -1, 1], [4, 1, 1]);
    [1 / 3, 2 / 3, 0].forEach((x, i) => expect(w[i]).toBeCloseTo(x, 12));
    expect(metaWeightsCosine([-1, -1], [0, 2])).toEqual([0, 1]); // a row without a gradient gets nothing
  });
});
