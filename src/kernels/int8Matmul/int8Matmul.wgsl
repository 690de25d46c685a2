// Int8 weight matmul with the bias (and optionally exact GELU) fused:
//
//   y[m, n] = act(scale[n] * sum_k x[m, k] * q[n, k] + bias[n])
//
// q is the weight as PyTorch stores it, [out = N, in = K], four int8 per u32 word along k (byte j of word w
// is k = 4w + j, two's complement), every row zero-padded to K4 = ceil(K / 4) words. One f32 scale per
// output channel n. So the weights stay int8 on the GPU and are widened in registers only.
//
// Variants (entry points), selected from TS:
//   naive: one thread per output; a WG_X x WG_Y workgroup covers WG_X columns x WG_Y rows.
//   tiled: a workgroup computes a TM x TN tile (TM = WG_Y * REG rows, TN = WG_X * REG columns); thread
//          (tx, ty) owns rows ty + i * WG_Y and columns tx + j * WG_X, i, j < REG (a REG x REG register
//          block, REG = 4 = the width of a vec4). K is walked in chunks of TK4 words: the chunk of x
//          ([TM, TK4] vec4s) and of q ([TN, TK4] words) is staged in workgroup memory; each thread then
//          unpacks its REG words once per k-word and does REG * REG vec4 dot products.
//   vec4 (entry point tiled_vec4): laid out for real GPUs; needs K % 4 == 0 and N % 4 == 0 (TS falls back to
//          tiled otherwise). A WG_X x WG_Y workgroup computes TM = WG_Y * REG rows x TN = WG_X * REG columns;
//          thread (tx, ty) owns the REG x REG block of contiguous rows REG * ty + i and columns REG * tx + j, so
//          it stores a row of its block as one vec4 and neighbouring threads store neighbouring vec4s. x is read
//          as vec4s and q as whole words, both along k (coalesced); the q chunk is staged transposed, [TK4, TN]
//          words, so a thread fetches the word of its four columns as one vec4<u32>, unpacks it into a 4 x 4
//          matrix and does one vec4 x mat4x4 product per row.
//   skinny (entry point split_k): for the short inputs of a real GPU (M <= 512), where a tile per workgroup
//          leaves most of the GPU idle and K is walked serially. Same needs as vec4. A workgroup of KT x CT x RT
//          threads computes RT * RM rows x CT column quads; the KT threads of one (quad, row group) split K
//          between them (thread kt takes words kt, kt + KT, ...: consecutive threads read consecutive words of
//          a weight row and consecutive vec4s of x), each keeping RM x 4 partial sums in registers, read straight
//          from global memory (no staging, no barrier in the loop). A tree over the KT partial sums in
//          workgroup memory (KT a power of two) ends it; the first thread of the KT applies scale, bias, GELU.
//   staged: for real GPUs at 64 to 512 rows, where tiled_vec4 loses to tfjs, likely because each of its threads
//          unpacks again the weight words its neighbours unpack too (16 unpacks for 64 multiply-adds; tfjs's f32
//          kernel only loads). Same needs as vec4. A workgroup of
//          SC x SG x SS threads computes SG * SM rows x SC column quads. K is walked in chunks of SQ words: the
//          chunk of x ([SG * SM, SQ] vec4s) is staged as it is; the chunk of q is unpacked once per workgroup
//          into f32s laid out [4 SQ values of k, SC column quads], so the inner loop is tfjs's: four weight
//          vec4s and one x vec4 per row give 16 multiply-adds a row, for SM rows. The SS threads of one block
//          take every SS-th word of the chunk (a split of K that multiplies the threads per output without
//          shrinking the tile); the others hand their sums to the first through workgroup memory.

override WG_X: u32 = 16;
override WG_Y: u32 = 8;
override TK4: u32 = 8;
override GELU: bool = false;
const REG: u32 = 4u;
override TM: u32 = WG_Y * REG;
override TN: u32 = WG_X * REG;
// The skinny variant's shape (see above): threads along k (a power of two), column quads and row groups per
// workgroup, rows per thread (at most REG).
override KT: u32 = 16;
override CT: u32 = 4;
override RT: u32 = 4;
override RM: u32 = 4;

