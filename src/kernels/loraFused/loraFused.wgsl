// LoRA fused into the int8 weight matmul, in one pass over the input rows:
//
//   y[m, n] = scale[n] * sum_k x[m, k] q[n, k] + bias[n] + s * sum_r low[m, r] b[n, r]
//   low[m, r] = sum_k xl[m, k] a[r, k]
//
// x is the frozen layer's input, xl the LoRA branch's (x itself, or x after dropout); a [R, K] and b [N, R]
// are peft's lora_A / lora_B layouts; q, scale as in int8Matmul.wgsl ([N, K4] words of four int8, [N]).
//
// Variants (entry points):
//   naive: one thread per output; it recomputes low[m, :] itself (R extra dot products of length K).
//   tiled: (SAME_INPUT: xl is x, staged once) the int8Matmul tiling (a TM x TN tile per workgroup, a REG x REG block per thread, K in chunks of
//          TK4 words staged in workgroup memory) plus, from the same staged chunk of xl and of a, the
//          workgroup's TM x R block of low, each entry owned by one thread; the epilogue adds s * low @ b^T.
//   skinny (entry point split_k): int8Matmul's skinny layout (see int8Matmul.wgsl: KT threads split K for each
//          column quad and row group, reading global memory directly) for real GPUs and short inputs; needs K and N
//          multiples of 4 and R <= 4 CT. Alongside its int8 partial sums, thread (kt, ct, rt) keeps partial sums of
//          low[m, r] for its rows and the ranks r = ct, ct + CT, ... (at most RJ = 4 of them), over its share of K.
//          Trees over the KT threads reduce both; low lands in workgroup memory for the epilogue, which adds
//          s * low @ b^T to each of the thread's columns.
//   staged: int8Matmul.wgsl's staged layout (SC x SG x SS threads, SG * SM rows x SC column quads, K in chunks of
//          SQ words, the chunk of q unpacked once per workgroup into f32s, SS threads sharing a block's
//          reduction), plus the rank-R product: the chunk of a ([SQ, R] vec4s; and xl's, unless it is x) is staged
//          beside x's, and thread (cx, gy, ks) also sums, for its rows and its share of K, the ranks
//          r = cx, cx + SC, ... (SJ of them, at most MAX_RJ) of low from the same x values its int8 sums read.
//          Those partial sums are handed over through workgroup memory ([SS, rows, R]); the epilogue adds them
//          up and adds s * low @ b^T. Same needs as skinny, with R <= MAX_RJ * SC.

override WG_X: u32 = 16;
override WG_Y: u32 = 8;
override TK4: u32 = 8;
override R: u32 = 8;
// xl is the same buffer as x (no dropout): stage it once.
override SAME_INPUT: bool = false;
const REG: u32 = 4u;
override TM: u32 = WG_Y * REG;
override TN: u32 = WG_X * REG;
// The skinny variant's shape: threads along k (a power of two), column quads, row groups, rows per thread (<= REG),
// ranks per thread (RJ = ceil(R / CT) <= 4).
override KT: u32 = 16;
override CT: u32 = 4;
override RT: u32 = 4;
override RM: u32 = 4;
override RJ: u32 = 2;
// The staged variant's shape (see above): column quads, row groups, rows per thread (at most MAX_SM), threads
// sharing a block's reduction, words of K per chunk. xl's chunk is staged apart only when xl is not x (sxl).
override SC: u32 = 8;
override SG: u32 = 8;
override SM: u32 = 4;
override SS: u32 = 1;
override SQ: u32 = 8;
// Ranks per thread: ceil(R / SC), at most MAX_RJ.
override SJ: u32 = 1;
const MAX_SM: u32 = 8u;
const MAX_RJ: u32 = 4u;

struct Dims {
  M: u32,
  K: u32,
  N: u32,
  K4: u32,
  s: f32, // LoRA's scaling
}

@group(0) @binding(0) var<storage, read_write> y: array<f32>; // [M, N]
@group(0) @binding(1) var<storage, read> x: array<f32>; // [M, K]
@group(0) @binding(2) var<storage, read> xl: array<f32>; // [M, K]
@group(0) @binding(3) var<storage, read> q: array<u32>; // [N, K4] packed int8
@group(0) @binding(4) var<storage, read> scale: array<f32>; // [N]
@group(0) @binding(5) var<storage, read> bias: array<f32>; // [N]
@group(0) @binding(6) var<storage, read> a: array<f32>; // [R, K]
@group(0) @binding(7) var<storage, read> b: array<f32>; // [N, R]
@group(0) @binding(8) var<uniform> dims: Dims;

