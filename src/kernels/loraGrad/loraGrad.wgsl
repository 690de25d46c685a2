// LoRA's rank-r gradient products: reductions with a thin result (r, LoRA's rank, is 8 by default), where tfjs's
// matMul picks slow programs (a barrier tree per output value for an [M, 8] result on SwiftShader).
//
//   rank pass:    p[m, r] = s * sum_d u[m, d] w(r, d)          u [M, D], p [M, R]
//   weight pass:  g(r, d) = s * sum_m p[m, r] u[m, d]          (a reduction over the M rows)
//
// A rank-r matrix (w, g) is stored as peft's lora_A, [R, D] (index r * D + d), or, with RANK_COLS, as its lora_B,
// [D, R] (index d * R + r). LoRA's backward (loraFused.ts) is four of these:
//   t   = s * dy @ b         rank pass,   u = dy [M, N], w = b [N, R] (RANK_COLS)
//   low = xl @ a^T           rank pass,   u = xl [M, K], w = a [R, K]
//   da  = t^T @ xl           weight pass, u = xl, p = t,   g [R, K]
//   db  = s * dy^T @ low     weight pass, u = dy, p = low, g [N, R] (RANK_COLS)
//
// Entry points (the variants), WG threads per workgroup in x; no workgroup memory, no barriers (dear on SwiftShader):
//   rank_naive:   one thread per p[m, r], summing over d (grid: M / WG x R).
//   rank_tiled:   one thread per row m and quad of ranks 4q .. 4q + 3: each read of u[m, d] feeds four sums
//                 (grid: M / WG x R / 4).
//   rank_tiled4:  rank_tiled where D and R are multiples of 4, reading vec4s: per 4 columns, 1 + 4 vector reads
//                 feed 16 products.
//   weight_naive: one thread per g(r, d), summing over all M rows (grid: D / WG x R).
//   weight_split: split-K. The rows are cut into ranges of dims.rows rows, one per grid z; a thread sums over its
//                 range a block of a quad of ranks x COLS columns (d = d0 + tx + j WG, j < COLS): per row, 4 + COLS
//                 reads feed 4 COLS products. It writes s times its sums, in g's layout, into its range's slab
//                 [R * D] of the partial sums [ranges, R * D]: g itself when there is one range
//                 (grid: D / (WG COLS) x R / 4 x ranges).
//   weight_split4: weight_split where D and R are multiples of 4, reading vec4s: a thread's COLS columns are
//                 adjacent (d = 4 (d4 + tx) + j), so per row one vector of u and one of p feed 16 products
//                 (grid: D / (4 WG) x R / 4 x ranges).
//   split_sum:    g[i] = sum over the ranges of parts[z, i], one thread per i; after weight_split with ranges > 1.
// Reads past the last column are clamped to it and their sums dropped, so the hot loops carry no branch on d.

override WG: u32 = 64;
override R: u32 = 8;
// The rank-r matrices w and g are [D, R] (lora_B's layout); otherwise [R, D] (lora_A's).
override RANK_COLS: bool = false;
// Columns per thread in weight_split and weight_split4, its sums acc0 .. acc3 (loraGrad.ts reads this line for the grid).
const COLS: u32 = 4u;

struct Dims {
  M: u32,
  D: u32,
  s: f32, // scaling
  rows: u32, // weight_split: rows per range
}

struct SumDims {
  n: u32, // R * D
  ranges: u32,
}

// Rank pass.
@group(0) @binding(0) var<storage, read_write> pOut: array<f32>; // [M, R]
@group(0) @binding(1) var<storage, read> u: array<f32>; // [M, D] (both passes)
@group(0) @binding(2) var<storage, read> w: array<f32>; // [R, D], or [D, R] with RANK_COLS
@group(0) @binding(3) var<uniform> dims: Dims; // (both passes)
// Weight pass.
@group(0) @binding(0) var<storage, read_write> g: array<f32>; // [R, D] or [D, R]; weight_split: [ranges, R * D]
@group(0) @binding(2) var<storage, read> p: array<f32>; // [M, R]
// The same inputs as vec4s, for the entry points ending in 4 (D and R multiples of 4).
@group(0) @binding(1) var<storage, read> u4: array<vec4<f32>>; // [M, D / 4]
@group(0) @binding(2) var<storage, read> w4: array<vec4<f32>>; // [R, D / 4], or [D, R / 4] with RANK_COLS
@group(0) @binding(2) var<storage, read> p4: array<vec4<f32>>; // [M, R / 4]
// split_sum.
@group(0) @binding(0) var<storage, read_write> gSum: array<f32>; // [R * D], in g's layout
@group(0) @binding(1) var<storage, read> parts: array<f32>; // [ranges, R * D]
@group(0) @binding(2) var<uniform> sumDims: SumDims;