// The staged variant's shape (see above): column quads, row groups, rows per thread (at most MAX_SM), threads
// sharing a block's reduction, words of K per chunk.
override SC: u32 = 8;
override SG: u32 = 8;
override SM: u32 = 4;
override SS: u32 = 1;
override SQ: u32 = 8;
const MAX_SM: u32 = 8u;

struct Dims {
  M: u32,
  K: u32,
  N: u32,
  K4: u32,
}

@group(0) @binding(0) var<storage, read_write> y: array<f32>; // [M, N]
@group(0) @binding(1) var<storage, read> x: array<f32>; // [M, K]
@group(0) @binding(2) var<storage, read> q: array<u32>; // [N, K4] packed int8
@group(0) @binding(3) var<storage, read> scale: array<f32>; // [N]
@group(0) @binding(4) var<storage, read> bias: array<f32>; // [N]
@group(0) @binding(5) var<uniform> dims: Dims;
// The same buffers as vec4s, for the vec4 variant only (K and N multiples of 4; an entry point binds one view).
@group(0) @binding(0) var<storage, read_write> y4: array<vec4<f32>>; // [M, N / 4]
@group(0) @binding(1) var<storage, read> x4: array<vec4<f32>>; // [M, K4]
@group(0) @binding(3) var<storage, read> scale4: array<vec4<f32>>; // [N / 4]
@group(0) @binding(4) var<storage, read> bias4: array<vec4<f32>>; // [N / 4]

// Four int8 of a word, sign-extended, as floats.
fn unpack(w: u32) -> vec4<f32> {
  let s = bitcast<i32>(w);
  return vec4<f32>(f32(extractBits(s, 0u, 8u)), f32(extractBits(s, 8u, 8u)), f32(extractBits(s, 16u, 8u)), f32(extractBits(s, 24u, 8u)));
}

// q[n, kw], or 0 outside [N, K4] (a tile's ragged edge).
fn qWord(n: u32, kw: u32) -> u32 {
  if (n < dims.N && kw < dims.K4) {
    return q[n * dims.K4 + kw];
  }
  return 0u;
}

// x[m, 4kw .. 4kw + 3], zero past K (never read out of bounds: a NaN there would survive * 0).
fn xQuad(m: u32, kw: u32) -> vec4<f32> {
  let k = 4u * kw;
  let base = m * dims.K + k;
  if (k + 4u <= dims.K) {
    return vec4<f32>(x[base], x[base + 1u], x[base + 2u], x[base + 3u]);
  }
  var v = vec4<f32>(0.0);
  for (var j = 0u; j < 4u; j++) {
    if (k + j < dims.K) {
      v[j] = x[base + j];
    }
  }
  return v;
}

// erf by Abramowitz & Stegun 7.1.26 (|error| <= 1.5e-7); WGSL has no erf.
fn erf(v: f32) -> f32 {
  let a = abs(v);
  let t = 1.0 / (1.0 + 0.3275911 * a);
  let poly = ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t;
  return sign(v) * (1.0 - poly * exp(-a * a));
}

fn gelu(v: f32) -> f32 {
  return 0.5 * v * (1.0 + erf(v * 0.70710678118654752));
}

fn finish(m: u32, n: u32, dotq: f32) {
  var v = dotq * scale[n] + bias[n];
  if (GELU) {
    v = gelu(v);
  }
  y[m * dims.N + n] = v;
}

@compute @workgroup_size(WG_X, WG_Y)
fn naive(@builtin(global_invocation_id) g: vec3<u32>) {
  let n = g.x;
  let m = g.y;
  if (n >= dims.N || m >= dims.M) {
    return;
  }
  var acc = 0.0;
  for (var kw = 0u; kw < dims.K4; kw++) {
    acc += dot(xQuad(m, kw), unpack(q[n * dims.K4 + kw]));
  }
  finish(m, n, acc);
}

