/**
 * Index bookkeeping for the label-efficiency protocol: stratified train/test splits, n labelled
 * images per class drawn from the training part, and validation carved from the labelled images.
 * All draws are seeded; every function returns sorted row indices.
 */
import { Rng } from "../util/rng";

/** Row indices of a train/test split. */
export interface Split {
  train: number[];
  test: number[];
}

/** Row indices per class: `byClass(labels)[c]` = rows with label c, ascending. */
export function byClass(labels: ArrayLike<number>, numClasses?: number): number[][] {
  let C = numClasses ?? 0;
  for (let i = 0; i < labels.length; i++) C = Math.max(C, labels[i] + 1);
  const out: number[][] = Array.from({ length: C }, () => []);
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i];
    if (!(Number.isInteger(y) && y >= 0)) throw new Error(`byClass: label ${y} of row ${i} is not a non-negative integer`);
    out[y].push(i);
  }
  return out;
}

/**
 * Stratified split: in every class, round(testFraction · count) rows (at least 1 when the class has
 * ≥ 2 rows) go to the test part, chosen by a seeded shuffle. Default testFraction 0.2 (paper: 80/20).
 * Throws when testFraction is not in (0, 1).
 */
export function stratifiedSplit(labels: ArrayLike<number>, seed: number, testFraction = 0.2): Split {
  if (!(testFraction > 0 && testFraction < 1)) throw new Error(`stratifiedSplit: testFraction must be in (0,1), got ${testFraction}`);
  const rng = new Rng(seed).fork("stratified-split");
  const train: number[] = [], test: number[] = [];
  byClass(labels).forEach((rows, c) => {
    const shuffled = rng.fork(c).shuffle(rows.slice());
    let nTest = Math.round(testFraction * rows.length);
    if (rows.length >= 2) nTest = Math.min(rows.length - 1, Math.max(1, nTest));
    test.push(...shuffled.slice(0, nTest));
    train.push(...shuffled.slice(nTest));
  });
  return { train: train.sort((a, b) => a - b), test: test.sort((a, b) => a - b) };
}

/**
 * Draw exactly `n` rows of every class from `pool` (seeded). Throws, naming the class, when a
 * class has fewer than n rows in the pool.
 */
export function drawPerClass(labels: ArrayLike<number>, pool: readonly number[], n: number, seed: number, classNames?: string[]): number[] {
  if (!(Number.isInteger(n) && n >= 1)) throw new Error(`drawPerClass: n must be a positive integer, got ${n}`);
  const rng = new Rng(seed).fork(`draw-${n}`);
  const perClass = byClass(pool.map((i) => labels[i]));
  const out: number[] = [];
  perClass.forEach((local, c) => {
    if (local.length < n) {
      throw new Error(`drawPerClass: class ${classNames?.[c] ?? c} has ${local.length} training images, cannot draw ${n} labelled ones`);
    }
    out.push(...rng.fork(c).sample(local, n).map((k) => pool[k]));
  });
  return out.sort((a, b) => a - b);
}

/**
 * Split labelled rows into fit and validation rows, stratified: per class, round(valFraction · count)
 * rows, at least 1 and at most count − 1, go to validation; classes with a single row keep it for
 * fitting. Default valFraction 0.25.
 */
export function carveValidation(labels: ArrayLike<number>, labelled: readonly number[], seed: number, valFraction = 0.25): { fit: number[]; val: number[] } {
  const rng = new Rng(seed).fork("carve-validation");
  const perClass = byClass(labelled.map((i) => labels[i]));
  const fit: number[] = [], val: number[] = [];
  perClass.forEach((local, c) => {
    const rows = rng.fork(c).shuffle(local.map((k) => labelled[k]));
    const nVal = rows.length < 2 ? 0 : Math.min(rows.length - 1, Math.max(1, Math.round(valFraction * rows.length)));
    val.push(...rows.slice(0, nVal));
    fit.push(...rows.slice(nVal));
  });
  return { fit: fit.sort((a, b) => a - b), val: val.sort((a, b) => a - b) };
}