// Index of (r, d) in a rank-r matrix of this specialisation's layout.
fn rankIndex(r: u32, d: u32) -> u32 {
  if (RANK_COLS) {
    return d * R + r;
  }
  return r * dims.D + d;
}

// ---- rank pass ----

@compute @workgroup_size(WG)
fn rank_naive(@builtin(global_invocation_id) id: vec3<u32>) {
  let m = id.x;
  let r = id.y;
  if (m >= dims.M) {
    return;
  }
  let base = m * dims.D;
  var acc = 0.0;
  for (var d = 0u; d < dims.D; d++) {
    acc += u[base + d] * w[rankIndex(r, d)];
  }
  pOut[m * R + r] = dims.s * acc;
}

// w(r, d), zero past the last rank (the index is clamped: a select, no branch).
fn wAt(r: u32, d: u32) -> f32 {
  return select(0.0, w[rankIndex(min(r, R - 1u), d)], r < R);
}

// p[m, r] = v[r - r0] for the ranks r0 .. r0 + 3 that exist.
fn storeP(m: u32, r0: u32, v: vec4<f32>) {
  for (var j = 0u; j < 4u; j++) {
    if (r0 + j < R) {
      pOut[m * R + r0 + j] = v[j];
    }
  }
}

@compute @workgroup_size(WG)
fn rank_tiled(@builtin(global_invocation_id) id: vec3<u32>) {
  let m = id.x;
  let r0 = 4u * id.y;
  if (m >= dims.M) {
    return;
  }
  let base = m * dims.D;
  var acc = vec4<f32>(0.0);
  for (var d = 0u; d < dims.D; d++) {
    acc += u[base + d] * vec4<f32>(wAt(r0, d), wAt(r0 + 1u, d), wAt(r0 + 2u, d), wAt(r0 + 3u, d));
  }
  storeP(m, r0, dims.s * acc);
}

@compute @workgroup_size(WG)
fn rank_tiled4(@builtin(global_invocation_id) id: vec3<u32>) {
  let m = id.x;
  let r0 = 4u * id.y;
  if (m >= dims.M) {
    return;
  }
  let d4s = dims.D / 4u;
  let r4s = R / 4u;
  let base = m * d4s;
  var acc = vec4<f32>(0.0);
  for (var d4 = 0u; d4 < d4s; d4++) {
    let uq = u4[base + d4]; // u[m, 4 d4 .. 4 d4 + 3]
    if (RANK_COLS) {
      // w4[d * R / 4 + r0 / 4] = w(r0 .. r0 + 3, d)
      let row = 4u * d4 * r4s + r0 / 4u;
      acc += uq.x * w4[row] + uq.y * w4[row + r4s] + uq.z * w4[row + 2u * r4s] + uq.w * w4[row + 3u * r4s];
    } else {
      // w4[r * D / 4 + d4] = w(r, 4 d4 .. 4 d4 + 3)
      let col = r0 * d4s + d4;
      acc += vec4<f32>(dot(uq, w4[col]), dot(uq, w4[col + d4s]), dot(uq, w4[col + 2u * d4s]), dot(uq, w4[col + 3u * d4s]));
    }
  }
  storeP(m, r0, dims.s * acc);
}

// ---- weight pass ----

@compute @workgroup_size(WG)
fn weight_naive(@builtin(global_invocation_id) id: vec3<u32>) {
  let d = id.x;
  let r = id.y;
  if (d >= dims.D) {
    return;
  }
  var acc = 0.0;
  for (var m = 0u; m < dims.M; m++) {
    acc += p[m * R + r] * u[m * dims.D + d];
  }
  g[rankIndex(r, d)] = dims.s * acc;
}

