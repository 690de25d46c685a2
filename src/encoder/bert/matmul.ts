/**
 * Matrix products for everything that trains: tf.matMul, except that no backend is ever asked for a transposed
 * operand, neither in the forward pass nor in the gradient (which for C = A B needs A^T and B^T).
 *
 * Why: tfjs-backend-wasm 4.22 runs a transposed matmul through a slow generic loop instead of XNNPACK. Measured
 * here on [1024, 1536] x [1536, 384]: 945 ms with transposeB, 50 ms after an explicit transpose (6 ms). Without
 * this, a LoRA training step of the bundled encoder spent 37 of its 38 seconds in transposed matmuls.
 * The explicit transposes cost little on the other backends. For the same reason, batched products (the
 * attention's) run on wasm as grouped convolutions (groupedConvMatMul), since its BatchMatMul leaves XNNPACK too.
 */
import * as tf from '@tensorflow/tfjs';

/** Swaps the last two axes: [..., m, n] -> [..., n, m]. */
export function swapLast<T extends tf.Tensor>(x: T): T {
  const perm = x.shape.map((_, i) => i);
  const r = perm.length;
  [perm[r - 2], perm[r - 1]] = [perm[r - 1], perm[r - 2]];
  return tf.transpose(x, perm);
}

/**
 * a @ b for a [c, m, k] and b [c, k, n]: c independent products as one grouped convolution, which
 * tfjs-backend-wasm runs on XNNPACK. Its BatchMatMul uses XNNPACK only for c = 1 and otherwise a scalar loop at
 * about 1 GFLOP/s, which made the attention's two products 16 % of a LoRA step at 32 tokens (BENCHMARKS.md, train).
 * Each product is a depthwise convolution with channel multiplier n: channel i of the image is a_i laid out as
 * m rows x k columns, its filter is b_i as one row of k taps with n outputs, and a valid convolution leaves one
 * column, [m, c * n].
 */
function groupedConvMatMul(a: tf.Tensor3D, b: tf.Tensor3D): tf.Tensor3D {
  const [c, m, k] = a.shape;
  const n = b.shape[2];
  const image = tf.reshape(tf.transpose(a, [1, 2, 0]), [1, m, k, c]) as tf.Tensor4D; // [1, m, k, c]
  const filter = tf.reshape(tf.transpose(b, [1, 0, 2]), [1, k, c, n]) as tf.Tensor4D; // [1, k, c, n]
  const out = tf.depthwiseConv2d(image, filter, 1, 'valid'); // [1, m, 1, c * n]
  return tf.transpose(tf.reshape(out, [m, c, n]), [1, 0, 2]) as tf.Tensor3D;
}

/** tf.matMul(a, b) for operands of the same leading dims; batched products on wasm go through groupedConvMatMul. */
function product(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const lead = a.shape.slice(0, -2);
  const batch = lead.reduce((x, y) => x * y, 1);
  if (batch === 1 || tf.getBackend() !== 'wasm') return tf.matMul(a, b);
  const [m, k] = a.shape.slice(-2);
  const n = b.shape[b.rank - 1];
  const y = groupedConvMatMul(tf.reshape(a, [batch, m, k]), tf.reshape(b, [batch, k, n]));
  return tf.reshape(y, [...lead, m, n]);
}

/** a @ b for a [..., m, k] and b [..., k, n] with the same leading dims (no broadcasting); a custom gradient. */
const plainMatMul = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const [a, b, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
  save([a, b]);
  return {
    value: product(a, b),
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
      const g = dy as tf.Tensor;
      const [sa, sb] = saved;
      return [product(g, swapLast(sb)), product(swapLast(sa), g)];
    },
  };
}) as (a: tf.Tensor, b: tf.Tensor) => tf.Tensor;

/** tf.matMul's signature and result; operands of the same rank and leading dims (checked). */
export function matMul<T extends tf.Tensor>(a: T, b: tf.Tensor, transposeA = false, transposeB = false): T {
  if (a.rank !== b.rank || a.shape.slice(0, -2).some((d, i) => d !== b.shape[i])) {
    throw new Error(`matMul: operands [${a.shape}] and [${b.shape}] must have the same rank and leading dims (no broadcasting).`);
  }
  return plainMatMul(transposeA ? swapLast(a) : a, transposeB ? swapLast(b) : b) as T;
}

/**
 * y = x @ w + b for frozen w [in, out] and b [out]: the gradient flows to x only (dx = dy @ w^T), never to the
 * weights, which are constants of the encoder. (tfjs's fused matmul would also compute dW and db, the two
 * largest products of the backward pass, for nothing.) `wT`, when the caller keeps it, is w^T [out, in]: the
 * gradient then uses it as it is instead of transposing w (see BertWeights.fromCheckpoint's keepTransposed).
 */
export function frozenDense(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D | undefined, wT?: tf.Tensor2D): tf.Tensor2D {
  const f = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const rows = args[0] as tf.Tensor;
    return {
      value: tf.fused.matMul({ a: rows as tf.Tensor2D, b: w, bias: b }),
      gradFunc: (dy: tf.Tensor | tf.Tensor[]) => [tf.matMul(dy as tf.Tensor2D, wT ?? swapLast(w))],
    };
  }) as (rows: tf.Tensor2D) => tf.Tensor2D;
  return f(x);
}
