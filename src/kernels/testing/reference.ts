/**
 * Plain-TypeScript references for the kernels, named tolerances, and random inputs. f64 accumulation, so the
 * reference is more exact than any f32 kernel.
 */
import type * as tf from '@tensorflow/tfjs';

/** |a - b| <= abs + rel * |ref|, for f32 kernels that accumulate over up to a few thousand terms. */
export interface Tolerance {
  abs: number;
  rel: number;
}
/**
 * An f32 product or its gradient against the f64 reference, for sums of up to ~2000 products of size ~2.5
 * (inputs in [-1, 1] times int8 * 0.02): the f32 rounding of such a sum reaches ~2e-5 where it cancels.
 */
export const TOL_F32: Tolerance = { abs: 1e-4, rel: 1e-4 };
/** Through erf's polynomial (|error| 1.5e-7) and GELU, or through two chained products (LoRA). */
export const TOL_GELU: Tolerance = { abs: 2e-4, rel: 2e-4 };

/** The first index where `actual` is out of tolerance, or a summary of the largest error. */
export function compare(actual: ArrayLike<number>, ref: ArrayLike<number>, tol: Tolerance): { ok: boolean; worst: string } {
  if (actual.length !== ref.length) return { ok: false, worst: `length ${actual.length} vs ${ref.length}` };
  let worstExcess = -Infinity;
  let worst = '';
  for (let i = 0; i < ref.length; i++) {
    const d = Math.abs(actual[i] - ref[i]);
    const excess = d - (tol.abs + tol.rel * Math.abs(ref[i]));
    if (!(excess <= worstExcess) || Number.isNaN(actual[i])) {
      worstExcess = Number.isNaN(actual[i]) ? Infinity : excess;
      worst = `at ${i}: ${actual[i]} vs ${ref[i]} (|d| = ${d.toExponential(2)})`;
    }
  }
  return { ok: worstExcess <= 0, worst };
}

/** A seeded generator (mulberry32), so a failing shape reproduces. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomF32(n: number, next: () => number, amp = 1): Float32Array {
  return Float32Array.from({ length: n }, () => (next() * 2 - 1) * amp);
}

/** Random int8 in [-127, 127] (the symmetric range of docs/int8-format.md). */
export function randomInt8(n: number, next: () => number): Int8Array {
  return Int8Array.from({ length: n }, () => Math.round(next() * 254 - 127));
}

/** y [M, N] = x [M, K] @ (q [N, K] * scale [N])^T + bias [N], in f64. */
export function refInt8Matmul(x: Float32Array, q: Int8Array, scale: Float32Array, bias: Float32Array, m: number, k: number, n: number): Float64Array {
  const y = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let acc = 0;
      for (let t = 0; t < k; t++) acc += x[i * k + t] * q[j * k + t];
      y[i * n + j] = acc * scale[j] + bias[j];
    }
  }
  return y;
}

/** dx [M, K] = dy [M, N] @ (q [N, K] * scale [N]), in f64. */
export function refInt8MatmulGradX(dy: Float32Array, q: Int8Array, scale: Float32Array, m: number, k: number, n: number): Float64Array {
  const dx = new Float64Array(m * k);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      const g = dy[i * n + j] * scale[j];
      for (let t = 0; t < k; t++) dx[i * k + t] += g * q[j * k + t];
    }
  }
  return dx;
}

/** c [M, N] = a [M, K] @ b [K, N] (row-major, f64); transposes by flags. */
export function refMatmul(a: ArrayLike<number>, b: ArrayLike<number>, m: number, k: number, n: number, transA = false, transB = false): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let acc = 0;
      for (let t = 0; t < k; t++) acc += (transA ? a[t * m + i] : a[i * k + t]) * (transB ? b[j * k + t] : b[t * n + j]);
      c[i * n + j] = acc;
    }
  }
  return c;
}

/** Mean and 1 / sqrt(biased variance + eps) of row r of x [R, H], in f64. */
function rowStats(x: ArrayLike<number>, r: number, h: number, eps: number): { mean: number; rstd: number } {
  let s = 0;
  for (let j = 0; j < h; j++) s += x[r * h + j];
  const mean = s / h;
  let d = 0;
  for (let j = 0; j < h; j++) d += (x[r * h + j] - mean) ** 2;
  return { mean, rstd: 1 / Math.sqrt(d / h + eps) };
}

/** y [R, H] = LayerNorm(x) * gamma + beta over rows of x [R, H] (torch.nn.LayerNorm), in f64. */
export function refLayerNorm(x: ArrayLike<number>, gamma: ArrayLike<number>, beta: ArrayLike<number>, rows: number, h: number, eps: number): Float64Array {
  const y = new Float64Array(rows * h);
  for (let r = 0; r < rows; r++) {
    const { mean, rstd } = rowStats(x, r, h, eps);
    for (let j = 0; j < h; j++) y[r * h + j] = (x[r * h + j] - mean) * rstd * gamma[j] + beta[j];
  }
  return y;
}

