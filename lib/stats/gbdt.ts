/**
 * Gradient-boosted decision trees for a binary label (logistic loss), fitted on histogram bins as
 * LightGBM and scikit-learn's `HistGradientBoostingClassifier` do: each column is cut into at most
 * `bins` quantile bins once, and every tree is grown depth-first to `depth` levels by the Newton gain
 *
 *     G_L² / (H_L + λ) + G_R² / (H_R + λ) − G² / (H + λ),   leaf value −G / (H + λ),
 *
 * (G, H: sums of the loss's first and second derivatives over a node's rows), each leaf holding at least
 * `minLeaf` rows; the trees are added with learning rate `lr` to the log-odds of the base rate. For many
 * rows (10^5–10^6) of a few tens of columns, e.g. per-pixel features (lib/particles/pixel_features.ts).
 * Deterministic: no sampling, ties split the first best column and bin.
 */

/** One tree, as parallel arrays over its nodes (node 0 the root). A leaf has `feature` −1. */
export interface GbdtTree {
  /** Column tested at the node, or −1 at a leaf. */
  feature: number[];
  /** A row goes left when its value is ≤ this. */
  threshold: number[];
  /** Children's node indices (−1 at a leaf). */
  left: number[];
  right: number[];
  /** Leaf value (log-odds step before the learning rate); the node's own value at inner nodes. */
  value: number[];
}

/** A fitted model. */
export interface Gbdt {
  /** Number of columns a row has. */
  columns: number;
  /** Log-odds of the training rows' positive rate (clipped to 1 %…99 %), the start of every prediction. */
  base: number;
  /** Learning rate each tree's value is multiplied by. */
  lr: number;
  trees: GbdtTree[];
}

/** Settings of {@link fitGbdt}. Defaults in brackets. */
export interface GbdtOptions {
  /** Number of trees [100]. */
  trees?: number;
  /** Depth of each tree, levels of splits [5]. */
  depth?: number;
  /** Learning rate [0.1]. */
  lr?: number;
  /** Quantile bins per column, 2…256 [48]. */
  bins?: number;
  /** Fewest rows in a leaf [40]. */
  minLeaf?: number;
  /** L2 penalty λ on leaf values [1]. */
  lambda?: number;
  /** Called after each tree with its index and the mean log-loss before it (progress). */
  onTree?: (tree: number, loss: number) => void;
}

/**
 * Fit on `x` (row-major, `columns` values per row) and labels `y` (0/1). Throws on mismatched sizes,
 * non-finite values, labels other than 0/1, a single class, or settings out of range.
 */
