/** int8Gather against the plain-TS dequantisation through Dawn: both variants, ragged widths, one id, repeats. */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { dequantizeInt8Rows } from '../../encoder/weights/int8';
import { COMMON_VARIANTS, setKernelVariant } from '../flags';
import { int8Weight } from '../int8Matmul/int8Pack';
import { randomF32, randomInt8, rng, take } from '../testing/reference';
import { int8Gather } from './int8Gather';
import { useNodeWebGpu } from '../testing/nodeWebGpu';

/** [rows, cols, ids]. */
const SHAPES: Array<[number, number, number[]]> = [
  [1, 1, [0]],
  [10, 7, [3, 3, 9, 0]],
  [50, 384, [49, 1, 2, 17, 1]],
  [5, 130, [4]],
];

useNodeWebGpu();

describe.each(COMMON_VARIANTS)('int8Gather (%s)', (variant) => {
  beforeAll(() => setKernelVariant(variant));

  it.each(SHAPES)('rows of a %ix%i table, bit-exact with the CPU dequantisation (ids %j)', async (rows, cols, idList) => {
    const next = rng(rows * cols);
    const q = randomInt8(rows * cols, next);
    const scale = randomF32(rows, next, 0.05);
    const table = int8Weight(q, scale, rows, cols);
    const ids = tf.tensor1d(idList, 'int32');
    const before = tf.memory().numTensors;
    const out = int8Gather(table, ids);
    expect(tf.memory().numTensors).toBe(before + 1);
    const deq = dequantizeInt8Rows(q, scale, rows, cols);
    const expected = idList.flatMap((id) => Array.from(deq.subarray(id * cols, (id + 1) * cols)));
    expect(Array.from(await take(out))).toEqual(expected);
    tf.dispose([ids, table.q, table.scale]);
  });
});