var<workgroup> xs: array<vec4<f32>, TM * TK4>; // [TM, TK4]: a chunk of x rows
var<workgroup> ws: array<u32, TN * TK4>; // [TN, TK4]: a chunk of packed weight rows

@compute @workgroup_size(WG_X, WG_Y)
fn tiled(@builtin(local_invocation_id) l: vec3<u32>, @builtin(workgroup_id) wg: vec3<u32>) {
  let row0 = wg.y * TM;
  let col0 = wg.x * TN;
  let tid = l.y * WG_X + l.x;
  let threads = WG_X * WG_Y;
  var acc: array<vec4<f32>, REG>; // acc[i][j]: row row0 + ty + i * WG_Y, column col0 + tx + j * WG_X
  for (var kw0 = 0u; kw0 < dims.K4; kw0 += TK4) {
    for (var e = tid; e < TM * TK4; e += threads) {
      let m = row0 + e / TK4;
      let kw = kw0 + e % TK4;
      var v = vec4<f32>(0.0);
      if (m < dims.M && kw < dims.K4) {
        v = xQuad(m, kw);
      }
      xs[e] = v;
    }
    for (var e = tid; e < TN * TK4; e += threads) {
      let n = col0 + e / TK4;
      let kw = kw0 + e % TK4;
      ws[e] = qWord(n, kw);
    }
    workgroupBarrier();
    for (var c = 0u; c < TK4; c++) {
      let w0 = unpack(ws[(l.x) * TK4 + c]);
      let w1 = unpack(ws[(l.x + WG_X) * TK4 + c]);
      let w2 = unpack(ws[(l.x + 2u * WG_X) * TK4 + c]);
      let w3 = unpack(ws[(l.x + 3u * WG_X) * TK4 + c]);
      for (var i = 0u; i < REG; i++) {
        let xv = xs[(l.y + i * WG_Y) * TK4 + c];
        acc[i] += vec4<f32>(dot(xv, w0), dot(xv, w1), dot(xv, w2), dot(xv, w3));
      }
    }
    workgroupBarrier();
  }
  for (var i = 0u; i < REG; i++) {
    let m = row0 + l.y + i * WG_Y;
    for (var j = 0u; j < REG; j++) {
      let n = col0 + l.x + j * WG_X;
      if (m < dims.M && n < dims.N) {
        finish(m, n, acc[i][j]);
      }
    }
  }
}

var<workgroup> xs4: array<vec4<f32>, TM * TK4>; // [TM, TK4]: a chunk of x rows
var<workgroup> ws4: array<vec4<u32>, TK4 * WG_X>; // [TK4, TN] words as [TK4, WG_X] vec4s: the chunk of q, transposed

