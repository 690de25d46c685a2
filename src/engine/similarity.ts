/**
 * Small dense helpers for embeddings that come back from the encoder: flattening rows for transfer, and the
 * cosine similarity matrix the "try the encoder" panel shows. Plain loops: n is a handful of texts.
 */

/** Packs `rows` (each of length `dim`) into one row-major buffer [rows.length * dim]. */
export function flattenRows(rows: readonly Float32Array[], dim: number): Float32Array {
  const out = new Float32Array(rows.length * dim);
  rows.forEach((row, i) => {
    if (row.length !== dim) throw new Error(`flattenRows: row ${i} has ${row.length} values, expected ${dim}`);
    out.set(row, i * dim);
  });
  return out;
}

/** Splits a row-major [count * dim] buffer back into `count` rows (views, no copy). */
export function splitRows(flat: Float32Array, count: number, dim: number): Float32Array[] {
  return Array.from({ length: count }, (_, i) => flat.subarray(i * dim, (i + 1) * dim));
}

/** Cosine similarity of every pair of rows: [n * n], row-major. Rows of zeros score 0 against everything. */
export function cosineSimilarityMatrix(rows: readonly Float32Array[]): Float32Array {
  const n = rows.length;
  const norms = rows.map((r) => Math.sqrt(dot(r, r)));
  const out = new Float32Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      const denom = norms[i] * norms[j];
      const c = denom > 0 ? dot(rows[i], rows[j]) / denom : 0;
      out[i * n + j] = c;
      out[j * n + i] = c;
    }
  }
  return out;
}

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let k = 0; k < a.length; k++) s += a[k] * b[k];
  return s;
}
