// Attention probabilities in one pass per direction: the score scale, the additive key mask and the softmax over
// the keys, fused:
//
//   forward:   p[r, k]  = exp(v[r, k] - max_k v[r, :]) / sum_k exp(v[r, k] - max_k v[r, :])
//              v[r, k]  = s[r, k] * scale + mask[b(r), k],   b(r) = r / rowsPerBatch
//   backward:  ds[r, k] = scale * p[r, k] * (dp[r, k] - sum_k' dp[r, k'] * p[r, k'])
//
// s, p, dp and ds are [R, K] with R = batch * heads * queries (every leading axis folded) and K keys; mask is
// [batch, K], additive (0 to attend, (1 - mask) * finfo.min for padding, as transformers builds it). The
// backward reads the forward's output p, not s: one dispatch and one output each way.
//
// Variants (entry points forward_<variant>, backward_<variant>), selected from TS:
//   naive: one thread per row walks it serially; a workgroup holds WG_Y rows (WG_X = 1). The tiled variant
//          runs this too where its shape gives one thread per row.
//   tiled: WG_X threads share a row (thread tx takes keys tx, tx + WG_X, ...), WG_Y rows per workgroup. Each
//          thread reduces its own keys (its max and its sum of exponentials below it; backward, its part of the
//          dot product), the WG_X partials of a row are exchanged once through workgroup memory and every thread
//          combines them itself: one barrier each way. Threads of rows past R compute nothing but still reach
//          the barrier.

override WG_X: u32 = 16;
override WG_Y: u32 = 4;
override WG_SIZE: u32 = WG_X * WG_Y;
// A start for a running max below any v (scores * scale + finfo.min stays finite).
const LOWEST: f32 = -3.4028234663852886e38; // -f32 max

struct Dims {
  R: u32, // rows
  K: u32, // keys
  rowsPerBatch: u32, // heads * queries
  scale: f32,
}

// Forward: p from scores and the mask.
@group(0) @binding(0) var<storage, read_write> p: array<f32>; // [R, K]
@group(0) @binding(1) var<storage, read> scores: array<f32>; // [R, K]
@group(0) @binding(2) var<storage, read> mask: array<f32>; // [batch, K]
@group(0) @binding(3) var<uniform> dims: Dims;
// Backward: ds (at binding 0, as p) from the forward's output and its gradient.
@group(0) @binding(0) var<storage, read_write> ds: array<f32>; // [R, K]
@group(0) @binding(1) var<storage, read> probs: array<f32>; // [R, K]
@group(0) @binding(2) var<storage, read> dprobs: array<f32>; // [R, K]

var<workgroup> partial: array<vec2<f32>, WG_SIZE>; // per thread: (max, sum of exp(v - max)) or (dot, unused)

// The masked, scaled score v[r, k].
fn logit(r: u32, k: u32) -> f32 {
  return scores[r * dims.K + k] * dims.scale + mask[(r / dims.rowsPerBatch) * dims.K + k];
}

// ---- naive: one thread per row ----

@compute @workgroup_size(WG_X, WG_Y)
fn forward_naive(@builtin(global_invocation_id) g: vec3<u32>) {
  let r = g.y;
  if (r >= dims.R) {
    return;
  }
  var m = LOWEST;
  for (var k = 0u; k < dims.K; k++) {
    m = max(m, logit(r, k));
  }
  var total = 0.0;
  for (var k = 0u; k < dims.K; k++) {
    total += exp(logit(r, k) - m);
  }
  for (var k = 0u; k < dims.K; k++) {
    p[r * dims.K + k] = exp(logit(r, k) - m) / total;
  }
}

@compute @workgroup_size(WG_X, WG_Y)
fn backward_naive(@builtin(global_invocation_id) g: vec3<u32>) {
  let r = g.y;
  if (r >= dims.R) {
    return;
  }
  let base = r * dims.K;
  var dot = 0.0;
  for (var k = 0u; k < dims.K; k++) {
    dot += dprobs[base + k] * probs[base + k];
  }
  for (var k = 0u; k < dims.K; k++) {
    ds[base + k] = dims.scale * probs[base + k] * (dprobs[base + k] - dot);
  }
}

// ---- tiled: WG_X threads per row ----

@compute @workgroup_size(WG_X, WG_Y)
fn forward_tiled(@builtin(local_invocation_id) l: vec3<u32>, @builtin(workgroup_id) w: vec3<u32>) {
  let r = w.x * WG_Y + l.y;
  let live = r < dims.R;
  var m = LOWEST;
  var total = 0.0;
  if (live) {
    for (var k = l.x; k < dims.K; k += WG_X) {
      m = max(m, logit(r, k));
    }
    for (var k = l.x; k < dims.K; k += WG_X) {
      total += exp(logit(r, k) - m);
    }
  }
  let slot = l.y * WG_X;
  partial[slot + l.x] = vec2<f32>(m, total);
  workgroupBarrier();
  if (!live) {
    return;
  }
  var rowMax = LOWEST;
  for (var t = 0u; t < WG_X; t++) {
    rowMax = max(rowMax, partial[slot + t].x);
  }
  var rowSum = 0.0;
  for (var t = 0u; t < WG_X; t++) {
    let q = partial[slot + t];
    rowSum += q.y * exp(q.x - rowMax); // a thread without keys has q.y = 0
  }
  for (var k = l.x; k < dims.K; k += WG_X) {
    p[r * dims.K + k] = exp(logit(r, k) - rowMax) / rowSum;
  }
}

@compute @workgroup_size(WG_X, WG_Y)
fn backward_tiled(@builtin(local_invocation_id) l: vec3<u32>, @builtin(workgroup_id) w: vec3<u32>) {
  let r = w.x * WG_Y + l.y;
  let live = r < dims.R;
  let base = r * dims.K;
  var dot = 0.0;
  if (live) {
    for (var k = l.x; k < dims.K; k += WG_X) {
      dot += dprobs[base + k] * probs[base + k];
    }
  }
  let slot = l.y * WG_X;
  partial[slot + l.x] = vec2<f32>(dot, 0.0);
  workgroupBarrier();
  if (!live) {
    return;
  }
  var rowDot = 0.0;
  for (var t = 0u; t < WG_X; t++) {
    rowDot += partial[slot + t].x;
  }
  for (var k = l.x; k < dims.K; k += WG_X) {
    ds[base + k] = dims.scale * probs[base + k] * (dprobs[base + k] - rowDot);
  }
}