/**
 * The gradients of sum(dy * refLayerNorm(x)) w.r.t. x [R, H], gamma [H] and beta [H], in f64, from the
 * definition: dx = rstd * (g - mean(g) - xhat * mean(g * xhat)) with g = dy * gamma, per row.
 */
export function refLayerNormGrads(dy: ArrayLike<number>, x: ArrayLike<number>, gamma: ArrayLike<number>, rows: number, h: number, eps: number): { dx: Float64Array; dgamma: Float64Array; dbeta: Float64Array } {
  const dx = new Float64Array(rows * h);
  const dgamma = new Float64Array(h);
  const dbeta = new Float64Array(h);
  for (let r = 0; r < rows; r++) {
    const { mean, rstd } = rowStats(x, r, h, eps);
    const xhat = Array.from({ length: h }, (_, j) => (x[r * h + j] - mean) * rstd);
    const g = Array.from({ length: h }, (_, j) => dy[r * h + j] * gamma[j]);
    const meanG = g.reduce((a, b) => a + b, 0) / h;
    const meanGX = g.reduce((a, gj, j) => a + gj * xhat[j], 0) / h;
    for (let j = 0; j < h; j++) {
      dx[r * h + j] = rstd * (g[j] - meanG - xhat[j] * meanGX);
      dgamma[j] += dy[r * h + j] * xhat[j];
      dbeta[j] += dy[r * h + j];
    }
  }
  return { dx, dgamma, dbeta };
}

/**
 * p [R, K] = softmax over keys of s * scale + mask[b(r)], b(r) = floor(r / rowsPerBatch), mask [batch, K]
 * additive. The masked score is rounded to f32 as the GPU does (finfo.min absorbs s * scale there); the rest is f64.
 */
export function refMaskedSoftmax(s: ArrayLike<number>, mask: ArrayLike<number>, rows: number, k: number, rowsPerBatch: number, scale: number): Float64Array {
  const p = new Float64Array(rows * k);
  for (let r = 0; r < rows; r++) {
    const b = Math.floor(r / rowsPerBatch);
    const v = Array.from({ length: k }, (_, j) => Math.fround(Math.fround(s[r * k + j] * scale) + mask[b * k + j]));
    const m = Math.max(...v);
    const e = v.map((x) => Math.exp(x - m));
    const total = e.reduce((a, c) => a + c, 0);
    e.forEach((x, j) => (p[r * k + j] = x / total));
  }
  return p;
}

/** ds [R, K] = scale * p * (dp - sum_k dp * p), per row: the gradient of refMaskedSoftmax w.r.t. s, in f64. */
export function refMaskedSoftmaxGrad(p: ArrayLike<number>, dp: ArrayLike<number>, rows: number, k: number, scale: number): Float64Array {
  const ds = new Float64Array(rows * k);
  for (let r = 0; r < rows; r++) {
    let dot = 0;
    for (let j = 0; j < k; j++) dot += dp[r * k + j] * p[r * k + j];
    for (let j = 0; j < k; j++) ds[r * k + j] = scale * p[r * k + j] * (dp[r * k + j] - dot);
  }
  return ds;
}

/** transformers' exact gelu, in f64. */
export function refGelu(v: number): number {
  return 0.5 * v * (1 + erf64(v / Math.SQRT2));
}

/** gelu'(v) = Phi(v) + v phi(v), in f64. */
export function refGeluGrad(v: number): number {
  return 0.5 * (1 + erf64(v / Math.SQRT2)) + (v * Math.exp(-0.5 * v * v)) / Math.sqrt(2 * Math.PI);
}

/** erf to ~1e-12: its Taylor series below 3, the asymptotic series of erfc above. */
function erf64(x: number): number {
  const ax = Math.abs(x);
  if (ax >= 3) {
    const z = 1 / (ax * ax);
    const erfc = (Math.exp(-ax * ax) / (ax * Math.sqrt(Math.PI))) * (1 - z / 2 + (3 * z * z) / 4 - (15 * z * z * z) / 8 + (105 * z ** 4) / 16);
    return Math.sign(x) * (1 - erfc);
  }
  let sum = 0;
  let term = ax;
  for (let n = 0; n < 200 && Math.abs(term) > 1e-17; n++) {
    sum += term / (2 * n + 1);
    term *= (-ax * ax) / (n + 1);
  }
  return Math.sign(x) * ((2 / Math.sqrt(Math.PI)) * sum);
}

/** Reads a tensor (awaiting the GPU) and disposes it. */
export async function take(t: tf.Tensor): Promise<Float32Array> {
  const v = (await t.data()) as Float32Array;
  t.dispose();
  return v;
}