export function fitGbdt(x: ArrayLike<number>, y: ArrayLike<number>, columns: number, opts: GbdtOptions = {}): Gbdt {
  const n = y.length;
  const T = opts.trees ?? 100, D = opts.depth ?? 5, lr = opts.lr ?? 0.1, B = opts.bins ?? 48, minLeaf = opts.minLeaf ?? 40, lambda = opts.lambda ?? 1;
  if (!(Number.isInteger(columns) && columns >= 1) || x.length !== n * columns) throw new Error(`fitGbdt: ${x.length} values are not ${n} rows of ${columns} columns`);
  if (!(Number.isInteger(T) && T >= 1 && Number.isInteger(D) && D >= 1 && lr > 0 && Number.isInteger(B) && B >= 2 && B <= 256 && Number.isInteger(minLeaf) && minLeaf >= 1 && lambda >= 0)) {
    throw new Error(`fitGbdt: settings out of range (trees ${T}, depth ${D}, lr ${lr}, bins ${B}, minLeaf ${minLeaf}, lambda ${lambda})`);
  }
  let pos = 0;
  for (let i = 0; i < n; i++) {
    if (y[i] !== 0 && y[i] !== 1) throw new Error(`fitGbdt: label ${y[i]} at row ${i} is not 0 or 1`);
    pos += y[i];
  }
  if (pos === 0 || pos === n) throw new Error(`fitGbdt: all ${n} rows have label ${pos ? 1 : 0}; both classes are needed`);
  for (let i = 0; i < x.length; i++) if (!Number.isFinite(x[i])) throw new Error(`fitGbdt: value ${x[i]} at row ${Math.floor(i / columns)}, column ${i % columns}`);

  // Bin edges per column at its quantiles (distinct values only); bin b holds values in (edge[b−1], edge[b]].
  const edges: Float64Array[] = [];
  const bin = new Uint8Array(n * columns);
  const col = new Float64Array(n);
  for (let f = 0; f < columns; f++) {
    for (let i = 0; i < n; i++) col[i] = x[i * columns + f];
    const sorted = Float64Array.from(col).sort();
    const e: number[] = [];
    for (let b = 1; b < B; b++) {
      const q = sorted[Math.floor((b / B) * (n - 1))];
      if (e.length === 0 || q > e[e.length - 1]) e.push(q);
    }
    edges.push(Float64Array.from(e));
    for (let i = 0; i < n; i++) bin[i * columns + f] = binOf(e, col[i]);
  }

  const p0 = Math.min(0.99, Math.max(0.01, pos / n));
  const base = Math.log(p0 / (1 - p0));
  const F = new Float64Array(n).fill(base);
  const g = new Float64Array(n), h = new Float64Array(n);
  const rows = new Int32Array(n);
  const hg = new Float64Array(256), hh = new Float64Array(256), hc = new Int32Array(256);
  const trees: GbdtTree[] = [];
  for (let t = 0; t < T; t++) {
    let loss = 0;
    for (let i = 0; i < n; i++) {
      const p = 1 / (1 + Math.exp(-F[i]));
      g[i] = p - y[i];
      h[i] = Math.max(1e-12, p * (1 - p));
      loss -= y[i] ? Math.log(Math.max(p, 1e-15)) : Math.log(Math.max(1 - p, 1e-15));
    }
    opts.onTree?.(t, loss / n);
    for (let i = 0; i < n; i++) rows[i] = i;
    const tree: GbdtTree = { feature: [], threshold: [], left: [], right: [], value: [] };
    // Grow the node holding rows[lo, hi) at `level`; returns its index.
    const grow = (lo: number, hi: number, level: number): number => {
      const node = tree.feature.length;
      tree.feature.push(-1); tree.threshold.push(0); tree.left.push(-1); tree.right.push(-1);
      let G = 0, H = 0;
      for (let k = lo; k < hi; k++) { G += g[rows[k]]; H += h[rows[k]]; }
      tree.value.push(-G / (H + lambda));
      if (level >= D || hi - lo < 2 * minLeaf) return node;
      const parent = (G * G) / (H + lambda);
      let best = 1e-12, bestF = -1, bestB = -1;
      for (let f = 0; f < columns; f++) {
        const nb = edges[f].length + 1;
        hg.fill(0, 0, nb); hh.fill(0, 0, nb); hc.fill(0, 0, nb);
        for (let k = lo; k < hi; k++) {
          const i = rows[k], b = bin[i * columns + f];
          hg[b] += g[i]; hh[b] += h[i]; hc[b]++;
        }
        let gl = 0, hl = 0, cl = 0;
        for (let b = 0; b < nb - 1; b++) {
          gl += hg[b]; hl += hh[b]; cl += hc[b];
          if (cl < minLeaf || hi - lo - cl < minLeaf) continue;
          const gr = G - gl, hr = H - hl;
          const gain = (gl * gl) / (hl + lambda) + (gr * gr) / (hr + lambda) - parent;
          if (gain > best) { best = gain; bestF = f; bestB = b; }
        }
      }
      if (bestF < 0) return node;
      // Rows whose bin is ≤ bestB first.
      let i = lo, j = hi - 1;
      while (i <= j) {
        if (bin[rows[i] * columns + bestF] <= bestB) i++;
        else { const r = rows[i]; rows[i] = rows[j]; rows[j] = r; j--; }
      }
      tree.feature[node] = bestF;
      tree.threshold[node] = edges[bestF][bestB];
      tree.left[node] = grow(lo, i, level + 1);
      tree.right[node] = grow(i, hi, level + 1);
      return node;
    };
    grow(0, n, 0);
    trees.push(tree);
    for (let i = 0; i < n; i++) F[i] += lr * treeValue(tree, (f) => x[i * columns + f]);
  }
  return { columns, base, lr, trees };
}

/** Index of the first edge ≥ v (the bin of v), by bisection. */
function binOf(edges: ArrayLike<number>, v: number): number {
  let lo = 0, hi = edges.length;
  while (lo < hi) {
    const m = (lo + hi) >> 1;
    if (v > edges[m]) lo = m + 1; else hi = m;
  }
  return lo;
}

