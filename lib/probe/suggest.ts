/**
 * Which images to label first. Without labels: a coverage pick — the pool's features are standardised
 * and projected onto their top principal components (lib/probe/pca_space), clustered into `budget`
 * groups by k-medoids, and one representative per group is returned, largest group first. A random
 * pick of a few images often misses a whole class (or a rare look of one); one image per feature
 * cluster does not, which is where the accuracy at tiny budgets comes from.
 *
 * With labels so far (an active-learning round): the logistic head (lib/probe/logistic) is fitted on
 * the labelled rows; the pool's most uncertain images (smallest margin between the two likeliest
 * classes) are the candidates, and they are clustered (k-medoids weighted by uncertainty) so the
 * round's picks are uncertain AND different from one another, not ten copies of one confusing image.
 *
 * Pure: it never looks at labels of the pool.
 */
import type { FeatureMatrix } from "../linalg/matrix";
import { pcaSpace, distanceMatrix } from "./pca_space";
import { kMedoids } from "./kmedoids";
import { fitLogistic, logisticProba } from "./logistic";

/** One suggested image: a row of X, why it was picked, and a method-specific score (higher = more useful). */
export interface SuggestedRow {
  row: number;
  reason: string;
  score?: number;
}

/** How the coverage pick chooses a representative of each cluster. */
export type CoverageMethod = "medoid" | "typical" | "kcenter";

/** Settings of {@link suggestRows}. */
export interface SuggestOptions {
  /** Seed of PCA, clustering starts and CV folds. */
  seed: number;
  /** Rows already labelled (not in `pool`) and their labels in [0, K): turns on the active-learning round. */
  labelled?: { rows: number[]; labels: number[] };
  /** Number of classes of `labelled.labels` (default: max label + 1). */
  K?: number;
  /** Coverage pick without labels: "medoid" (default; k-medoids medoid of each cluster), "typical"
   *  (densest member of each k-medoids cluster) or "kcenter" (density-weighted farthest-point). */
  method?: CoverageMethod;
  /**
   * Principal components of the distance space (default {@link SUGGEST_DIMS} = 8: measured best on
   * EMPS and both synthetic sets with the honest head, README "Which images to label first").
   */
  dims?: number;
  /** Whiten the components (default false). */
  whiten?: boolean;
  /** Class names for the reasons (default "class <index>"). */
  classNames?: string[];
  /** Active learning: the uncertainty round starts once every one of the K classes has this many labels;
   *  before that, a coverage round (clusters without a labelled image). Default 3 (measured, README). */
  activeFrom?: number;
  /** Active learning: uncertain candidates per pick (default 5; the candidates are the top budget·this by margin). */
  candidatesPerPick?: number;
}

/** Check a pool and budget, naming the bad value. */
function checkInput(X: FeatureMatrix, pool: number[], budget: number): void {
  if (pool.length === 0) throw new Error("suggestRows: the pool is empty (no unlabelled images to choose from)");
  if (!(Number.isInteger(budget) && budget >= 1)) throw new Error(`suggestRows: budget must be a positive integer, got ${budget}`);
  if (budget > pool.length) throw new Error(`suggestRows: budget ${budget} is larger than the pool of ${pool.length} images; ask for at most ${pool.length}`);
  const seen = new Set<number>();
  for (const r of pool) {
    if (!(Number.isInteger(r) && r >= 0 && r < X.rows)) throw new Error(`suggestRows: pool row ${r} is not in [0, ${X.rows})`);
    if (seen.has(r)) throw new Error(`suggestRows: pool row ${r} is listed twice`);
    seen.add(r);
  }
}

/** Typicality of every point: 1 / mean distance to its m nearest other points among `members` (m = min(20, |members|−1)). */
function typicality(Dm: Float64Array, n: number, members: number[]): Map<number, number> {
  const m = Math.min(20, members.length - 1);
  const out = new Map<number, number>();
  for (const i of members) {
    if (m <= 0) { out.set(i, 1); continue; }
    const ds = members.filter((j) => j !== i).map((j) => Dm[i * n + j]).sort((a, b) => a - b);
    let s = 0;
    for (let t = 0; t < m; t++) s += ds[t];
    out.set(i, 1 / (s / m + 1e-12));
  }
  return out;
}

