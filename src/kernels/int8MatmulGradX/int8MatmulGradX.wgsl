// The input gradient of the int8 weight matmul, without widening the weights to an f32 matrix:
//
//   dx[m, k] = sum_n dy[m, n] * scale[n] * q[n, k]          (dx = dy @ dequant(Wq)^T)
//
// q is [N, K4] u32 words, four int8 along k (see int8Matmul.wgsl). Every thread produces outputs four at a
// time: one weight word gives dx[m, 4kw .. 4kw + 3].
//
// Variants (entry points):
//   naive: one thread per (row m, word kw); a WG_X x WG_Y workgroup covers WG_X words x WG_Y rows.
//   tiled: a workgroup computes TM rows x TW words (TM = WG_Y * REG, TW = WG_X * REG, i.e. 4 * TW columns);
//          thread (tx, ty) owns rows ty + i * WG_Y and words tx + j * WG_X, i, j < REG (REG = 4). N is walked
//          in chunks of TN: dy * scale ([TM, TN]) and q ([TN, TW] words) are staged in workgroup memory.
//   vec4 (entry point tiled_vec4): laid out for real GPUs; needs K % 4 == 0 and N % 4 == 0 (TS falls back to
//          tiled otherwise). A WG_X x WG_Y workgroup computes TM = WG_Y * REG rows x WG_X words (4 * WG_X
//          columns); thread (tx, ty) owns the REG x REG block of rows REG * ty + i and the four columns of word
//          tx, so it stores each row of its block as one vec4, next to its neighbour's. N is walked in chunks of
//          TN: q is staged as [TN, WG_X] words read along its rows (consecutive threads, consecutive words: no
//          transposed reads), dy * scale as [TN, TM] read as vec4s along n, so a thread fetches one word and one
//          vec4 (its four rows) per n for REG * REG multiply-adds.
//   skinny (entry point split_n): for the short inputs of a real GPU (M <= 512); same needs as vec4. A workgroup
//          of CT x NT x RT threads computes RT * RM rows x CT words (4 * CT columns); the NT threads of one (word,
//          row group) split N between them (thread nt takes n quads nt, nt + NT, ...), each keeping RM x 4 partial
//          sums in registers, read straight from global memory: consecutive threads (ct) read consecutive words
//          of the same four weight rows, and share the vec4 of dy * scale. A tree over the NT partial sums in
//          workgroup memory (NT a power of two) ends it.
//   staged: int8Matmul's staged variant with n as the reduction (see int8Matmul.wgsl); same needs as vec4. A
//          workgroup of SC x SG x SS threads computes SG * SM rows x SC words (4 SC columns of dx). N is walked in
//          chunks of SQ quads: dy * scale ([SG * SM, SQ] vec4s) is staged as it is, and the chunk of q, [4 SQ
//          rows n, SC words], is unpacked once per workgroup (a word is already four consecutive columns of dx).
//          The SS threads of one block take every SS-th quad of the chunk and hand their sums to the first.

override WG_X: u32 = 8;
override WG_Y: u32 = 8;
override TN: u32 = 16;
const REG: u32 = 4u;
override TM: u32 = WG_Y * REG;
override TW: u32 = WG_X * REG;
// The skinny variant's shape (see above): words per workgroup, threads along n (a power of two), row groups
// per workgroup, rows per thread (at most REG).
override CT: u32 = 16;
override NT: u32 = 4;
override RT: u32 = 4;
override RM: u32 = 4;

// The staged variant's shape (see above): words of dx, row groups, rows per thread (at most MAX_SM), threads
// sharing a block's reduction, quads of N per chunk.
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

@group(0) @binding(0) var<storage, read_write> dx: array<f32>; // [M, K]
@group(0) @binding(1) var<storage, read> dy: array<f32>; // [M, N]
@group(0) @binding(2) var<storage, read> q: array<u32>; // [N, K4] packed int8
@group(0) @binding(3) var<storage, read> scale: array<f32>; // [N]
@group(0) @binding(4) var<uniform> dims: Dims;
// The same buffers as vec4s, for the vec4 variant only (K and N multiples of 4; an entry point binds one view).
@group(0) @binding(0) var<storage, read_write> dx4: array<vec4<f32>>; // [M, K4]
@group(0) @binding(1) var<storage, read> dy4: array<vec4<f32>>; // [M, N / 4]
@group(0) @binding(3) var<storage, read> scale4: array<vec4<f32>>; // [N / 4]

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

// Writes dx[m, 4kw .. 4kw + 3], dropping the columns past K.
fn store(m: u32, kw: u32, v: vec4<f32>) {
  let k = 4u * kw;
  for (var j = 0u; j < 4u; j++) {
    if (k + j < dims.K) {
      dx[m * dims.K + k + j] = v[j];
    }
  }
}

@compute @workgroup_size(WG_X, WG_Y)
fn naive(@builtin(global_invocation_id) g: vec3<u32>) {
  let kw = g.x;
  let m = g.y;
  if (kw >= dims.K4 || m >= dims.M) {
    return;
  }
  var acc = vec4<f32>(0.0);
  for (var n = 0u; n < dims.N; n++) {
    acc += (dy[m * dims.N + n] * scale[n]) * unpack(q[n * dims.K4 + kw]);
  }
  store(m, kw, acc);
}