// The same buffers as vec4s, for the skinny variant only (K and N multiples of 4; an entry point binds one view).
@group(0) @binding(0) var<storage, read_write> y4: array<vec4<f32>>; // [M, N / 4]
@group(0) @binding(1) var<storage, read> x4: array<vec4<f32>>; // [M, K4]
@group(0) @binding(2) var<storage, read> xl4: array<vec4<f32>>; // [M, K4]
@group(0) @binding(4) var<storage, read> scale4: array<vec4<f32>>; // [N / 4]
@group(0) @binding(5) var<storage, read> bias4: array<vec4<f32>>; // [N / 4]
@group(0) @binding(6) var<storage, read> a4: array<vec4<f32>>; // [R, K4]

fn unpack(w: u32) -> vec4<f32> {
  let s = bitcast<i32>(w);
  return vec4<f32>(f32(extractBits(s, 0u, 8u)), f32(extractBits(s, 8u, 8u)), f32(extractBits(s, 16u, 8u)), f32(extractBits(s, 24u, 8u)));
}

// q[n, kw], or 0 outside [N, K4] (a ragged last workgroup of columns).
fn qWord(n: u32, kw: u32) -> u32 {
  if (n < dims.N && kw < dims.K4) {
    return q[n * dims.K4 + kw];
  }
  return 0u;
}

// The four values of row `row` of a [rows, K] matrix at k = 4kw .. 4kw + 3, zero past K. `which`: 0 = x,
// 1 = xl, 2 = a (WGSL cannot pass storage pointers around portably).
fn quad(which: u32, row: u32, kw: u32) -> vec4<f32> {
  let k = 4u * kw;
  let base = row * dims.K + k;
  var v = vec4<f32>(0.0);
  for (var j = 0u; j < 4u; j++) {
    if (k + j < dims.K) {
      if (which == 0u) {
        v[j] = x[base + j];
      } else if (which == 1u) {
        v[j] = xl[base + j];
      } else {
        v[j] = a[base + j];
      }
    }
  }
  return v;
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
    acc += dot(quad(0u, m, kw), unpack(q[n * dims.K4 + kw]));
  }
  var update = 0.0;
  for (var r = 0u; r < R; r++) {
    var low = 0.0;
    for (var kw = 0u; kw < dims.K4; kw++) {
      low += dot(quad(1u, m, kw), quad(2u, r, kw));
    }
    update += low * b[n * R + r];
  }
  y[m * dims.N + n] = acc * scale[n] + bias[n] + dims.s * update;
}

var<workgroup> xs: array<vec4<f32>, TM * TK4>; // [TM, TK4]: a chunk of x rows
var<workgroup> xls: array<vec4<f32>, TM * TK4>; // [TM, TK4]: the same chunk of xl
var<workgroup> ws: array<u32, TN * TK4>; // [TN, TK4]: packed weight words
var<workgroup> aChunk: array<vec4<f32>, R * TK4>; // [R, TK4]: a chunk of a
var<workgroup> low: array<f32, TM * R>; // [TM, R]: xl @ a^T for the tile's rows

