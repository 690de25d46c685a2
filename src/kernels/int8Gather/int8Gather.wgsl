// Rows of an int8 table, dequantised on the fly (the word-embedding lookup, with the table kept int8):
//
//   out[t, j] = q[ids[t], j] * scale[ids[t]]
//
// q is [rows, K4] u32 words of four int8 along j (see int8Matmul.wgsl), scale [rows]. An id outside the table
// reads row 0 (the tokenizer never produces one; this only keeps reads in bounds). Memory bound, no reuse:
// nothing to tile, so the variants differ only in how much each thread writes.
//
//   naive: one thread per output value; a WG_X x WG_Y workgroup covers WG_X columns x WG_Y ids.
//   tiled: one thread per weight word (four values).

override WG_X: u32 = 64;
override WG_Y: u32 = 1;

struct Dims {
  T: u32, // ids
  K: u32, // columns
  K4: u32, // words per row
  rows: u32,
}

@group(0) @binding(0) var<storage, read_write> out: array<f32>; // [T, K]
@group(0) @binding(1) var<storage, read> ids: array<i32>; // [T]
@group(0) @binding(2) var<storage, read> q: array<u32>; // [rows, K4] packed int8
@group(0) @binding(3) var<storage, read> scale: array<f32>; // [rows]
@group(0) @binding(4) var<uniform> dims: Dims;

fn rowOf(t: u32) -> u32 {
  let id = ids[t];
  return select(0u, u32(id), id >= 0 && u32(id) < dims.rows);
}

@compute @workgroup_size(WG_X, WG_Y)
fn naive(@builtin(global_invocation_id) g: vec3<u32>) {
  let j = g.x;
  let t = g.y;
  if (j >= dims.K || t >= dims.T) {
    return;
  }
  let row = rowOf(t);
  let word = bitcast<i32>(q[row * dims.K4 + j / 4u]);
  out[t * dims.K + j] = f32(extractBits(word, 8u * (j % 4u), 8u)) * scale[row];
}

@compute @workgroup_size(WG_X, WG_Y)
fn tiled(@builtin(global_invocation_id) g: vec3<u32>) {
  let kw = g.x;
  let t = g.y;
  if (kw >= dims.K4 || t >= dims.T) {
    return;
  }
  let row = rowOf(t);
  let word = bitcast<i32>(q[row * dims.K4 + kw]);
  let s = scale[row];
  for (var b = 0u; b < 4u; b++) {
    let j = 4u * kw + b;
    if (j < dims.K) {
      out[t * dims.K + j] = f32(extractBits(word, 8u * b, 8u)) * s;
    }
  }
}
