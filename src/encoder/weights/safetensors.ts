/**
 * Reads and writes the safetensors format: an 8-byte little-endian header length, a JSON header mapping each
 * tensor name to {dtype, shape, data_offsets}, then the raw little-endian bytes. Spec:
 * https://github.com/huggingface/safetensors#format
 *
 * Reading validates everything a truncated or tampered file can get wrong (header size, offsets out of range,
 * overlaps, byte counts that disagree with shape x dtype) and throws ModelLoadError('corrupt-weights').
 */
import { ModelLoadError } from '../errors';

export const DTYPE_BYTES = { F32: 4, F16: 2, BF16: 2, I8: 1, U8: 1, I32: 4, I64: 8, BOOL: 1 } as const;
export type DType = keyof typeof DTYPE_BYTES;

export interface TensorView {
  dtype: DType;
  shape: number[];
  /** The tensor's raw bytes, a view into the file's buffer (no copy). */
  bytes: Uint8Array;
}

export interface SafetensorsFile {
  tensors: Map<string, TensorView>;
  /** The free-form `__metadata__` string map. */
  metadata: Record<string, string>;
}

/** Largest header we accept; the spec caps it at 100 MB, real files stay far below. */
const MAX_HEADER_BYTES = 100_000_000;

export function parseSafetensors(buffer: ArrayBuffer, fileName = 'model.safetensors'): SafetensorsFile {
  const fail = (why: string): never => {
    throw new ModelLoadError(
      'corrupt-weights',
      `${fileName} is not a valid safetensors file: ${why}. Re-download or re-convert the checkpoint.`,
      fileName,
    );
  };
  if (buffer.byteLength < 8) fail(`it is only ${buffer.byteLength} bytes long`);
  const headerLen = Number(new DataView(buffer).getBigUint64(0, true));
  if (headerLen > MAX_HEADER_BYTES || 8 + headerLen > buffer.byteLength) {
    fail(`its header claims ${headerLen} bytes but the file has ${buffer.byteLength} (truncated?)`);
  }
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(new Uint8Array(buffer, 8, headerLen)));
  } catch {
    return fail('its header is not JSON');
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) fail('its header is not an object');

  const dataStart = 8 + headerLen;
  const dataLen = buffer.byteLength - dataStart;
  const tensors = new Map<string, TensorView>();
  let metadata: Record<string, string> = {};
  const spans: Array<[number, number, string]> = [];
  for (const [name, raw] of Object.entries(header)) {
    if (name === '__metadata__') {
      metadata = (raw ?? {}) as Record<string, string>;
      continue;
    }
    const info = raw as { dtype?: string; shape?: unknown; data_offsets?: unknown };
    const dtype = info?.dtype as DType;
    if (!(dtype in DTYPE_BYTES)) fail(`tensor "${name}" has unsupported dtype ${String(info?.dtype)}`);
    const shape = info.shape;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
      fail(`tensor "${name}" has a malformed shape`);
    }
    const offs = info.data_offsets;
    if (!Array.isArray(offs) || offs.length !== 2 || !offs.every((o) => Number.isInteger(o) && o >= 0)) {
      fail(`tensor "${name}" has malformed data_offsets`);
    }
    const [begin, end] = offs as [number, number];
    if (end < begin || end > dataLen) {
      fail(`tensor "${name}" lies outside the file (bytes ${begin}..${end} of ${dataLen}; truncated?)`);
    }
    const count = (shape as number[]).reduce((a, b) => a * b, 1);
    if (count * DTYPE_BYTES[dtype] !== end - begin) {
      fail(`tensor "${name}" holds ${end - begin} bytes, but ${dtype}${JSON.stringify(shape)} needs ${count * DTYPE_BYTES[dtype]}`);
    }
    spans.push([begin, end, name]);
    tensors.set(name, { dtype, shape: shape as number[], bytes: new Uint8Array(buffer, dataStart + begin, end - begin) });
  }
  spans.sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < spans.length; i++) {
    if (spans[i][0] < spans[i - 1][1]) fail(`tensors "${spans[i - 1][2]}" and "${spans[i][2]}" overlap`);
  }
  return { tensors, metadata };
}

/** Copies a tensor's bytes into a typed array of its dtype (aligned, so safe to hand to tfjs). */
export function tensorData(view: TensorView): Float32Array | Int8Array | Uint8Array | Int32Array {
  const copy = view.bytes.slice().buffer;
  switch (view.dtype) {
    case 'F32':
      return new Float32Array(copy);
    case 'I8':
      return new Int8Array(copy);
    case 'U8':
    case 'BOOL':
      return new Uint8Array(copy);
    case 'I32':
      return new Int32Array(copy);
    case 'I64': {
      const big = new BigInt64Array(copy);
      return Int32Array.from(big, (v) => Number(v));
    }
    case 'F16':
    case 'BF16':
      return halfToFloat32(new Uint16Array(copy), view.dtype);
  }
}

function halfToFloat32(src: Uint16Array, dtype: 'F16' | 'BF16'): Float32Array {
  const out = new Float32Array(src.length);
  const u32 = new Uint32Array(out.buffer);
  for (let i = 0; i < src.length; i++) {
    const h = src[i];
    if (dtype === 'BF16') {
      u32[i] = h << 16;
      continue;
    }
    const sign = (h & 0x8000) << 16;
    const exp = (h >> 10) & 0x1f;
    const frac = h & 0x3ff;
    if (exp === 0) out[i] = (sign ? -1 : 1) * frac * 2 ** -24;
    else if (exp === 31) u32[i] = sign | 0x7f800000 | (frac << 13);
    else u32[i] = sign | ((exp + 112) << 23) | (frac << 13);
  }
  return out;
}

export interface TensorToWrite {
  dtype: DType;
  shape: number[];
  data: ArrayBufferView;
}

/**
 * Serialises tensors to safetensors bytes. Names are written in sorted order and the header is padded with
 * spaces to a multiple of 8 bytes, as the Python library does, so equal inputs give byte-identical files.
 */
export function writeSafetensors(tensors: Record<string, TensorToWrite>, metadata?: Record<string, string>): Uint8Array {
  const names = Object.keys(tensors).sort();
  const header: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length) header.__metadata__ = metadata;
  let offset = 0;
  for (const name of names) {
    const t = tensors[name];
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (count * DTYPE_BYTES[t.dtype] !== t.data.byteLength) {
      throw new Error(`writeSafetensors: "${name}" has ${t.data.byteLength} bytes, ${t.dtype}${JSON.stringify(t.shape)} needs ${count * DTYPE_BYTES[t.dtype]}`);
    }
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + t.data.byteLength] };
    offset += t.data.byteLength;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded !== json.length) {
    const p = new Uint8Array(padded).fill(0x20);
    p.set(json);
    json = p;
  }
  const out = new Uint8Array(8 + json.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let at = 8 + json.length;
  for (const name of names) {
    const d = tensors[name].data;
    out.set(new Uint8Array(d.buffer, d.byteOffset, d.byteLength), at);
    at += d.byteLength;
  }
  return out;
}
