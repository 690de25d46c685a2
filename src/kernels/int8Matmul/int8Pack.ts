/**
 * The GPU layout of an int8 weight: PyTorch's [out, in] int8 rows, four values to a 32-bit word along `in`
 * (little-endian: byte j of word w is column 4w + j), each row zero-padded to ceil(in / 4) words, plus the
 * per-row (= per output channel) f32 scales of docs/int8-format.md.
 */
import * as tf from '@tensorflow/tfjs';

/** An int8 linear weight on the backend: W[k, n] = q[n, k] * scale[n]. */
export interface Int8Weight {
  /** [out, ceil(in / 4)] int32 words, four int8 each. */
  q: tf.Tensor2D;
  /** [out] f32, one per output channel. */
  scale: tf.Tensor1D;
  /** in (K): the unpadded number of columns. */
  inDim: number;
}

/** Words per row for `cols` int8 values. */
export function wordsPerRow(cols: number): number {
  return Math.ceil(cols / 4);
}

/** Packs [rows, cols] int8 (row-major) into [rows, ceil(cols / 4)] words, rows zero-padded. */
export function packInt8Rows(q: Int8Array, rows: number, cols: number): Int32Array {
  if (q.length !== rows * cols) throw new Error(`packInt8Rows: ${q.length} values, but [${rows}, ${cols}] needs ${rows * cols}`);
  const k4 = wordsPerRow(cols);
  if (cols % 4 === 0) return new Int32Array(q.slice().buffer); // already the layout, byte for byte (little-endian hosts)
  const bytes = new Int8Array(rows * k4 * 4);
  for (let r = 0; r < rows; r++) bytes.set(q.subarray(r * cols, (r + 1) * cols), r * k4 * 4);
  return new Int32Array(bytes.buffer);
}

/** Uploads an int8 weight [out, in] with its scales [out]. */
export function int8Weight(q: Int8Array, scale: Float32Array, outDim: number, inDim: number): Int8Weight {
  if (scale.length !== outDim) throw new Error(`int8Weight: ${scale.length} scales for ${outDim} rows`);
  return {
    q: tf.tensor2d(packInt8Rows(q, outDim, inDim), [outDim, wordsPerRow(inDim)], 'int32'),
    scale: tf.tensor1d(scale, 'float32'),
    inDim,
  };
}

/** Bytes the weight occupies on the GPU (words + scales). */
export function int8WeightBytes(w: Int8Weight): number {
  return (w.q.size + w.scale.size) * 4;
}
