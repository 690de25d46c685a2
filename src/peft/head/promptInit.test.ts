import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from '../../runtime/nodeBackends';
import { PROMPT_HEAD_SCALE, promptInitHead } from './promptInit';

describe('prompt-initialised head', () => {
  beforeAll(async () => {
    await initNodeBackend('cpu');
  });

  it('gives scale * cosine(sentence, label description) as logits, and leaks nothing', async () => {
    const before = tf.memory().numTensors;
    const great = Float32Array.from([3, 0, 0, 4]); // norm 5
    const terrible = Float32Array.from([0, 2, 0, 0]);
    const head = promptInitHead([great, terrible]);
    const sentence = tf.tensor2d([[0.6, 0, 0, 0.8], [0, 1, 0, 0]]); // unit rows: one like each description
    const out = head.forward(sentence);
    const logits = (await out.array()) as number[][];
    out.dispose();
    expect(logits[0][0]).toBeCloseTo(PROMPT_HEAD_SCALE, 4);
    expect(logits[0][1]).toBeCloseTo(0, 5);
    expect(logits[1][1]).toBeCloseTo(PROMPT_HEAD_SCALE, 4);
    sentence.dispose();
    head.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses fewer than two classes', () => {
    expect(() => promptInitHead([Float32Array.from([1, 0])])).toThrow(/at least 2 classes/);
  });
});