/** Coverage pick (no labels) over `n` points with distances `Dm`: local indices with reasons. */
function coveragePick(Dm: Float64Array, n: number, budget: number, method: CoverageMethod, seed: number): { local: number; reason: string; score: number }[] {
  if (method === "kcenter") {
    // Density-weighted farthest point: start at the densest point; then maximise density × distance to the picks.
    const all = Array.from({ length: n }, (_, i) => i);
    const dens = typicality(Dm, n, all);
    let maxDens = 0;
    for (const v of dens.values()) maxDens = Math.max(maxDens, v);
    const picks: { local: number; reason: string; score: number }[] = [];
    const near = new Float64Array(n).fill(Infinity);
    for (let k = 0; k < budget; k++) {
      let best = -1, bs = -Infinity;
      for (let i = 0; i < n; i++) {
        if (near[i] === 0 && k > 0) continue;
        const s = (dens.get(i) as number) / maxDens * (k === 0 ? 1 : near[i]);
        if (s > bs && !picks.some((p) => p.local === i)) { bs = s; best = i; }
      }
      picks.push({ local: best, score: bs, reason: k === 0 ? "densest image of the pool (most typical)" : `farthest from the ${k} image(s) picked before it, weighted by density` });
      for (let i = 0; i < n; i++) near[i] = Math.min(near[i], Dm[best * n + i]);
      near[best] = 0;
    }
    return picks;
  }
  const km = kMedoids(Dm, n, budget, { seed });
  const order = km.sizes.map((s, c) => c).sort((a, b) => km.sizes[b] - km.sizes[a] || km.medoids[a] - km.medoids[b]);
  return order.map((c, rank) => {
    const members: number[] = [];
    for (let i = 0; i < n; i++) if (km.assign[i] === c) members.push(i);
    let local = km.medoids[c];
    if (method === "typical") {
      const t = typicality(Dm, n, members);
      let bt = -Infinity;
      for (const i of members) if ((t.get(i) as number) > bt) { bt = t.get(i) as number; local = i; }
    }
    const share = Math.round((100 * members.length) / n);
    return {
      local, score: members.length / n,
      reason: `${method === "typical" ? "most typical image" : "medoid"} of feature cluster ${rank + 1} of ${budget} (${members.length} images, ${share}% of the pool)`,
    };
  });
}

/** Default principal components of the suggestion space (see SuggestOptions.dims). */
export const SUGGEST_DIMS = 8;

/**
 * The `budget` rows of `pool` a person should label first, most useful first. Without
 * `opts.labelled`, a coverage pick (see the module comment); with it, an active-learning round
 * (uncertain and diverse given the labels so far) once every class has `activeFrom` (3) labels;
 * before that, the coverage pick over the pool and the labelled rows, keeping clusters without a labelled image.
 * Never reads labels of the pool. Deterministic for a seed.
 * Throws when the pool is empty, budget is not an integer in [1, pool.length], or a row is invalid.
 */
