/**
 * Every kernel and variant against the plain-TS references (LayerNorm and the attention softmax included), run in a page (window.__tabtune.checkKernels in
 * test builds; e2e/kernels.spec.ts): the same checks as the Node tests, on Chromium's own WebGPU.
 */
import * as tf from '@tensorflow/tfjs';
import { F32_MIN } from '../../encoder/bert/ops';
import { initBackend } from '../../runtime/backends';
import { takeDeviceErrors } from '../bridge';
import { KERNEL_VARIANTS, setKernelVariant } from '../flags';
import { int8Gather } from '../int8Gather/int8Gather';
import { int8Matmul } from '../int8Matmul/int8Matmul';
import { int8Weight } from '../int8Matmul/int8Pack';
import { int8MatmulGradX } from '../int8MatmulGradX/int8MatmulGradX';
import { layerNormFused } from '../layerNorm/layerNorm';
import { loraFused } from '../loraFused/loraFused';
import { loraRankProduct, loraWeightGrad } from '../loraGrad/loraGrad';
import { maskedSoftmax } from '../maskedSoftmax/maskedSoftmax';
import {
  compare, randomF32, randomInt8, refGelu, refInt8Matmul, refInt8MatmulGradX, refLayerNorm, refLayerNormGrads, refMaskedSoftmax,
  refMaskedSoftmaxGrad, refMatmul, rng, take, TOL_F32, TOL_GELU,
} from './reference';

export interface KernelCheck {
  kernel: string;
  variant: string;
  shape: string;
  ok: boolean;
  worst: string;
}

/**
 * LayerNorm [rows, hidden] and attention softmax [batch, heads, queries, keys]: the two kernels with workgroup
 * barriers, so the ones a real GPU's scheduling could break where SwiftShader does not. Ragged sizes, 1s, padded keys.
 */
const ROWWISE: Array<{ ln: [number, number]; sm: [number, number, number, number] }> = [
  { ln: [1, 1], sm: [1, 1, 1, 1] },
  { ln: [17, 33], sm: [2, 3, 5, 7] },
  { ln: [3, 384], sm: [1, 12, 16, 16] },
  { ln: [130, 20], sm: [3, 2, 4, 70] },
];
const LN_EPS = 1e-12;

/**
 * [M, K, N, r]: 1s, ragged sizes, more rows than one tile, and widths and a rank that loraGrad reads as vec4s; the
 * int8 matmuls' vec4, skinny and staged variants take the last two (and fall back to tiled on the others; the last is past
 * skinny's first band of rows, at rank 16).
 */
const SHAPES: Array<[number, number, number, number]> = [
  [1, 1, 1, 1],
  [17, 33, 65, 3],
  [40, 130, 9, 8],
  [20, 64, 68, 8],
  [33, 132, 36, 16],
];

export interface KernelCheckReport {
  backend: string;
  checks: KernelCheck[];
  /** Tensors left over after every check (0 unless something leaks). */
  leakedTensors: number;
  /** WebGPU errors raised during the checks (a dispatch that failed validation wrote nothing; none expected). */
  deviceErrors: string[];
}

