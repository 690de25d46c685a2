// LayerNorm over the last axis in one pass per direction (torch.nn.LayerNorm, biased variance):
//
//   forward:   y[r, j]  = (x[r, j] - mean_r) * rstd_r * gamma[j] + beta[j]
//              mean_r   = sum_j x[r, j] / H,   rstd_r = 1 / sqrt(sum_j (x[r, j] - mean_r)^2 / H + eps)
//   backward:  dx[r, j] = rstd_r * (g[j] - mean_j(g) - xhat[j] * mean_j(g * xhat))
//              with xhat = (x - mean_r) * rstd_r and g = dy[r, :] * gamma
//
// x, y, dy and dx are [R, H]: every leading axis folded into rows. The backward recomputes mean and rstd from x
// instead of reading them from the forward, so each direction is one dispatch with one output. Mean and
// variance take two passes over the row (as tf.moments and torch do): a row far from zero loses nothing to
// cancellation.
//
// Variants (entry points forward_<variant>, backward_<variant>), selected from TS:
//   naive: one thread per row walks it serially; a workgroup holds WG_Y rows (WG_X = 1). The tiled variant
//          runs this too where its shape gives one thread per row.
//   tiled: WG_X threads share a row (thread tx takes columns tx, tx + WG_X, ...), WG_Y rows per workgroup. Each
//          thread reduces its own columns (count, mean and squared deviations, two passes), the WG_X partials of
//          a row are exchanged once through workgroup memory and every thread combines them itself (Chan et
//          al.'s pairwise update, stable): one barrier forward, two backward. Threads of rows past R compute
//          nothing but still reach every barrier.

override WG_X: u32 = 16;
override WG_Y: u32 = 4;
override WG_SIZE: u32 = WG_X * WG_Y;

struct Dims {
  R: u32, // rows
  H: u32, // the normalised width
  eps: f32,
}

// Forward: y = LayerNorm(x) * gamma + beta.
@group(0) @binding(0) var<storage, read_write> y: array<f32>; // [R, H]
@group(0) @binding(1) var<storage, read> x: array<f32>; // [R, H]
@group(0) @binding(2) var<storage, read> gamma: array<f32>; // [H]
@group(0) @binding(3) var<storage, read> beta: array<f32>; // [H]
@group(0) @binding(4) var<uniform> dims: Dims;
// Backward: dx (at binding 0, as y) from x, gamma and dy (at binding 3, as beta).
@group(0) @binding(0) var<storage, read_write> dx: array<f32>; // [R, H]
@group(0) @binding(3) var<storage, read> dy: array<f32>; // [R, H]

var<workgroup> moments: array<vec3<f32>, WG_SIZE>; // per thread: (columns, their mean, their squared deviations)
var<workgroup> sums: array<vec2<f32>, WG_SIZE>; // per thread, backward: (sum g, sum g * xhat) over its columns

// ---- naive: one thread per row ----

// (mean, rstd) of row r, serially.
fn statsSerial(r: u32) -> vec2<f32> {
  let base = r * dims.H;
  var s = 0.0;
  for (var j = 0u; j < dims.H; j++) {
    s += x[base + j];
  }
  let mean = s / f32(dims.H);
  var d = 0.0;
  for (var j = 0u; j < dims.H; j++) {
    let c = x[base + j] - mean;
    d += c * c;
  }
  return vec2<f32>(mean, inverseSqrt(d / f32(dims.H) + dims.eps));
}

@compute @workgroup_size(WG_X, WG_Y)
fn forward_naive(@builtin(global_invocation_id) g: vec3<u32>) {
  let r = g.y;
  if (r >= dims.R) {
    return;
  }
  let st = statsSerial(r);
  let base = r * dims.H;
  for (var j = 0u; j < dims.H; j++) {
    y[base + j] = (x[base + j] - st.x) * st.y * gamma[j] + beta[j];
  }
}

