/**
 * matMul (matmul.ts) against tf.matMul: the same products and gradients, for plain and transposed operands, on cpu
 * (tf.matMul as it is) and on wasm, where batched products go through a grouped convolution instead of
 * tfjs-backend-wasm's scalar BatchMatMul loop.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { initNodeBackend } from '../../runtime/nodeBackends';
import { matMul } from './matmul';

/** Value of x @ y (or x @ y^T) and the gradients of sum(value * w) w.r.t. x and y, as plain arrays. */
function productAndGrads(f: (x: tf.Tensor, y: tf.Tensor) => tf.Tensor, shapes: [number[], number[]], outShape: number[]) {
  return tf.tidy(() => {
    const x = tf.randomNormal(shapes[0], 0, 1, 'float32', 1);
    const y = tf.randomNormal(shapes[1], 0, 1, 'float32', 2);
    const w = tf.randomNormal(outShape, 0, 1, 'float32', 3);
    const value = f(x, y);
    const [dx, dy] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(f(a, b), w)))([x, y]);
    return [value, dx, dy].map((t) => Array.from(t.dataSync()));
  });
}

function maxAbsDiff(a: number[], b: number[]): number {
  return a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
}

describe('matMul', () => {
  const cases: Array<{ name: string; a: number[]; b: number[]; out: number[]; transposeB: boolean }> = [
    { name: 'attention scores q @ k^T [2, 3, 5, 4] x [2, 3, 7, 4]', a: [2, 3, 5, 4], b: [2, 3, 7, 4], out: [2, 3, 5, 7], transposeB: true },
    { name: 'attention context p @ v [2, 3, 5, 7] x [2, 3, 7, 4]', a: [2, 3, 5, 7], b: [2, 3, 7, 4], out: [2, 3, 5, 4], transposeB: false },
    { name: 'one product [1, 6, 5] x [1, 5, 3]', a: [1, 6, 5], b: [1, 5, 3], out: [1, 6, 3], transposeB: false },
    { name: '2-D [6, 5] x [3, 5]^T', a: [6, 5], b: [3, 5], out: [6, 3], transposeB: true },
  ];

  it.each(cases)('$name: the same value and gradients as tf.matMul on cpu, and on wasm', async ({ a, b, out, transposeB }) => {
    await initNodeBackend('cpu');
    const reference = productAndGrads((x, y) => tf.matMul(x, y, false, transposeB), [a, b], out);
    const onCpu = productAndGrads((x, y) => matMul(x, y, false, transposeB), [a, b], out);
    await initNodeBackend('wasm');
    const onWasm = productAndGrads((x, y) => matMul(x, y, false, transposeB), [a, b], out);
    for (let i = 0; i < 3; i++) {
      expect(reference[i].some((v) => v !== 0)).toBe(true);
      expect(maxAbsDiff(onCpu[i], reference[i])).toBeLessThan(1e-5);
      expect(maxAbsDiff(onWasm[i], reference[i])).toBeLessThan(1e-5);
    }
  });

  it('on wasm runs a batched product and its gradients as grouped convolutions, never as a batched BatchMatMul', async () => {
    await initNodeBackend('wasm');
    const q = tf.randomNormal([2, 3, 5, 4]);
    const k = tf.randomNormal([2, 3, 7, 4]);
    const info = await tf.profile(() => tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(matMul(x, y, false, true)))([q, k]));
    tf.dispose([q, k, ...(info.result as tf.Tensor[])]);
    const names = info.kernels.map((kn) => kn.name);
    expect(names.filter((n) => n === 'DepthwiseConv2dNative')).toHaveLength(3); // the product and its two gradients
    const batched = info.kernels.filter((kn) => kn.name === 'BatchMatMul' && kn.inputShapes[0][0] > 1);
    expect(batched).toEqual([]);
  });
});