@compute @workgroup_size(WG_X, WG_Y)
fn tiled_vec4(@builtin(local_invocation_id) l: vec3<u32>, @builtin(workgroup_id) wg: vec3<u32>) {
  let row0 = wg.y * TM;
  let col0 = wg.x * TN;
  let tid = l.y * WG_X + l.x;
  let threads = WG_X * WG_Y;
  let n4 = dims.N / 4u;
  var acc: array<vec4<f32>, REG>; // acc[i][j]: row row0 + REG * ty + i, column col0 + REG * tx + j
  for (var kw0 = 0u; kw0 < dims.K4; kw0 += TK4) {
    // Consecutive threads read consecutive vec4s of one x row, then consecutive words of one q row.
    for (var e = tid; e < TM * TK4; e += threads) {
      let m = row0 + e / TK4;
      let kw = kw0 + e % TK4;
      var v = vec4<f32>(0.0);
      if (m < dims.M && kw < dims.K4) {
        v = x4[m * dims.K4 + kw];
      }
      xs4[e] = v;
    }
    // One thread writes a whole vec4 (the word c of four columns): threads writing components of one vector race
    // where a component store is a read-modify-write of the vector (Metal, D3D).
    for (var e = tid; e < WG_X * TK4; e += threads) {
      let n = col0 + REG * (e / TK4);
      let kw = kw0 + e % TK4;
      ws4[(e % TK4) * WG_X + e / TK4] = vec4<u32>(qWord(n, kw), qWord(n + 1u, kw), qWord(n + 2u, kw), qWord(n + 3u, kw));
    }
    workgroupBarrier();
    for (var c = 0u; c < TK4; c++) {
      let w = ws4[c * WG_X + l.x];
      // Column j of wm is the weight of column REG * tx + j at k = 4 (kw0 + c) .. + 3: xv * wm = 4 dot products.
      let wm = mat4x4<f32>(unpack(w.x), unpack(w.y), unpack(w.z), unpack(w.w));
      for (var i = 0u; i < REG; i++) {
        acc[i] += xs4[(REG * l.y + i) * TK4 + c] * wm;
      }
    }
    workgroupBarrier();
  }
  let nq = col0 / REG + l.x;
  if (nq >= n4) {
    return;
  }
  let s = scale4[nq];
  let b = bias4[nq];
  for (var i = 0u; i < REG; i++) {
    let m = row0 + REG * l.y + i;
    if (m < dims.M) {
      var v = acc[i] * s + b;
      if (GELU) {
        v = vec4<f32>(gelu(v.x), gelu(v.y), gelu(v.z), gelu(v.w));
      }
      y4[m * n4 + nq] = v;
    }
  }
}

var<workgroup> partial: array<vec4<f32>, KT * CT * RT>; // one row's partial sums, per thread

@compute @workgroup_size(KT * CT * RT)
fn split_k(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wg: vec3<u32>) {
  let kt = lid % KT;
  let ct = (lid / KT) % CT;
  let rt = lid / (KT * CT);
  let n4 = dims.N / 4u;
  let c = wg.x * CT + ct; // this thread's column quad: columns 4c .. 4c + 3
  let row0 = (wg.y * RT + rt) * RM;
  var acc: array<vec4<f32>, REG>; // acc[i]: row row0 + i, this thread's share of k
  if (c < n4) {
    let base = 4u * c * dims.K4;
    for (var kw = kt; kw < dims.K4; kw += KT) {
      // Column j of wm is the weight of column 4c + j at k = 4kw .. 4kw + 3.
      let wm = mat4x4<f32>(unpack(q[base + kw]), unpack(q[base + dims.K4 + kw]), unpack(q[base + 2u * dims.K4 + kw]), unpack(q[base + 3u * dims.K4 + kw]));
      for (var i = 0u; i < RM; i++) {
        let m = row0 + i;
        if (m < dims.M) {
          acc[i] += x4[m * dims.K4 + kw] * wm;
        }
      }
    }
  }
  var s = vec4<f32>(0.0);
  var b = vec4<f32>(0.0);
  if (kt == 0u && c < n4) {
    s = scale4[c];
    b = bias4[c];
  }
  for (var i = 0u; i < RM; i++) {
    partial[lid] = acc[i];
    workgroupBarrier();
    for (var step = KT / 2u; step > 0u; step /= 2u) {
      if (kt < step) {
        partial[lid] += partial[lid + step];
      }
      workgroupBarrier();
    }
    let m = row0 + i;
    if (kt == 0u && c < n4 && m < dims.M) {
      var v = partial[lid] * s + b;
      if (GELU) {
        v = vec4<f32>(gelu(v.x), gelu(v.y), gelu(v.z), gelu(v.w));
      }
      y4[m * n4 + c] = v;
    }
    workgroupBarrier();
  }
}