var<workgroup> gs: array<f32, TM * TN>; // [TM, TN]: dy * scale
var<workgroup> ws: array<u32, TN * TW>; // [TN, TW]: packed weight words

@compute @workgroup_size(WG_X, WG_Y)
fn tiled(@builtin(local_invocation_id) l: vec3<u32>, @builtin(workgroup_id) wg: vec3<u32>) {
  let row0 = wg.y * TM;
  let word0 = wg.x * TW;
  let tid = l.y * WG_X + l.x;
  let threads = WG_X * WG_Y;
  // accJ[i]: row ty + i * WG_Y, word tx + J * WG_X (four outputs each)
  var acc0: array<vec4<f32>, REG>;
  var acc1: array<vec4<f32>, REG>;
  var acc2: array<vec4<f32>, REG>;
  var acc3: array<vec4<f32>, REG>;
  for (var n0 = 0u; n0 < dims.N; n0 += TN) {
    for (var e = tid; e < TM * TN; e += threads) {
      let m = row0 + e / TN;
      let n = n0 + e % TN;
      var v = 0.0;
      if (m < dims.M && n < dims.N) {
        v = dy[m * dims.N + n] * scale[n];
      }
      gs[e] = v;
    }
    for (var e = tid; e < TN * TW; e += threads) {
      let n = n0 + e / TW;
      let kw = word0 + e % TW;
      ws[e] = qWord(n, kw);
    }
    workgroupBarrier();
    for (var c = 0u; c < TN; c++) {
      // The REG words unpacked into named registers (not an indexed array, which compilers may spill).
      let w0 = unpack(ws[c * TW + l.x]);
      let w1 = unpack(ws[c * TW + l.x + WG_X]);
      let w2 = unpack(ws[c * TW + l.x + 2u * WG_X]);
      let w3 = unpack(ws[c * TW + l.x + 3u * WG_X]);
      for (var i = 0u; i < REG; i++) {
        let gv = gs[(l.y + i * WG_Y) * TN + c];
        acc0[i] += gv * w0;
        acc1[i] += gv * w1;
        acc2[i] += gv * w2;
        acc3[i] += gv * w3;
      }
    }
    workgroupBarrier();
  }
  for (var i = 0u; i < REG; i++) {
    let m = row0 + l.y + i * WG_Y;
    if (m < dims.M) {
      let kw = word0 + l.x;
      if (kw < dims.K4) {
        store(m, kw, acc0[i]);
      }
      if (kw + WG_X < dims.K4) {
        store(m, kw + WG_X, acc1[i]);
      }
      if (kw + 2u * WG_X < dims.K4) {
        store(m, kw + 2u * WG_X, acc2[i]);
      }
      if (kw + 3u * WG_X < dims.K4) {
        store(m, kw + 3u * WG_X, acc3[i]);
      }
    }
  }
}

var<workgroup> gs4: array<vec4<f32>, TN * WG_Y>; // [TN, TM] as [TN, WG_Y] vec4s: dy * scale, transposed
var<workgroup> ws1: array<u32, TN * WG_X>; // [TN, WG_X]: packed weight words

@compute @workgroup_size(WG_X, WG_Y)
fn tiled_vec4(@builtin(local_invocation_id) l: vec3<u32>, @builtin(workgroup_id) wg: vec3<u32>) {
  let row0 = wg.y * TM;
  let word0 = wg.x * WG_X;
  let tid = l.y * WG_X + l.x;
  let threads = WG_X * WG_Y;
  let n4 = dims.N / 4u;
  let tn4 = TN / 4u;
  var acc: array<vec4<f32>, REG>; // acc[i]: row row0 + REG * ty + i, columns 4 (word0 + tx) .. + 3
  for (var n0 = 0u; n0 < dims.N; n0 += TN) {
    // A thread reads one vec4 of dy along n for each of REG consecutive rows and writes whole vec4s of the transpose
    // (threads writing components of one vector race where a component store is a read-modify-write: Metal, D3D).
    for (var e = tid; e < WG_Y * tn4; e += threads) {
      let rq = e / tn4; // rows row0 + REG rq .. + REG - 1
      let nl = REG * (e % tn4);
      let nq = (n0 + nl) / 4u;
      var g: mat4x4<f32>; // column i: row REG rq + i's dy * scale at n0 + nl .. + 3
      for (var i = 0u; i < REG; i++) {
        let m = row0 + REG * rq + i;
        if (m < dims.M && nq < n4) {
          g[i] = dy4[m * n4 + nq] * scale4[nq];
        }
      }
      let t = transpose(g);
      for (var j = 0u; j < REG; j++) {
        gs4[(nl + j) * WG_Y + rq] = t[j];
      }
    }
    for (var e = tid; e < TN * WG_X; e += threads) {
      let n = n0 + e / WG_X;
      let kw = word0 + e % WG_X;
      ws1[e] = qWord(n, kw);
    }
    workgroupBarrier();
    for (var c = 0u; c < TN; c++) {
      let w = unpack(ws1[c * WG_X + l.x]);
      let g = gs4[c * WG_Y + l.y];
      acc[0] += g.x * w;
      acc[1] += g.y * w;
      acc[2] += g.z * w;
      acc[3] += g.w * w;
    }
    workgroupBarrier();
  }
  let kw = word0 + l.x;
  if (kw >= dims.K4) {
    return;
  }
  for (var i = 0u; i < REG; i++) {
    let m = row0 + REG * l.y + i;
    if (m < dims.M) {
      dx4[m * dims.K4 + kw] = acc[i];
    }
  }
}

