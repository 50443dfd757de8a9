/**
 * Dense row-major feature matrices in plain typed arrays: what the linear probe, the sweeps and
 * t-SNE work on (no tensors: these are small and the fits are many).
 */

/** A dense row-major matrix of `rows` × `cols` float32 values (row i = one image's features). */
export interface FeatureMatrix {
  /** Row-major values; float64 is accepted too (the sweep converts once for speed). */
  readonly data: Float32Array | Float64Array;
  readonly rows: number;
  readonly cols: number;
}

/** Wrap a flat array as a FeatureMatrix, checking the length. Throws when data.length ≠ rows·cols. */
export function featureMatrix(data: Float32Array | number[], rows: number, cols: number): FeatureMatrix {
  const arr = data instanceof Float32Array ? data : Float32Array.from(data);
  if (arr.length !== rows * cols) {
    throw new Error(`featureMatrix: data has ${arr.length} values, expected rows·cols = ${rows}·${cols} = ${rows * cols}`);
  }
  return { data: arr, rows, cols };
}

/** Build a FeatureMatrix from an array of equal-length rows. Throws on ragged rows or no rows. */
export function fromRows(rows: ArrayLike<number>[]): FeatureMatrix {
  if (rows.length === 0) throw new Error("fromRows: no rows");
  const cols = rows[0].length;
  const out = new Float32Array(rows.length * cols);
  rows.forEach((r, i) => {
    if (r.length !== cols) throw new Error(`fromRows: row ${i} has ${r.length} values, row 0 has ${cols}`);
    out.set(r as ArrayLike<number>, i * cols);
  });
  return { data: out, rows: rows.length, cols };
}

/** A new matrix holding the given rows, in that order. Throws on an out-of-range index. */
export function selectRows(m: FeatureMatrix, idx: ArrayLike<number>): FeatureMatrix {
  const out = m.data instanceof Float64Array ? new Float64Array(idx.length * m.cols) : new Float32Array(idx.length * m.cols);
  for (let k = 0; k < idx.length; k++) {
    const i = idx[k];
    if (!(i >= 0 && i < m.rows)) throw new Error(`selectRows: row ${i} out of range [0, ${m.rows})`);
    out.set(m.data.subarray(i * m.cols, (i + 1) * m.cols), k * m.cols);
  }
  return { data: out, rows: idx.length, cols: m.cols };
}

/** Per-column mean and standard deviation (population, std floored at `eps`) over the given rows. */
export interface ColumnStats {
  mean: Float64Array;
  std: Float64Array;
}

/** Column means and stds over `rows` (all rows when omitted); std below `eps` (default 1e-8) becomes 1. */
export function columnStats(m: FeatureMatrix, rows?: ArrayLike<number>, eps = 1e-8): ColumnStats {
  const D = m.cols;
  const mean = new Float64Array(D);
  const sq = new Float64Array(D);
  const n = rows ? rows.length : m.rows;
  if (n === 0) throw new Error("columnStats: no rows");
  for (let k = 0; k < n; k++) {
    const off = (rows ? rows[k] : k) * D;
    for (let d = 0; d < D; d++) mean[d] += m.data[off + d];
  }
  for (let d = 0; d < D; d++) mean[d] /= n;
  for (let k = 0; k < n; k++) {
    const off = (rows ? rows[k] : k) * D;
    for (let d = 0; d < D; d++) { const t = m.data[off + d] - mean[d]; sq[d] += t * t; }
  }
  const std = new Float64Array(D);
  for (let d = 0; d < D; d++) { const s = Math.sqrt(sq[d] / n); std[d] = s < eps ? 1 : s; }
  return { mean, std };
}

/** (x − mean) / std applied to every row: a new matrix. Throws when the stats' length ≠ cols. */
export function standardize(m: FeatureMatrix, s: ColumnStats): FeatureMatrix {
  if (s.mean.length !== m.cols) throw new Error(`standardize: stats for ${s.mean.length} columns, matrix has ${m.cols}`);
  const out = m.data instanceof Float64Array ? new Float64Array(m.data.length) : new Float32Array(m.data.length);
  const D = m.cols;
  for (let i = 0; i < m.rows; i++) {
    const off = i * D;
    for (let d = 0; d < D; d++) out[off + d] = (m.data[off + d] - s.mean[d]) / s.std[d];
  }
  return { data: out, rows: m.rows, cols: D };
}

/** The same matrix with float64 storage (a copy unless it already is float64): faster inner loops in the probe. */
export function toFloat64(m: FeatureMatrix): FeatureMatrix {
  return m.data instanceof Float64Array ? m : { data: Float64Array.from(m.data), rows: m.rows, cols: m.cols };
}
