import { Rng } from "../util/rng";
import { byClass } from "./splits";

/**
 * Stratified k-fold assignment of `rows` (indices into `labels`): within each class the rows are
 * shuffled (seeded) and dealt to folds round-robin, the class's starting fold rotating so fold sizes
 * stay within one of each other. Returns k test folds (sorted); fold i's training rows are the rest.
 * Throws when k < 2 or a class has fewer than k rows.
 */
export function stratifiedKFold(labels: ArrayLike<number>, rows: readonly number[], k: number, seed: number): number[][] {
  if (!(Number.isInteger(k) && k >= 2)) throw new Error(`stratifiedKFold: k must be an integer >= 2, got ${k}`);
  const rng = new Rng(seed).fork("kfold");
  const folds: number[][] = Array.from({ length: k }, () => []);
  let start = 0;
  byClass(rows.map((i) => labels[i])).forEach((local, c) => {
    if (local.length === 0) return;
    if (local.length < k) throw new Error(`stratifiedKFold: class ${c} has ${local.length} rows, fewer than k = ${k}`);
    rng.fork(c).shuffle(local.slice()).forEach((j, t) => folds[(start + t) % k].push(rows[j]));
    start = (start + local.length) % k;
  });
  return folds.map((f) => f.sort((a, b) => a - b));
}
