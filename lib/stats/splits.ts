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

/**
 * Stratified split by groups (duplicate_groups.ts: an image with its rotated/flipped copies): whole
 * groups go to the test part, chosen by a seeded shuffle per class until the class's test rows reach
 * round(testFraction · count) (at least one group when the class has ≥ 2 groups, never all of them).
 * A group belongs to the class of most of its rows (ties: the lowest label). No group is ever split,
 * so no copy of a test image is trained on.
 * @throws when testFraction is not in (0, 1) or `groups` and `labels` differ in length.
 */
export function groupedStratifiedSplit(labels: ArrayLike<number>, groups: ArrayLike<number>, seed: number, testFraction = 0.2): Split {
  if (!(testFraction > 0 && testFraction < 1)) throw new Error(`groupedStratifiedSplit: testFraction must be in (0,1), got ${testFraction}`);
  if (groups.length !== labels.length) throw new Error(`groupedStratifiedSplit: ${groups.length} group ids for ${labels.length} labels`);
  const rows = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const g = groups[i];
    if (!rows.has(g)) rows.set(g, []);
    rows.get(g)!.push(i);
  }
  const classOf = (members: number[]): number => {
    const count = new Map<number, number>();
    for (const i of members) count.set(labels[i], (count.get(labels[i]) ?? 0) + 1);
    return [...count.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0][0];
  };
  const byCls = new Map<number, number[]>();
  for (const g of [...rows.keys()].sort((a, b) => a - b)) {
    const c = classOf(rows.get(g)!);
    if (!byCls.has(c)) byCls.set(c, []);
    byCls.get(c)!.push(g);
  }
  const rng = new Rng(seed).fork("grouped-split");
  const train: number[] = [], test: number[] = [];
  for (const c of [...byCls.keys()].sort((a, b) => a - b)) {
    const gs = rng.fork(c).shuffle(byCls.get(c)!.slice());
    const total = gs.reduce((a, g) => a + rows.get(g)!.length, 0);
    const want = Math.round(testFraction * total);
    let taken = 0, k = 0;
    for (; k < gs.length - 1 && (taken < want || (k === 0 && gs.length >= 2)); k++) {
      const size = rows.get(gs[k])!.length;
      // stop before a group that overshoots more than stopping short would miss
      if (k > 0 && taken + size - want > want - taken) break;
      taken += size;
      test.push(...rows.get(gs[k])!);
    }
    for (const g of gs.slice(k)) train.push(...rows.get(g)!);
  }
  return { train: train.sort((a, b) => a - b), test: test.sort((a, b) => a - b) };
}