export async function checkKernels(): Promise<KernelCheckReport> {
  const choice = await initBackend({ preference: 'webgpu' });
  const checks: KernelCheck[] = [];
  if (choice.backend !== 'webgpu') return { backend: choice.backend, checks, leakedTensors: 0, deviceErrors: [] };
  const before = tf.memory().numTensors;
  takeDeviceErrors(); // only this check's own
  for (const variant of KERNEL_VARIANTS) {
    setKernelVariant(variant);
    // Only the int8 matmuls have 'vec4', and they and loraFused 'skinny' and 'staged': the other kernels would rerun
    // 'tiled'.
    const onlyInt8Matmuls = variant === 'vec4';
    const onlyMatmuls = onlyInt8Matmuls || variant === 'skinny' || variant === 'staged';
    for (const [m, k, n, r] of SHAPES) {
      const shape = `M=${m} K=${k} N=${n} r=${r}`;
      const add = (kernel: string, res: { ok: boolean; worst: string }) => checks.push({ kernel, variant, shape, ...res });
      const next = rng(m + k + n);
      const [x, q, scale, bias, dy, a, b] = [randomF32(m * k, next), randomInt8(n * k, next), randomF32(n, next, 0.02), randomF32(n, next, 0.5), randomF32(m * n, next), randomF32(r * k, next, 0.3), randomF32(n * r, next, 0.3)];
      const w = int8Weight(q, scale, n, k);
      const t = { x: tf.tensor2d(x, [m, k]), bias: tf.tensor1d(bias), dy: tf.tensor2d(dy, [m, n]), a: tf.tensor2d(a, [r, k]), b: tf.tensor2d(b, [n, r]) };
      const ref = refInt8Matmul(x, q, scale, bias, m, k, n);
      add('int8Matmul', compare(await take(int8Matmul(t.x, w, t.bias)), ref, TOL_F32));
      add('int8Matmul+gelu', compare(await take(int8Matmul(t.x, w, t.bias, true)), ref.map(refGelu), TOL_GELU));
      add('int8MatmulGradX', compare(await take(int8MatmulGradX(t.dy, w)), refInt8MatmulGradX(dy, q, scale, m, k, n), TOL_F32));
      if (onlyInt8Matmuls) {
        tf.dispose([...Object.values(t), w.q, w.scale]);
        continue;
      }
      const update = refMatmul(refMatmul(x, a, m, k, r, false, true), b, m, r, n, false, true);
      add('loraFused', compare(await take(loraFused(t.x, t.x, w, t.bias, t.a, t.b, 2)), ref.map((v, i) => v + 2 * update[i]), TOL_F32));
      const [ga, gb] = tf.grads((av: tf.Tensor, bv: tf.Tensor) => tf.sum(tf.mul(loraFused(t.x, t.x, w, t.bias, av as tf.Tensor2D, bv as tf.Tensor2D, 2), t.dy)))([t.a, t.b]);
      const dyB = refMatmul(dy, b, m, n, r);
      add('loraFused grad a', compare(await take(ga), refMatmul(dyB, x, r, m, k, true, false).map((v) => 2 * v), TOL_GELU));
      add('loraFused grad b', compare(await take(gb), refMatmul(dy, refMatmul(x, a, m, k, r, false, true), n, m, r, true, false).map((v) => 2 * v), TOL_GELU));
      if (onlyMatmuls) {
        tf.dispose([...Object.values(t), w.q, w.scale]);
        continue;
      }
      add('loraRankProduct', compare(await take(loraRankProduct(t.dy, t.b, 'cols', 2)), refMatmul(dy, b, m, n, r).map((v) => 2 * v), TOL_F32));
      const low = tf.tensor2d(Float32Array.from(refMatmul(x, a, m, k, r, false, true)), [m, r]);
      add('loraWeightGrad (3 ranges)', compare(await take(loraWeightGrad(low, t.dy, 'cols', 2, 3)), refMatmul(dy, refMatmul(x, a, m, k, r, false, true), n, m, r, true, false).map((v) => 2 * v), TOL_F32));
      low.dispose();
      const ids = tf.tensor1d([n - 1, 0, Math.floor(n / 2)], 'int32');
      const table = Array.from({ length: n * k }, (_, i) => q[i] * scale[Math.floor(i / k)]);
      const rows = [n - 1, 0, Math.floor(n / 2)].flatMap((id) => table.slice(id * k, (id + 1) * k));
      add('int8Gather', compare(await take(int8Gather(w, ids)), rows, { abs: 0, rel: 1e-7 }));
      tf.dispose([...Object.values(t), ids, w.q, w.scale]);
    }
    for (const { ln: [rows, h], sm } of onlyMatmuls ? [] : ROWWISE) {
      const next = rng(rows * 100 + h);
      const [x, gamma, beta, dy] = [randomF32(rows * h, next, 2), randomF32(h, next), randomF32(h, next), randomF32(rows * h, next)];
      const t = { x: tf.tensor2d(x, [rows, h]), gamma: tf.tensor1d(gamma), beta: tf.tensor1d(beta), dy: tf.tensor2d(dy, [rows, h]) };
      const lnShape = `rows=${rows} hidden=${h}`;
      checks.push({ kernel: 'layerNorm', variant, shape: lnShape, ...compare(await take(layerNormFused(t.x, t.gamma, t.beta, LN_EPS)), refLayerNorm(x, gamma, beta, rows, h, LN_EPS), TOL_F32) });
      const dx = tf.grad((v: tf.Tensor) => layerNormFused(v, t.gamma, t.beta, LN_EPS))(t.x, t.dy);
      checks.push({ kernel: 'layerNorm grad x', variant, shape: lnShape, ...compare(await take(dx), refLayerNormGrads(dy, x, gamma, rows, h, LN_EPS).dx, TOL_F32) });

      const [batch, heads, queries, keys] = sm;
      const smRows = batch * heads * queries;
      const scale = 1 / Math.sqrt(32);
      const scores = randomF32(smRows * keys, next, 3);
      const mask = Float32Array.from({ length: batch * keys }, (_, i) => (Math.floor(i / keys) === 1 || next() < 0.3 ? F32_MIN : 0));
      const dp = randomF32(smRows * keys, next);
      const u = { s: tf.tensor4d(scores, sm), mask: tf.tensor2d(mask, [batch, keys]), dp: tf.tensor4d(dp, sm) };
      const smShape = `scores=[${sm.join(',')}]`;
      const p = refMaskedSoftmax(scores, mask, smRows, keys, heads * queries, scale);
      checks.push({ kernel: 'maskedSoftmax', variant, shape: smShape, ...compare(await take(maskedSoftmax(u.s, u.mask, scale)), p, TOL_F32) });
      const ds = tf.grad((v: tf.Tensor) => maskedSoftmax(v as tf.Tensor4D, u.mask, scale))(u.s, u.dp);
      checks.push({ kernel: 'maskedSoftmax grad', variant, shape: smShape, ...compare(await take(ds), refMaskedSoftmaxGrad(p, dp, smRows, keys, scale), TOL_F32) });
      tf.dispose([...Object.values(t), ...Object.values(u)]);
    }
  }
  setKernelVariant('auto');
  return { backend: choice.backend, checks, leakedTensors: tf.memory().numTensors - before, deviceErrors: takeDeviceErrors() };
}
