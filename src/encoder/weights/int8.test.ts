import { describe, expect, it } from 'vitest';
import { ModelLoadError } from '../errors';
import { dequantizeInt8Rows, readWeight, readWeightWithShape } from './int8';
import { parseSafetensors, writeSafetensors, type TensorToWrite } from './safetensors';

const bits = (xs: number[]) => new Float32Array(new Uint32Array(xs).buffer);
const asBits = (f: Float32Array) => Array.from(new Uint32Array(f.buffer, f.byteOffset, f.length));

// Golden values from numpy: scale = np.array([0.0123456789, 1/127, 3.3e-5], np.float32),
// (q.astype(np.float32) * scale[:, None]).view(np.uint32)
const Q = new Int8Array([-127, -1, 0, 1, 127, 5, -64, 99, -3, 2, 127, 126, -127, -100, 33]);
const SCALE = bits([0x3c4a4588, 0x3c010204, 0x380a697b]);
const NUMPY_BITS = [
  0xbfc8b0fd, 0xbc4a4588, 0x0, 0x3c4a4588, 0x3fc8b0fd, 0x3d214285, 0xbf010204, 0x3f478f1e, 0xbcc18306, 0x3c810204,
  0x3b8954a8, 0x3b883fd5, 0xbb8954a8, 0xbb5844d0, 0x3a8ebcc7,
];

function fileOf(tensors: Record<string, TensorToWrite>) {
  return parseSafetensors(writeSafetensors(tensors).slice().buffer);
}

describe('dequantizeInt8Rows', () => {
  it('is bit-identical to numpy float32 q * scale', () => {
    expect(asBits(dequantizeInt8Rows(Q, SCALE, 3, 5))).toEqual(NUMPY_BITS);
  });

  it('rejects mismatched sizes', () => {
    expect(() => dequantizeInt8Rows(Q, SCALE, 3, 4)).toThrow(/needs 12/);
    expect(() => dequantizeInt8Rows(Q, SCALE.subarray(0, 2), 3, 5)).toThrow(/2 scales/);
  });
});

describe('readWeight', () => {
  const f32 = new Float32Array([1.5, -2, 0.25, 3]);
  const file = fileOf({
    'a.weight': { dtype: 'F32', shape: [2, 2], data: f32 },
    // 1.5, -2, 0.25, 3 as IEEE half and as bfloat16 (the upper 16 bits of the f32).
    'h.weight': { dtype: 'F16', shape: [2, 2], data: new Uint16Array([0x3e00, 0xc000, 0x3400, 0x4200]) },
    'b.weight': { dtype: 'BF16', shape: [2, 2], data: new Uint16Array([0x3fc0, 0xc000, 0x3e80, 0x4040]) },
    'q.weight': { dtype: 'I8', shape: [3, 5], data: Q },
    'q.weight_scale': { dtype: 'F32', shape: [3], data: SCALE },
    'noscale.weight': { dtype: 'I8', shape: [1, 2], data: new Int8Array([1, 2]) },
    'badscale.weight': { dtype: 'I8', shape: [2, 1], data: new Int8Array([1, 2]) },
    'badscale.weight_scale': { dtype: 'F32', shape: [3], data: new Float32Array(3) },
  });

  it('reads F32, F16 and BF16 as f32', () => {
    for (const name of ['a.weight', 'h.weight', 'b.weight']) {
      expect(Array.from(readWeight(file, name)), name).toEqual(Array.from(f32));
    }
  });

  it('dequantises I8 with its scale transparently, keeping the [out, in] shape', () => {
    const w = readWeightWithShape(file, 'q.weight');
    expect(w.shape).toEqual([3, 5]);
    expect(asBits(w.data)).toEqual(NUMPY_BITS);
  });

  it('names the problem when a tensor or its scale is missing or malformed', () => {
    const codeOf = (name: string) => {
      try {
        readWeight(file, name);
      } catch (e) {
        expect(e).toBeInstanceOf(ModelLoadError);
        return `${(e as ModelLoadError).code}: ${(e as Error).message}`;
      }
      return 'no error';
    };
    expect(codeOf('missing.weight')).toMatch(/^config-mismatch: .*"missing.weight"/);
    expect(codeOf('noscale.weight')).toMatch(/^corrupt-weights: .*noscale.weight_scale/);
    expect(codeOf('badscale.weight')).toMatch(/^corrupt-weights: .*2 rows/);
  });
});
