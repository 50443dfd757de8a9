import type { Mask } from "../image/mask";

/**
 * DBSCAN that gives scikit-learn's labels exactly (`sklearn.cluster.DBSCAN(eps, min_samples)`, Euclidean).
 *
 * sklearn's rule, which this reproduces:
 * - the eps-neighbourhood of a point includes the point itself and every point at distance ≤ eps;
 * - a point is core when its neighbourhood has ≥ min_samples points;
 * - clusters are grown from core points in index order, so cluster k is the one whose lowest-index
 *   core point comes k-th; every core point reachable through core–core links joins it;
 * - a non-core point within eps of a core point (a border point) takes the label of the first
 *   cluster whose expansion reaches it, i.e. the lowest-numbered cluster among its core neighbours
 *   (clusters are expanded one after another, never interleaved);
 * - everything else is noise, label -1.
 * Labels are therefore identical to sklearn's, not just equal up to renaming.
 *
 * Neighbours are found with a uniform grid of cell size eps (3×3 cells per query), so the cost is
 * O(n · points per cell), not O(n²). Porting note: sklearn builds a full neighbourhood list first;
 * here core–core links go into a union–find instead, which gives the same partition.
 */
export interface DbscanOptions {
  /** Neighbourhood radius (same units as the coordinates). Default 2, as in the paper. */
  eps?: number;
  /** Minimum neighbourhood size, the point itself included. Default 2, as in the paper. */
  minSamples?: number;
}

/** Labels per point (-1 = noise), core flags, and the number of clusters. */
export interface DbscanResult {
  /** Cluster label per point, 0..nClusters-1, or -1 for noise. */
  labels: Int32Array;
  /** 1 where the point is a core point. */
  isCore: Uint8Array;
  /** Number of clusters. */
  nClusters: number;
}

function checkOpts(fn: string, opts: DbscanOptions): { eps: number; minSamples: number } {
  const eps = opts.eps ?? 2;
  const minSamples = opts.minSamples ?? 2;
  if (!(eps > 0 && Number.isFinite(eps))) throw new Error(`${fn}: eps must be a positive number, got ${eps}`);
  if (!(Number.isInteger(minSamples) && minSamples >= 1)) throw new Error(`${fn}: minSamples must be an integer >= 1, got ${minSamples}`);
  return { eps, minSamples };
}

function find(parent: Int32Array, i: number): number {
  while (parent[i] !== i) {
    parent[i] = parent[parent[i]];
    i = parent[i];
  }
  return i;
}

function union(parent: Int32Array, a: number, b: number): void {
  const ra = find(parent, a), rb = find(parent, b);
  if (ra === rb) return;
  // Keep the lower index as root so roots are stable (not needed for correctness).
  if (ra < rb) parent[rb] = ra;
  else parent[ra] = rb;
}

/**
 * Shared second half: given a neighbour iterator, core flags → clusters and border labels.
 * `forEachNeighbour(i, f)` must call f(j) for every j ≠ i within eps of i.
 */
function assemble(n: number, isCore: Uint8Array, forEachNeighbour: (i: number, f: (j: number) => void) => void): DbscanResult {
  const parent = new Int32Array(n);
  for (let i = 0; i < n; i++) parent[i] = i;
  for (let i = 0; i < n; i++) {
    if (!isCore[i]) continue;
    forEachNeighbour(i, (j) => { if (j > i && isCore[j]) union(parent, i, j); });
  }
  const labels = new Int32Array(n).fill(-1);
  const rootLabel = new Int32Array(n).fill(-1);
  let nClusters = 0;
  for (let i = 0; i < n; i++) {
    if (!isCore[i]) continue;
    const r = find(parent, i);
    if (rootLabel[r] < 0) rootLabel[r] = nClusters++;
    labels[i] = rootLabel[r];
  }
  for (let i = 0; i < n; i++) {
    if (isCore[i]) continue;
    let best = -1;
    forEachNeighbour(i, (j) => {
      if (isCore[j] && (best < 0 || labels[j] < best)) best = labels[j];
    });
    labels[i] = best;
  }
  return { labels, isCore, nClusters };
}

/**
 * DBSCAN over 2-D points `(xs[i], ys[i])`. Throws when the arrays differ in length or options are invalid.
 */
