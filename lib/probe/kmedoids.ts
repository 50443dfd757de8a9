/**
 * k-medoids clustering on a precomputed distance matrix (the "alternate" / Voronoi-iteration
 * algorithm: assign every point to its nearest medoid, move each medoid to the member minimising the
 * summed distance to its cluster, repeat), seeded by k-means++ (D² sampling) with several restarts,
 * keeping the lowest cost. Medoids are real images, which is what a person can be asked to label.
 */
import { Rng } from "../util/rng";

/** Settings of {@link kMedoids}. */
export interface KMedoidsConfig {
  /** Seed of the k-means++ starts. Default 0. */
  seed?: number;
  /** Independent starts; the lowest-cost result is kept. Default 8. */
  restarts?: number;
  /** Alternate iterations per start (stops earlier when the medoids do not move). Default 50. */
  maxIterations?: number;
  /** Non-negative weight of every point in the cost (default all 1). */
  weights?: ArrayLike<number>;
}

/** A clustering: `medoids[c]` is the point index of cluster c's medoid; `assign[i]` the cluster of point i. */
export interface KMedoidsResult {
  medoids: number[];
  assign: Int32Array;
  /** Σ_i w_i · d(i, medoid of i). */
  cost: number;
  /** Summed weight of every cluster. */
  sizes: number[];
}

/** Weighted k-means++ seeding on distances: k distinct point indices. */
function plusPlus(Dm: Float64Array, n: number, k: number, w: ArrayLike<number>, rng: Rng): number[] {
  const pickWeighted = (score: Float64Array): number => {
    let total = 0;
    for (let i = 0; i < n; i++) total += score[i];
    if (!(total > 0)) { // all remaining points coincide with a medoid: take any unpicked one
      const free: number[] = [];
      for (let i = 0; i < n; i++) if (!chosen.has(i)) free.push(i);
      return free[rng.int(free.length)];
    }
    let r = rng.next() * total;
    for (let i = 0; i < n; i++) { r -= score[i]; if (r < 0 && score[i] > 0) return i; }
    for (let i = n - 1; i >= 0; i--) if (score[i] > 0) return i;
    return 0;
  };
  const chosen = new Set<number>();
  const score = new Float64Array(n);
  for (let i = 0; i < n; i++) score[i] = w[i];
  const first = pickWeighted(score);
  const medoids = [first];
  chosen.add(first);
  const near = new Float64Array(n);
  for (let i = 0; i < n; i++) near[i] = Dm[first * n + i];
  while (medoids.length < k) {
    for (let i = 0; i < n; i++) score[i] = chosen.has(i) ? 0 : w[i] * near[i] * near[i];
    const m = pickWeighted(score);
    medoids.push(m); chosen.add(m);
    for (let i = 0; i < n; i++) near[i] = Math.min(near[i], Dm[m * n + i]);
  }
  return medoids;
}

/** Nearest medoid of every point (ties to the lower cluster index; a medoid always belongs to its own cluster). */
function assignAll(Dm: Float64Array, n: number, medoids: number[], assign: Int32Array, w: ArrayLike<number>): number {
  let cost = 0;
  for (let i = 0; i < n; i++) {
    let best = 0, bd = Infinity;
    for (let c = 0; c < medoids.length; c++) {
      const d = medoids[c] === i ? -1 : Dm[medoids[c] * n + i];
      if (d < bd) { bd = d; best = c; }
    }
    assign[i] = best;
    cost += w[i] * Math.max(bd, 0);
  }
  return cost;
}

/**
 * Cluster n points (distance matrix `Dm`, n × n row-major, symmetric, zero diagonal) into k clusters.
 * Deterministic for a seed. Throws when k is not an integer in [1, n].
 */
export function kMedoids(Dm: Float64Array, n: number, k: number, cfg: KMedoidsConfig = {}): KMedoidsResult {
  if (!(Number.isInteger(k) && k >= 1 && k <= n)) throw new Error(`kMedoids: k must be an integer in [1, ${n}], got ${k}`);
  if (Dm.length !== n * n) throw new Error(`kMedoids: distance matrix has ${Dm.length} entries, expected ${n}² = ${n * n}`);
  const w = cfg.weights ?? new Float64Array(n).fill(1);
  if (w.length !== n) throw new Error(`kMedoids: ${w.length} weights for ${n} points`);
  const rng = new Rng(cfg.seed ?? 0).fork("kmedoids");
  let best: KMedoidsResult | null = null;
  for (let r = 0; r < (cfg.restarts ?? 8); r++) {
    const medoids = plusPlus(Dm, n, k, w, rng.fork(r));
    const assign = new Int32Array(n);
    let cost = assignAll(Dm, n, medoids, assign, w);
    for (let it = 0; it < (cfg.maxIterations ?? 50); it++) {
      let moved = false;
      const members: number[][] = medoids.map(() => []);
      for (let i = 0; i < n; i++) members[assign[i]].push(i);
      members.forEach((ms, c) => {
        let bm = medoids[c], bs = Infinity;
        for (const m of [medoids[c], ...ms.filter((q) => q !== medoids[c])]) {
          let s = 0;
          for (const i of ms) s += w[i] * Dm[m * n + i];
          // Move only on a real improvement (ties keep the current medoid, so the loop ends).
          if (bs === Infinity || s < bs - 1e-12 * Math.max(1, Math.abs(bs))) { bs = s; bm = m; }
        }
        if (bm !== medoids[c]) { medoids[c] = bm; moved = true; }
      });
      if (!moved) break;
      cost = assignAll(Dm, n, medoids, assign, w);
    }
    if (!best || cost < best.cost - 1e-12) {
      const sizes = new Array(k).fill(0);
      for (let i = 0; i < n; i++) sizes[assign[i]] += w[i];
      best = { medoids: medoids.slice(), assign, cost, sizes };
    }
  }
  return best as KMedoidsResult;
}
