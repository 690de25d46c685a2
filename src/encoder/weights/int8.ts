/**
 * Reading weights as f32, whatever way the checkpoint stores them: plain F32, half floats (F16/BF16, widened),
 * or our int8 weight-only format (docs/int8-format.md): `I8` [rows, cols] + `<name>_scale` `F32` [rows].
 *
 * Dequantisation is `q * scale` rounded once to f32. A product of an int8 and an f32 is exact in f64
 * (8 + 24 significant bits < 53), so storing it into a Float32Array rounds exactly as numpy's float32
 * `q.astype(np.float32) * scale[:, None]` does: the result is bit-identical to the Python side.
 */
import { ModelLoadError } from '../errors';
import { tensorData, type SafetensorsFile, type TensorView } from './safetensors';

/** The suffix of the per-row scale tensor that sits beside every int8 tensor. */
export const INT8_SCALE_SUFFIX = '_scale';

/**
 * Dequantises int8 rows with one scale per row.
 * @param q      [rows, cols] row-major int8 values
 * @param scale  [rows] f32 scales
 * @returns      [rows, cols] row-major f32 values `q * scale`
 */
export function dequantizeInt8Rows(q: Int8Array, scale: Float32Array, rows: number, cols: number): Float32Array {
  if (q.length !== rows * cols) throw new Error(`dequantizeInt8Rows: ${q.length} values, but [${rows}, ${cols}] needs ${rows * cols}`);
  if (scale.length !== rows) throw new Error(`dequantizeInt8Rows: ${scale.length} scales for ${rows} rows`);
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const s = scale[r];
    const base = r * cols;
    // The f64 product is exact; the Float32Array store is the single f32 rounding.
    for (let c = 0; c < cols; c++) out[base + c] = q[base + c] * s;
  }
  return out;
}

/** A weight read as f32, with its shape as stored in the file (PyTorch's [out, in] for linear layers). */
export interface F32Weight {
  data: Float32Array;
  shape: number[];
}

/**
 * Reads tensor `name` as f32 with its shape. F32 is copied, F16/BF16 widened, I8 dequantised with its
 * `<name>_scale` sibling. Throws ModelLoadError when the tensor or its scale is missing or malformed.
 */
export function readWeightWithShape(file: SafetensorsFile, name: string): F32Weight {
  const view = file.tensors.get(name);
  if (!view) {
    throw new ModelLoadError('config-mismatch', `The checkpoint has no tensor "${name}". Is it a BERT encoder checkpoint, with names as BertModel writes them?`);
  }
  switch (view.dtype) {
    case 'F32':
    case 'F16':
    case 'BF16':
      return { data: tensorData(view) as Float32Array, shape: view.shape };
    case 'I8':
      return { data: dequantizeView(file, name, view), shape: view.shape };
    default:
      throw new ModelLoadError('corrupt-weights', `Tensor "${name}" has dtype ${view.dtype}; a weight must be F32, F16, BF16, or I8 with a "${name}${INT8_SCALE_SUFFIX}". Re-convert the checkpoint.`);
  }
}

/** Reads tensor `name` as f32 (see readWeightWithShape). */
export function readWeight(file: SafetensorsFile, name: string): Float32Array {
  return readWeightWithShape(file, name).data;
}

function dequantizeView(file: SafetensorsFile, name: string, view: TensorView): Float32Array {
  const scaleName = name + INT8_SCALE_SUFFIX;
  const scaleView = file.tensors.get(scaleName);
  const bad = (why: string): never => {
    throw new ModelLoadError('corrupt-weights', `Int8 tensor "${name}" ${why}. Re-convert the checkpoint with scripts/py (see docs/int8-format.md).`);
  };
  if (!scaleView) return bad(`has no "${scaleName}" beside it`);
  if (scaleView.dtype !== 'F32') bad(`has a scale of dtype ${scaleView.dtype}, not F32`);
  // A 1-D int8 tensor is one row; 2-D is [rows, cols]. Higher ranks do not occur in BERT.
  if (view.shape.length < 1 || view.shape.length > 2) bad(`has rank ${view.shape.length}; int8 tensors are [rows, cols]`);
  const rows = view.shape.length === 2 ? view.shape[0] : 1;
  const cols = view.shape[view.shape.length - 1];
  const scaleCount = scaleView.shape.reduce((a, b) => a * b, 1);
  if (scaleCount !== rows) bad(`has ${rows} rows but its scale has shape ${JSON.stringify(scaleView.shape)}`);
  return dequantizeInt8Rows(tensorData(view) as Int8Array, tensorData(scaleView) as Float32Array, rows, cols);
}

/** An int8 tensor as stored: [rows, cols] values and [rows] scales, not dequantised. */
export interface Int8Rows {
  q: Int8Array;
  scale: Float32Array;
  rows: number;
  cols: number;
}

/**
 * Tensor `name` as raw int8 rows with their scales when the file stores it as I8 (our int8 format), else
 * undefined (F32/F16/BF16: read it with readWeightWithShape). For keeping weights int8 on the GPU.
 */
export function readInt8Rows(file: SafetensorsFile, name: string): Int8Rows | undefined {
  const view = file.tensors.get(name);
  const scaleView = file.tensors.get(name + INT8_SCALE_SUFFIX);
  if (!view || view.dtype !== 'I8' || view.shape.length !== 2 || !scaleView || scaleView.dtype !== 'F32') return undefined;
  const [rows, cols] = view.shape;
  const scale = tensorData(scaleView) as Float32Array;
  if (scale.length !== rows) return undefined;
  return { q: tensorData(view) as Int8Array, scale, rows, cols };
}