// p[m, r], zero past the last rank (clamped index and a select).
fn pAt(m: u32, r: u32) -> f32 {
  return select(0.0, p[m * R + min(r, R - 1u)], r < R);
}

// Writes v (the ranks r0 .. r0 + 3 at column d) into the slab at `slab`, where the rank and the column exist.
fn storeG(slab: u32, r0: u32, d: u32, v: vec4<f32>) {
  if (d >= dims.D) {
    return;
  }
  for (var i = 0u; i < 4u; i++) {
    if (r0 + i < R) {
      g[slab + rankIndex(r0 + i, d)] = v[i];
    }
  }
}

@compute @workgroup_size(WG)
fn weight_split(@builtin(local_invocation_id) l: vec3<u32>, @builtin(workgroup_id) wg: vec3<u32>) {
  let d0 = wg.x * WG * COLS + l.x;
  let r0 = 4u * wg.y;
  let m0 = wg.z * dims.rows;
  let m1 = min(dims.M, m0 + dims.rows);
  let lastD = dims.D - 1u;
  // accJ[i] = sum of p[m, r0 + i] u[m, d0 + J WG]: COLS named sums (an array indexed by a loop counter ran 2-3x
  // slower on SwiftShader)
  var acc0 = vec4<f32>(0.0);
  var acc1 = vec4<f32>(0.0);
  var acc2 = vec4<f32>(0.0);
  var acc3 = vec4<f32>(0.0);
  for (var m = m0; m < m1; m++) {
    let pq = vec4<f32>(pAt(m, r0), pAt(m, r0 + 1u), pAt(m, r0 + 2u), pAt(m, r0 + 3u));
    let base = m * dims.D;
    acc0 += pq * u[base + min(d0, lastD)];
    acc1 += pq * u[base + min(d0 + WG, lastD)];
    acc2 += pq * u[base + min(d0 + 2u * WG, lastD)];
    acc3 += pq * u[base + min(d0 + 3u * WG, lastD)];
  }
  let slab = wg.z * R * dims.D;
  storeG(slab, r0, d0, dims.s * acc0);
  storeG(slab, r0, d0 + WG, dims.s * acc1);
  storeG(slab, r0, d0 + 2u * WG, dims.s * acc2);
  storeG(slab, r0, d0 + 3u * WG, dims.s * acc3);
}

@compute @workgroup_size(WG)
fn weight_split4(@builtin(global_invocation_id) id: vec3<u32>, @builtin(workgroup_id) wg: vec3<u32>) {
  let d4 = id.x;
  let d4s = dims.D / 4u;
  if (d4 >= d4s) {
    return;
  }
  let r0 = 4u * wg.y;
  let r4s = R / 4u;
  let m0 = wg.z * dims.rows;
  let m1 = min(dims.M, m0 + dims.rows);
  // accJ[i] = sum of p[m, r0 + i] u[m, 4 d4 + J]
  var acc0 = vec4<f32>(0.0);
  var acc1 = vec4<f32>(0.0);
  var acc2 = vec4<f32>(0.0);
  var acc3 = vec4<f32>(0.0);
  for (var m = m0; m < m1; m++) {
    let pq = p4[m * r4s + r0 / 4u];
    let uq = u4[m * d4s + d4];
    acc0 += pq * uq.x;
    acc1 += pq * uq.y;
    acc2 += pq * uq.z;
    acc3 += pq * uq.w;
  }
  let slab = wg.z * R * dims.D;
  let d = 4u * d4;
  storeG(slab, r0, d, dims.s * acc0);
  storeG(slab, r0, d + 1u, dims.s * acc1);
  storeG(slab, r0, d + 2u, dims.s * acc2);
  storeG(slab, r0, d + 3u, dims.s * acc3);
}

@compute @workgroup_size(WG)
fn split_sum(@builtin(global_invocation_id) id: vec3<u32>) {
  let i = id.x;
  if (i >= sumDims.n) {
    return;
  }
  var acc = 0.0;
  for (var z = 0u; z < sumDims.ranges; z++) {
    acc += parts[z * sumDims.n + i];
  }
  gSum[i] = acc;
}