export function suggestRows(X: FeatureMatrix, pool: number[], budget: number, opts: SuggestOptions): SuggestedRow[] {
  checkInput(X, pool, budget);
  const seed = opts.seed;
  const method = opts.method ?? "medoid";
  const dims = opts.dims ?? SUGGEST_DIMS;
  const lab = opts.labelled;
  if (!lab || lab.rows.length === 0) {
    const space = pcaSpace(X, pool, { dims, whiten: opts.whiten, seed });
    const Dm = distanceMatrix(space);
    return coveragePick(Dm, pool.length, budget, method, seed).map((p) => ({ row: pool[p.local], reason: p.reason, score: p.score }));
  }
  if (lab.rows.length !== lab.labels.length) throw new Error(`suggestRows: ${lab.rows.length} labelled rows but ${lab.labels.length} labels`);
  const inPool = new Set(pool);
  for (const r of lab.rows) if (inPool.has(r)) throw new Error(`suggestRows: labelled row ${r} is also in the pool`);
  const K = opts.K ?? Math.max(...lab.labels) + 1;
  for (const y of lab.labels) if (!(Number.isInteger(y) && y >= 0 && y < K)) throw new Error(`suggestRows: labelled label ${y} is not in [0, ${K})`);
  const classes = new Set(lab.labels);
  const all = [...pool, ...lab.rows];
  const space = pcaSpace(X, all, { dims, whiten: opts.whiten, seed });
  const Dm = distanceMatrix(space);
  const N = all.length, P = pool.length;
  const perClass = new Array(K).fill(0);
  for (const y of lab.labels) perClass[y]++;
  if (classes.size < 2 || Math.min(...perClass) < (opts.activeFrom ?? 3)) {
    // Too few labels for the head's uncertainty to mean much (measured: with 1–2 labels per class an
    // uncertainty round loses to coverage; with 4 per class it wins). Cover the pool and the labelled
    // images with budget + (labelled classes) clusters and ask for the medoids of clusters holding no labelled image.
    const k = Math.min(N, budget + classes.size);
    const km = kMedoids(Dm, N, k, { seed });
    const covered = new Set<number>();
    for (let q = P; q < N; q++) covered.add(km.assign[q]);
    const free = km.sizes.map((s, c) => c).filter((c) => !covered.has(c) && km.medoids[c] < P)
      .sort((a, b) => km.sizes[b] - km.sizes[a] || km.medoids[a] - km.medoids[b]);
    const out: SuggestedRow[] = free.slice(0, budget).map((c) => ({
      row: pool[km.medoids[c]], score: km.sizes[c] / N,
      reason: `medoid of a feature cluster with no labelled image (${km.sizes[c]} images); too few labels per class for an uncertainty round`,
    }));
    // Fill up (rare: clusters shared with labelled images) by distance to everything picked or labelled.
    const near = new Float64Array(N).fill(Infinity);
    const taken = new Set(out.map((o) => pool.indexOf(o.row)));
    for (let q = 0; q < N; q++) if (q >= P || taken.has(q)) for (let i = 0; i < N; i++) near[i] = Math.min(near[i], Dm[q * N + i]);
    while (out.length < budget) {
      let best = -1;
      for (let i = 0; i < P; i++) if (!taken.has(i) && (best < 0 || near[i] > near[best])) best = i;
      taken.add(best);
      out.push({ row: pool[best], score: near[best], reason: "farthest from the labelled and already suggested images" });
      for (let i = 0; i < N; i++) near[i] = Math.min(near[i], Dm[best * N + i]);
    }
    return out;
  }
  return activeRound(X, pool, budget, lab, K, Dm, N, seed, opts.candidatesPerPick ?? 5, opts.classNames);
}

/** Active-learning round: uncertainty by margin, diversity by weighted k-medoids over the uncertain candidates. */
function activeRound(X: FeatureMatrix, pool: number[], budget: number, lab: { rows: number[]; labels: number[] }, K: number,
  Dm: Float64Array, N: number, seed: number, perPick: number, names?: string[]): SuggestedRow[] {
  const name = (c: number): string => names?.[c] ?? `class ${c}`;
  const labels = new Array<number>(X.rows).fill(0);
  lab.rows.forEach((r, i) => { labels[r] = lab.labels[i]; });
  const model = fitLogistic(X, labels, K, lab.rows, { C: "cv", seed });
  const proba = logisticProba(model, X, pool);
  const P = pool.length;
  const margin = new Float64Array(P), top = new Int32Array(P), second = new Int32Array(P);
  for (let i = 0; i < P; i++) {
    let a = 0, b = -1;
    for (let c = 1; c < K; c++) {
      const v = proba[i * K + c];
      if (v > proba[i * K + a]) { b = a; a = c; } else if (b < 0 || v > proba[i * K + b]) b = c;
    }
    if (b < 0) b = a === 0 ? 1 : 0;
    top[i] = a; second[i] = b;
    margin[i] = proba[i * K + a] - proba[i * K + b];
  }
  const m = Math.min(P, Math.max(budget, budget * perPick));
  const cand = Array.from({ length: P }, (_, i) => i).sort((i, j) => margin[i] - margin[j] || i - j).slice(0, m);
  const Dc = new Float64Array(m * m);
  for (let a = 0; a < m; a++) for (let b = 0; b < m; b++) Dc[a * m + b] = Dm[cand[a] * N + cand[b]];
  const w = cand.map((i) => 1 - margin[i] + 1e-6);
  const km = kMedoids(Dc, m, budget, { seed, weights: w });
  const picks = km.medoids.map((loc, c) => {
    const i = cand[loc];
    let members = 0;
    for (let q = 0; q < m; q++) if (km.assign[q] === c) members++;
    const pa = proba[i * K + top[i]], pb = proba[i * K + second[i]];
    return {
      row: pool[i], score: 1 - margin[i],
      reason: `uncertain: the model gives ${name(top[i])} ${pa.toFixed(2)} vs ${name(second[i])} ${pb.toFixed(2)}; ` +
        `represents ${members} of the ${m} most uncertain images`,
    };
  });
  return picks.sort((a, b) => (b.score as number) - (a.score as number) || a.row - b.row);
}