export function dbscan(xs: ArrayLike<number>, ys: ArrayLike<number>, opts: DbscanOptions = {}): DbscanResult {
  const { eps, minSamples } = checkOpts("dbscan", opts);
  const n = xs.length;
  if (ys.length !== n) throw new Error(`dbscan: xs has ${n} values but ys has ${ys.length}`);
  if (n === 0) return { labels: new Int32Array(0), isCore: new Uint8Array(0), nClusters: 0 };
  // Grid of cell size eps: neighbours of a point lie in its own or the 8 surrounding cells.
  let minX = Infinity, minY = Infinity;
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(xs[i]) || !Number.isFinite(ys[i])) throw new Error(`dbscan: point ${i} is not finite (${xs[i]}, ${ys[i]})`);
    if (xs[i] < minX) minX = xs[i];
    if (ys[i] < minY) minY = ys[i];
  }
  const cx = new Int32Array(n), cy = new Int32Array(n);
  const cells = new Map<number, number[]>();
  // Cell keys: cy * STRIDE + cx with a stride large enough for any realistic extent.
  const STRIDE = 1 << 26;
  for (let i = 0; i < n; i++) {
    cx[i] = Math.floor((xs[i] - minX) / eps);
    cy[i] = Math.floor((ys[i] - minY) / eps);
    if (cx[i] >= STRIDE) throw new Error(`dbscan: point spread too large for eps=${eps}`);
    const key = cy[i] * STRIDE + cx[i];
    let c = cells.get(key);
    if (!c) cells.set(key, (c = []));
    c.push(i);
  }
  const forEachNeighbour = (i: number, f: (j: number) => void): void => {
    const x = xs[i], y = ys[i];
    for (let dy = -1; dy <= 1; dy++) {
      for (let dx = -1; dx <= 1; dx++) {
        const c = cells.get((cy[i] + dy) * STRIDE + (cx[i] + dx));
        if (!c) continue;
        for (const j of c) {
          if (j === i) continue;
          const ex = xs[j] - x, ey = ys[j] - y;
          // Same comparison as sklearn's radius query: Euclidean distance ≤ eps.
          if (Math.sqrt(ex * ex + ey * ey) <= eps) f(j);
        }
      }
    }
  };
  const isCore = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    let count = 1;
    forEachNeighbour(i, () => { count++; });
    isCore[i] = count >= minSamples ? 1 : 0;
  }
  return assemble(n, isCore, forEachNeighbour);
}

/** DBSCAN over a mask's foreground pixels, with the points in `np.argwhere(mask)` order. */
export interface MaskDbscanResult extends DbscanResult {
  /** Row (y) of each point, row-major order as `np.argwhere`. */
  rows: Int32Array;
  /** Column (x) of each point. */
  cols: Int32Array;
}

/**
 * DBSCAN over the foreground pixel coordinates of a mask, points ordered as `np.argwhere(mask)`
 * (row-major), so labels match `DBSCAN(eps, min_samples).fit(np.argwhere(mask)).labels_` exactly.
 * Uses a fixed stencil of pixel offsets with dx²+dy² ≤ eps² (12 offsets for eps = 2): O(pixels).
 */
export function dbscanMask(mask: Mask, opts: DbscanOptions = {}): MaskDbscanResult {
  const { eps, minSamples } = checkOpts("dbscanMask", opts);
  const { width: w, height: h, data } = mask;
  const index = new Int32Array(w * h).fill(-1);
  let n = 0;
  for (let p = 0; p < data.length; p++) if (data[p]) index[p] = n++;
  const rows = new Int32Array(n), cols = new Int32Array(n);
  for (let p = 0, k = 0; p < data.length; p++) if (data[p]) { rows[k] = (p / w) | 0; cols[k] = p % w; k++; }
  const r = Math.floor(eps);
  const offs: Array<[number, number]> = [];
  for (let dy = -r; dy <= r; dy++) for (let dx = -r; dx <= r; dx++) {
    if ((dx !== 0 || dy !== 0) && Math.sqrt(dx * dx + dy * dy) <= eps) offs.push([dx, dy]);
  }
  const forEachNeighbour = (i: number, f: (j: number) => void): void => {
    const y = rows[i], x = cols[i];
    for (const [dx, dy] of offs) {
      const xx = x + dx, yy = y + dy;
      if (xx < 0 || yy < 0 || xx >= w || yy >= h) continue;
      const j = index[yy * w + xx];
      if (j >= 0) f(j);
    }
  };
  const isCore = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    let count = 1;
    forEachNeighbour(i, () => { count++; });
    isCore[i] = count >= minSamples ? 1 : 0;
  }
  return { ...assemble(n, isCore, forEachNeighbour), rows, cols };
}