var<workgroup> sx: array<vec4<f32>, SG * SM * SQ>; // [SG * SM rows, SQ]: a chunk of x
var<workgroup> sw: array<vec4<f32>, 4u * SQ * SC>; // [4 SQ values of k, SC column quads]: the chunk of q, unpacked
var<workgroup> sred: array<vec4<f32>, SC * SG * (SS - 1u) + 1u>; // one row's sums from the threads past the first of SS

@compute @workgroup_size(SC * SG * SS)
fn staged(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wg: vec3<u32>) {
  let threads = SC * SG * SS;
  let block = lid % (SC * SG);
  let cx = lid % SC; // column quad quad0 + cx
  let gy = block / SC; // rows row0 + gy * SM + i, i < SM
  let ks = lid / (SC * SG); // words ks, ks + SS, ... of each chunk
  let rows = SG * SM;
  let row0 = wg.y * rows;
  let quad0 = wg.x * SC;
  let n4 = dims.N / 4u;
  var acc: array<vec4<f32>, MAX_SM>; // acc[i][j]: row row0 + gy * SM + i, column 4 (quad0 + cx) + j
  for (var kw0 = 0u; kw0 < dims.K4; kw0 += SQ) {
    for (var e = lid; e < rows * SQ; e += threads) {
      let m = row0 + e / SQ;
      let kw = kw0 + e % SQ;
      var v = vec4<f32>(0.0);
      if (m < dims.M && kw < dims.K4) {
        v = x4[m * dims.K4 + kw];
      }
      sx[e] = v;
    }
    // A thread unpacks word c of the four columns of quad qd (consecutive threads, consecutive words of the same
    // four weight rows) and writes whole vec4s: sw[4c + j][qd] holds k = 4 (kw0 + c) + j of those columns. (Threads
    // writing components of one vector race where a component store is a read-modify-write: Metal, D3D.)
    for (var e = lid; e < SC * SQ; e += threads) {
      let qd = e / SQ;
      let c = e % SQ;
      let n = 4u * (quad0 + qd);
      let kw = kw0 + c;
      let wm = mat4x4<f32>(unpack(qWord(n, kw)), unpack(qWord(n + 1u, kw)), unpack(qWord(n + 2u, kw)), unpack(qWord(n + 3u, kw)));
      let wt = transpose(wm); // wt[j]: the four columns' weights at k = 4 kw + j
      let at = 4u * c * SC + qd;
      sw[at] = wt[0];
      sw[at + SC] = wt[1];
      sw[at + 2u * SC] = wt[2];
      sw[at + 3u * SC] = wt[3];
    }
    workgroupBarrier();
    for (var c = ks; c < SQ; c += SS) {
      let at = 4u * c * SC + cx;
      let w0 = sw[at];
      let w1 = sw[at + SC];
      let w2 = sw[at + 2u * SC];
      let w3 = sw[at + 3u * SC];
      for (var i = 0u; i < SM; i++) {
        let a = sx[(gy * SM + i) * SQ + c];
        acc[i] += a.x * w0 + a.y * w1 + a.z * w2 + a.w * w3;
      }
    }
    workgroupBarrier();
  }
  let quad = quad0 + cx;
  var s = vec4<f32>(0.0);
  var b = vec4<f32>(0.0);
  if (ks == 0u && quad < n4) {
    s = scale4[quad];
    b = bias4[quad];
  }
  for (var i = 0u; i < SM; i++) {
    var v = acc[i];
    if (SS > 1u) {
      if (ks > 0u) {
        sred[(ks - 1u) * SC * SG + block] = v;
      }
      workgroupBarrier();
      if (ks == 0u) {
        for (var t = 1u; t < SS; t++) {
          v += sred[(t - 1u) * SC * SG + block];
        }
      }
      workgroupBarrier();
    }
    let m = row0 + gy * SM + i;
    if (ks == 0u && quad < n4 && m < dims.M) {
      v = v * s + b;
      if (GELU) {
        v = vec4<f32>(gelu(v.x), gelu(v.y), gelu(v.z), gelu(v.w));
      }
      y4[m * n4 + quad] = v;
    }
  }
}