/** The leaf value `tree` gives the row whose column f is `value(f)`. */
export function treeValue(tree: GbdtTree, value: (f: number) => number): number {
  let k = 0;
  while (tree.feature[k] >= 0) k = value(tree.feature[k]) <= tree.threshold[k] ? tree.left[k] : tree.right[k];
  return tree.value[k];
}

/**
 * A model's trees in flat typed arrays (nodes of all trees one after another, children as absolute
 * indices), to score many rows fast.
 */
export interface FlatGbdt {
  columns: number;
  base: number;
  lr: number;
  roots: Int32Array;
  feature: Int32Array;
  threshold: Float64Array;
  left: Int32Array;
  right: Int32Array;
  value: Float64Array;
}

/** `m` flattened (see {@link FlatGbdt}). */
export function flattenGbdt(m: Gbdt): FlatGbdt {
  const total = m.trees.reduce((a, t) => a + t.feature.length, 0);
  const f: FlatGbdt = {
    columns: m.columns, base: m.base, lr: m.lr, roots: new Int32Array(m.trees.length), feature: new Int32Array(total),
    threshold: new Float64Array(total), left: new Int32Array(total), right: new Int32Array(total), value: new Float64Array(total),
  };
  let at = 0;
  m.trees.forEach((t, ti) => {
    f.roots[ti] = at;
    for (let k = 0; k < t.feature.length; k++) {
      f.feature[at + k] = t.feature[k];
      f.threshold[at + k] = t.threshold[k];
      f.left[at + k] = t.left[k] + at;
      f.right[at + k] = t.right[k] + at;
      f.value[at + k] = t.value[k];
    }
    at += t.feature.length;
  });
  return f;
}

/** Each model's trees flattened once, not per call (the loaded model files of lib/particles). */
const flattened = new WeakMap<Gbdt, FlatGbdt>();

/** {@link flattenGbdt} of `m`, computed on the first call for this object and kept while it lives. */
export function flatGbdtOf(m: Gbdt): FlatGbdt {
  let f = flattened.get(m);
  if (!f) flattened.set(m, (f = flattenGbdt(m)));
  return f;
}

/** Probability of label 1 for `row` (`m.columns` values): the logistic of base + lr · Σ of the trees' leaf values. */
export function flatProbability(m: FlatGbdt, row: ArrayLike<number>): number {
  let F = m.base;
  const { feature, threshold, left, right, value, lr } = m;
  for (let t = 0; t < m.roots.length; t++) {
    let k = m.roots[t];
    while (feature[k] >= 0) k = row[feature[k]] <= threshold[k] ? left[k] : right[k];
    F += lr * value[k];
  }
  return 1 / (1 + Math.exp(-F));
}

/**
 * Check a parsed model (e.g. from a JSON file): sizes, node links, finite numbers, `columns` as
 * expected. Throws naming `where` and what is wrong.
 */
export function checkGbdt(o: unknown, columns: number, where: string): Gbdt {
  const m = o as Gbdt;
  const bad = (why: string): never => { throw new Error(`${where}: ${why}`); };
  if (!m || typeof m !== "object" || !Array.isArray(m.trees) || m.trees.length === 0) bad("no trees");
  if (m.columns !== columns) bad(`made for rows of ${m.columns} columns, ${columns} expected`);
  if (!Number.isFinite(m.base) || !(m.lr > 0)) bad("base or learning rate is not a finite number");
  m.trees.forEach((t, ti) => {
    const k = t.feature?.length;
    if (!(k >= 1) || [t.threshold, t.left, t.right, t.value].some((a) => !Array.isArray(a) || a.length !== k)) bad(`tree ${ti}: node arrays of unequal length`);
    for (let i = 0; i < k; i++) {
      if (!Number.isFinite(t.value[i]) || !Number.isFinite(t.threshold[i])) bad(`tree ${ti}, node ${i}: non-finite number`);
      if (t.feature[i] === -1) continue;
      // Children come after their parent (depth-first order), so a walk always ends at a leaf.
      if (!(Number.isInteger(t.feature[i]) && t.feature[i] >= 0 && t.feature[i] < columns)) bad(`tree ${ti}, node ${i}: column ${t.feature[i]}`);
      if (!(t.left[i] > i && t.left[i] < k && t.right[i] > i && t.right[i] < k)) bad(`tree ${ti}, node ${i}: children ${t.left[i]}, ${t.right[i]}`);
    }
  });
  return m;
}