@compute @workgroup_size(WG_X, WG_Y)
fn tiled(@builtin(local_invocation_id) l: vec3<u32>, @builtin(workgroup_id) wg: vec3<u32>) {
  let row0 = wg.y * TM;
  let col0 = wg.x * TN;
  let tid = l.y * WG_X + l.x;
  let threads = WG_X * WG_Y;
  var acc: array<vec4<f32>, REG>;
  for (var e = tid; e < TM * R; e += threads) {
    low[e] = 0.0;
  }
  for (var kw0 = 0u; kw0 < dims.K4; kw0 += TK4) {
    for (var e = tid; e < TM * TK4; e += threads) {
      let m = row0 + e / TK4;
      let kw = kw0 + e % TK4;
      var v = vec4<f32>(0.0);
      var vl = vec4<f32>(0.0);
      if (m < dims.M && kw < dims.K4) {
        v = quad(0u, m, kw);
        if (!SAME_INPUT) {
          vl = quad(1u, m, kw);
        }
      }
      xs[e] = v;
      if (!SAME_INPUT) {
        xls[e] = vl;
      }
    }
    for (var e = tid; e < TN * TK4; e += threads) {
      let n = col0 + e / TK4;
      let kw = kw0 + e % TK4;
      var w = 0u;
      if (n < dims.N && kw < dims.K4) {
        w = q[n * dims.K4 + kw];
      }
      ws[e] = w;
    }
    for (var e = tid; e < R * TK4; e += threads) {
      let kw = kw0 + e % TK4;
      var v = vec4<f32>(0.0);
      if (kw < dims.K4) {
        v = quad(2u, e / TK4, kw);
      }
      aChunk[e] = v;
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
    for (var e = tid; e < TM * R; e += threads) {
      let row = e / R;
      let r = e % R;
      var sum = 0.0;
      for (var c = 0u; c < TK4; c++) {
        if (SAME_INPUT) {
          sum += dot(xs[row * TK4 + c], aChunk[r * TK4 + c]);
        } else {
          sum += dot(xls[row * TK4 + c], aChunk[r * TK4 + c]);
        }
      }
      low[e] += sum;
    }
    workgroupBarrier();
  }
  for (var i = 0u; i < REG; i++) {
    let rowLocal = l.y + i * WG_Y;
    let m = row0 + rowLocal;
    for (var j = 0u; j < REG; j++) {
      let n = col0 + l.x + j * WG_X;
      if (m < dims.M && n < dims.N) {
        var update = 0.0;
        for (var r = 0u; r < R; r++) {
          update += low[rowLocal * R + r] * b[n * R + r];
        }
        y[m * dims.N + n] = acc[i][j] * scale[n] + bias[n] + dims.s * update;
      }
    }
  }
}

var<workgroup> partial: array<vec4<f32>, KT * CT * RT>; // one row's int8 partial sums, per thread
var<workgroup> lowPartial: array<f32, KT * CT * RT>; // one (row, rank)'s partial sum of low, per thread
var<workgroup> lowRows: array<f32, RT * RM * R>; // [RT * RM, R]: low for the workgroup's rows

@compute @workgroup_size(KT * CT * RT)
fn split_k(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wg: vec3<u32>) {
  let kt = lid % KT;
  let ct = (lid / KT) % CT;
  let rt = lid / (KT * CT);
  let n4 = dims.N / 4u;
  let c = wg.x * CT + ct; // this thread's column quad: columns 4c .. 4c + 3
  let row0 = (wg.y * RT + rt) * RM;
  var acc: array<vec4<f32>, REG>; // acc[i]: row row0 + i, this thread's share of k
  var lowAcc: array<f32, 16>; // lowAcc[4i + j]: row row0 + i, rank ct + j CT
  for (var kw = kt; kw < dims.K4; kw += KT) {
    var wm = mat4x4<f32>();
    if (c < n4) {
      let base = 4u * c * dims.K4;
      wm = mat4x4<f32>(unpack(q[base + kw]), unpack(q[base + dims.K4 + kw]), unpack(q[base + 2u * dims.K4 + kw]), unpack(q[base + 3u * dims.K4 + kw]));
    }
    for (var i = 0u; i < RM; i++) {
      let m = row0 + i;
      if (m < dims.M) {
        let xv = x4[m * dims.K4 + kw];
        acc[i] += xv * wm;
        var xlv = xv;
        if (!SAME_INPUT) {
          xlv = xl4[m * dims.K4 + kw];
        }
        for (var j = 0u; j < RJ; j++) {
          let r = ct + j * CT;
          if (r < R) {
            lowAcc[4u * i + j] += dot(xlv, a4[r * dims.K4 + kw]);
          }
        }
      }
    }
  }
  // low for the workgroup's rows: a tree over the KT threads of each (row, rank), into lowRows.
  for (var i = 0u; i < RM; i++) {
    for (var j = 0u; j < RJ; j++) {
      lowPartial[lid] = lowAcc[4u * i + j];
      workgroupBarrier();
      for (var step = KT / 2u; step > 0u; step /= 2u) {
        if (kt < step) {
          lowPartial[lid] += lowPartial[lid + step];
        }
        workgroupBarrier();
      }
      let r = ct + j * CT;
      if (kt == 0u && r < R) {
        lowRows[(rt * RM + i) * R + r] = lowPartial[lid];
      }
      workgroupBarrier();
    }
  }
  var s = vec4<f32>(0.0);
  var bv = vec4<f32>(0.0);
  if (kt == 0u && c < n4) {
    s = scale4[c];
    bv = bias4[c];
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
      var update = vec4<f32>(0.0);
      let lowBase = (rt * RM + i) * R;
      for (var r = 0u; r < R; r++) {
        let l = lowRows[lowBase + r];
        update += l * vec4<f32>(b[(4u * c) * R + r], b[(4u * c + 1u) * R + r], b[(4u * c + 2u) * R + r], b[(4u * c + 3u) * R + r]);
      }
      y4[m * n4 + c] = partial[lid] * s + bv + dims.s * update;
    }
    workgroupBarrier();
  }
}

var<workgroup> sx: array<vec4<f32>, SG * SM * SQ>; // [SG * SM rows, SQ]: a chunk of x
var<workgroup> sxl: array<vec4<f32>, SG * SM * SQ * select(1u, 0u, SAME_INPUT) + 1u>; // the same chunk of xl, when it is not x
var<workgroup> sw: array<vec4<f32>, 4u * SQ * SC>; // [4 SQ values of k, SC column quads]: the chunk of q, unpacked
var<workgroup> sa: array<vec4<f32>, SQ * R>; // [SQ, R]: the chunk of a, transposed so that neighbouring ranks are neighbours
var<workgroup> sred: array<vec4<f32>, SC * SG * (SS - 1u) + 1u>; // one row's sums from the threads past the first of SS
var<workgroup> slow: array<f32, SS * SG * SM * R>; // [SS, SG * SM rows, R]: each share of K's partial sums of low