@compute @workgroup_size(WG_X, WG_Y)
fn backward_naive(@builtin(global_invocation_id) g: vec3<u32>) {
  let r = g.y;
  if (r >= dims.R) {
    return;
  }
  let st = statsSerial(r);
  let base = r * dims.H;
  var m = vec2<f32>(0.0); // (sum g, sum g * xhat)
  for (var j = 0u; j < dims.H; j++) {
    let gj = dy[base + j] * gamma[j];
    m += vec2<f32>(gj, gj * (x[base + j] - st.x) * st.y);
  }
  m /= f32(dims.H);
  for (var j = 0u; j < dims.H; j++) {
    let gj = dy[base + j] * gamma[j];
    dx[base + j] = st.y * (gj - m.x - (x[base + j] - st.x) * st.y * m.y);
  }
}

// ---- tiled: WG_X threads per row ----

// (mean, rstd) of row r (any value when the row does not exist), by the WG_X threads of row slot ty; every
// thread of the workgroup must call it.
fn statsShared(r: u32, tx: u32, ty: u32) -> vec2<f32> {
  let base = r * dims.H;
  var n = 0.0;
  var s = 0.0;
  if (r < dims.R) {
    for (var j = tx; j < dims.H; j += WG_X) {
      s += x[base + j];
      n += 1.0;
    }
  }
  let mine = s / max(n, 1.0);
  var d = 0.0;
  if (r < dims.R) {
    for (var j = tx; j < dims.H; j += WG_X) {
      let c = x[base + j] - mine;
      d += c * c;
    }
  }
  let slot = ty * WG_X;
  moments[slot + tx] = vec3<f32>(n, mine, d);
  workgroupBarrier();
  var total = 0.0;
  for (var t = 0u; t < WG_X; t++) {
    let p = moments[slot + t];
    total += p.x * p.y;
  }
  let mean = total / f32(dims.H);
  var m2 = 0.0;
  for (var t = 0u; t < WG_X; t++) {
    let p = moments[slot + t];
    m2 += p.z + p.x * (p.y - mean) * (p.y - mean);
  }
  return vec2<f32>(mean, inverseSqrt(m2 / f32(dims.H) + dims.eps));
}

@compute @workgroup_size(WG_X, WG_Y)
fn forward_tiled(@builtin(local_invocation_id) l: vec3<u32>, @builtin(workgroup_id) w: vec3<u32>) {
  let r = w.x * WG_Y + l.y;
  let st = statsShared(r, l.x, l.y);
  if (r >= dims.R) {
    return;
  }
  let base = r * dims.H;
  for (var j = l.x; j < dims.H; j += WG_X) {
    y[base + j] = (x[base + j] - st.x) * st.y * gamma[j] + beta[j];
  }
}

@compute @workgroup_size(WG_X, WG_Y)
fn backward_tiled(@builtin(local_invocation_id) l: vec3<u32>, @builtin(workgroup_id) w: vec3<u32>) {
  let r = w.x * WG_Y + l.y;
  let live = r < dims.R;
  let st = statsShared(r, l.x, l.y);
  let base = r * dims.H;
  var m = vec2<f32>(0.0); // (sum g, sum g * xhat) over this thread's columns
  if (live) {
    for (var j = l.x; j < dims.H; j += WG_X) {
      let gj = dy[base + j] * gamma[j];
      m += vec2<f32>(gj, gj * (x[base + j] - st.x) * st.y);
    }
  }
  let slot = l.y * WG_X;
  sums[slot + l.x] = m;
  workgroupBarrier();
  if (!live) {
    return;
  }
  var row = vec2<f32>(0.0);
  for (var t = 0u; t < WG_X; t++) {
    row += sums[slot + t];
  }
  row /= f32(dims.H);
  for (var j = l.x; j < dims.H; j += WG_X) {
    let gj = dy[base + j] * gamma[j];
    dx[base + j] = st.y * (gj - row.x - (x[base + j] - st.x) * st.y * row.y);
  }
}