var<workgroup> partial: array<vec4<f32>, CT * NT * RT>; // one row's partial sums, per thread

@compute @workgroup_size(CT * NT * RT)
fn split_n(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wg: vec3<u32>) {
  let ct = lid % CT;
  let nt = (lid / CT) % NT;
  let rt = lid / (CT * NT);
  let n4 = dims.N / 4u;
  let kw = wg.x * CT + ct; // this thread's word: columns 4kw .. 4kw + 3 of dx
  let row0 = (wg.y * RT + rt) * RM;
  var acc: array<vec4<f32>, REG>; // acc[i]: row row0 + i, this thread's share of n
  if (kw < dims.K4) {
    for (var nq = nt; nq < n4; nq += NT) {
      let base = 4u * nq * dims.K4 + kw;
      // Column j of wm is weight row n = 4nq + j at k = 4kw .. 4kw + 3: wm * g sums the four rows.
      let wm = mat4x4<f32>(unpack(q[base]), unpack(q[base + dims.K4]), unpack(q[base + 2u * dims.K4]), unpack(q[base + 3u * dims.K4]));
      let s = scale4[nq];
      for (var i = 0u; i < RM; i++) {
        let m = row0 + i;
        if (m < dims.M) {
          acc[i] += wm * (dy4[m * n4 + nq] * s);
        }
      }
    }
  }
  for (var i = 0u; i < RM; i++) {
    partial[lid] = acc[i];
    workgroupBarrier();
    for (var step = NT / 2u; step > 0u; step /= 2u) {
      if (nt < step) {
        partial[lid] += partial[lid + step * CT];
      }
      workgroupBarrier();
    }
    let m = row0 + i;
    if (nt == 0u && kw < dims.K4 && m < dims.M) {
      dx4[m * dims.K4 + kw] = partial[lid];
    }
    workgroupBarrier();
  }
}

var<workgroup> sg: array<vec4<f32>, SG * SM * SQ>; // [SG * SM rows, SQ]: a chunk of dy * scale
var<workgroup> sw: array<vec4<f32>, 4u * SQ * SC>; // [4 SQ rows n, SC words]: the chunk of q, unpacked
var<workgroup> sred: array<vec4<f32>, SC * SG * (SS - 1u) + 1u>; // one row's sums from the threads past the first of SS

@compute @workgroup_size(SC * SG * SS)
fn staged(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wg: vec3<u32>) {
  let threads = SC * SG * SS;
  let block = lid % (SC * SG);
  let cx = lid % SC; // word word0 + cx: columns 4 (word0 + cx) .. + 3 of dx
  let gy = block / SC; // rows row0 + gy * SM + i, i < SM
  let ks = lid / (SC * SG); // quads ks, ks + SS, ... of each chunk
  let rows = SG * SM;
  let row0 = wg.y * rows;
  let word0 = wg.x * SC;
  let n4 = dims.N / 4u;
  var acc: array<vec4<f32>, MAX_SM>;
  for (var nq0 = 0u; nq0 < n4; nq0 += SQ) {
    for (var e = lid; e < rows * SQ; e += threads) {
      let m = row0 + e / SQ;
      let nq = nq0 + e % SQ;
      var g = vec4<f32>(0.0);
      if (m < dims.M && nq < n4) {
        g = dy4[m * n4 + nq] * scale4[nq];
      }
      sg[e] = g;
    }
    // Consecutive threads read consecutive words of one weight row.
    for (var e = lid; e < 4u * SQ * SC; e += threads) {
      sw[e] = unpack(qWord(4u * nq0 + e / SC, word0 + e % SC));
    }
    workgroupBarrier();
    for (var c = ks; c < SQ; c += SS) {
      let at = 4u * c * SC + cx;
      let w0 = sw[at];
      let w1 = sw[at + SC];
      let w2 = sw[at + 2u * SC];
      let w3 = sw[at + 3u * SC];
      for (var i = 0u; i < SM; i++) {
        let g = sg[(gy * SM + i) * SQ + c];
        acc[i] += g.x * w0 + g.y * w1 + g.z * w2 + g.w * w3;
      }
    }
    workgroupBarrier();
  }
  let kw = word0 + cx;
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
    if (ks == 0u && kw < dims.K4 && m < dims.M) {
      dx4[m * dims.K4 + kw] = v;
    }
  }
}