@compute @workgroup_size(SC * SG * SS)
fn staged(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wg: vec3<u32>) {
  let threads = SC * SG * SS;
  let block = lid % (SC * SG);
  let cx = lid % SC; // column quad quad0 + cx; ranks cx, cx + SC, ...
  let gy = block / SC; // rows row0 + gy * SM + i, i < SM
  let ks = lid / (SC * SG); // words ks, ks + SS, ... of each chunk
  let rows = SG * SM;
  let row0 = wg.y * rows;
  let quad0 = wg.x * SC;
  let n4 = dims.N / 4u;
  var acc: array<vec4<f32>, MAX_SM>; // acc[i][j]: row row0 + gy * SM + i, column 4 (quad0 + cx) + j
  var lowAcc: array<f32, MAX_SM * MAX_RJ>; // lowAcc[MAX_RJ i + j]: row row0 + gy * SM + i, rank cx + j SC
  for (var kw0 = 0u; kw0 < dims.K4; kw0 += SQ) {
    for (var e = lid; e < rows * SQ; e += threads) {
      let m = row0 + e / SQ;
      let kw = kw0 + e % SQ;
      var v = vec4<f32>(0.0);
      var vl = vec4<f32>(0.0);
      if (m < dims.M && kw < dims.K4) {
        v = x4[m * dims.K4 + kw];
        if (!SAME_INPUT) {
          vl = xl4[m * dims.K4 + kw];
        }
      }
      sx[e] = v;
      if (!SAME_INPUT) {
        sxl[e] = vl;
      }
    }
    // Threads reading ranks cx, cx + 1, ... of one word read neighbouring vec4s (no bank conflicts on a GPU).
    for (var e = lid; e < R * SQ; e += threads) {
      let r = e / SQ;
      let c = e % SQ;
      let kw = kw0 + c;
      var v = vec4<f32>(0.0);
      if (kw < dims.K4) {
        v = a4[r * dims.K4 + kw];
      }
      sa[c * R + r] = v;
    }
    // As in int8Matmul.wgsl's staged: whole vec4s only (a component store can race with its neighbours').
    for (var e = lid; e < SC * SQ; e += threads) {
      let qd = e / SQ;
      let c = e % SQ;
      let n = 4u * (quad0 + qd);
      let kw = kw0 + c;
      let wt = transpose(mat4x4<f32>(unpack(qWord(n, kw)), unpack(qWord(n + 1u, kw)), unpack(qWord(n + 2u, kw)), unpack(qWord(n + 3u, kw))));
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
        let xv = sx[(gy * SM + i) * SQ + c];
        acc[i] += xv.x * w0 + xv.y * w1 + xv.z * w2 + xv.w * w3;
        var xlv = xv;
        if (!SAME_INPUT) {
          xlv = sxl[(gy * SM + i) * SQ + c];
        }
        for (var j = 0u; j < SJ; j++) {
          let r = cx + j * SC;
          if (r < R) {
            lowAcc[MAX_RJ * i + j] += dot(xlv, sa[c * R + r]);
          }
        }
      }
    }
    workgroupBarrier();
  }
  // Every (share of K, row, rank) has one owner: rank r belongs to the threads with cx = r % SC.
  for (var i = 0u; i < SM; i++) {
    for (var j = 0u; j < SJ; j++) {
      let r = cx + j * SC;
      if (r < R) {
        slow[(ks * rows + gy * SM + i) * R + r] = lowAcc[MAX_RJ * i + j];
      }
    }
  }
  workgroupBarrier();
  let quad = quad0 + cx;
  var s = vec4<f32>(0.0);
  var bv = vec4<f32>(0.0);
  if (ks == 0u && quad < n4) {
    s = scale4[quad];
    bv = bias4[quad];
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
    let row = gy * SM + i;
    let m = row0 + row;
    if (ks == 0u && quad < n4 && m < dims.M) {
      var update = vec4<f32>(0.0);
      for (var r = 0u; r < R; r++) {
        var l = 0.0;
        for (var t = 0u; t < SS; t++) {
          l += slow[(t * rows + row) * R + r];
        }
        let n = 4u * quad;
        update += l * vec4<f32>(b[n * R + r], b[(n + 1u) * R + r], b[(n + 2u) * R + r], b[(n + 3u) * R + r]);
      }
      y4[m * n4 + quad] = v * s + bv + dims.s * update;
    }
  }
}
