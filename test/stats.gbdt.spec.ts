import { strict as assert } from "assert";
import { Rng } from "../lib/util/rng";
import { checkGbdt, fitGbdt, flatProbability, flattenGbdt, treeValue, type Gbdt } from "../lib/stats/gbdt";

/** The model's probability for `row`, summed tree by tree (the definition flatProbability must match). */
const probability = (m: Gbdt, row: ArrayLike<number>): number => 1 / (1 + Math.exp(-m.trees.reduce((F, t) => F + m.lr * treeValue(t, (f) => row[f]), m.base)));
import { pythonMissing, runPython } from "./python_oracle";

/** n rows of 4 columns, the label inside a disc of the first two (with 10 % flipped), two noise columns; seeded. */
function disc(n: number, seed: number): { x: number[]; y: number[] } {
  const rng = new Rng(seed);
  const x: number[] = [], y: number[] = [];
  for (let i = 0; i < n; i++) {
    const r = [rng.normal(), rng.normal(), rng.normal(), rng.uniform(0, 5)];
    x.push(...r);
    const inside = r[0] * r[0] + r[1] * r[1] < 1.4 ? 1 : 0;
    y.push(rng.next() < 0.1 ? 1 - inside : inside);
  }
  return { x, y };
}

const logLoss = (p: number[], y: number[]): number => -p.reduce((s, v, i) => s + (y[i] ? Math.log(v) : Math.log(1 - v)), 0) / p.length;

describe("stats/gbdt: gradient-boosted trees, logistic loss, histogram bins", () => {
  it("one stump on a separable column has the Newton leaf values −G / (H + λ) (worked by hand)", () => {
    // Base rate 1/2: log-odds 0, p = 0.5 for every row, so g = p − y = ±0.5 and h = 0.25.
    const m = fitGbdt([0, 0, 1, 1], [0, 0, 1, 1], 1, { trees: 1, depth: 1, minLeaf: 1, lambda: 1, lr: 0.1 });
    assert.equal(m.base, 0);
    const t = m.trees[0];
    assert.deepEqual(t.feature, [0, -1, -1]);
    assert.equal(t.threshold[0], 0);
    // Left (x ≤ 0): G = 1, H = 0.5 → −1 / 1.5; right: +1 / 1.5.
    assert.ok(Math.abs(t.value[t.left[0]] + 2 / 3) < 1e-12);
    assert.ok(Math.abs(t.value[t.right[0]] - 2 / 3) < 1e-12);
    assert.ok(Math.abs(flatProbability(flattenGbdt(m), [1]) - 1 / (1 + Math.exp(-0.1 * 2 / 3))) < 1e-12);
    assert.equal(treeValue(t, () => -5), t.value[t.left[0]]);
  });

  it("the training loss falls with every tree, and the same data give the same model", () => {
    const { x, y } = disc(1500, 3);
    const losses: number[] = [];
    const a = fitGbdt(x, y, 4, { trees: 30, depth: 3, minLeaf: 10, onTree: (_t, l) => losses.push(l) });
    const b = fitGbdt(x, y, 4, { trees: 30, depth: 3, minLeaf: 10 });
    assert.equal(losses.length, 30);
    for (let i = 1; i < losses.length; i++) assert.ok(losses[i] < losses[i - 1], `tree ${i}: ${losses[i]} ≥ ${losses[i - 1]}`);
    assert.deepEqual(a, b);
    // Every leaf of every tree holds at least minLeaf (10) training rows.
    for (const t of a.trees) {
      const rows = new Map<number, number>();
      for (let i = 0; i < y.length; i++) {
        let k = 0;
        while (t.feature[k] >= 0) k = x[i * 4 + t.feature[k]] <= t.threshold[k] ? t.left[k] : t.right[k];
        rows.set(k, (rows.get(k) ?? 0) + 1);
      }
      for (const [leaf, count] of rows) assert.ok(count >= 10, `leaf ${leaf}: ${count} rows`);
    }
  });

  it("predicts held-out rows as well as scikit-learn's HistGradientBoostingClassifier with the same settings", function () {
    const missing = pythonMissing(["numpy", "sklearn.ensemble"]);
    if (missing) { console.log(`      (skipped: ${missing})`); return this.skip(); }
    this.timeout(60000);
    const train = disc(3000, 11), test = disc(2000, 12);
    const m = fitGbdt(train.x, train.y, 4, { trees: 60, depth: 3, lr: 0.1, bins: 48, minLeaf: 20, lambda: 1 });
    const ours: number[] = [];
    const flat = flattenGbdt(m);
    for (let i = 0; i < test.y.length; i++) ours.push(flatProbability(flat, test.x.slice(i * 4, i * 4 + 4)));
    const ref = runPython<{ proba: number[] }>(`
import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
X = np.array(inp["x"]).reshape(-1, 4); y = np.array(inp["y"]); T = np.array(inp["t"]).reshape(-1, 4)
m = HistGradientBoostingClassifier(max_iter=60, max_depth=3, learning_rate=0.1, max_bins=48, min_samples_leaf=20,
    l2_regularization=1.0, max_leaf_nodes=None, early_stopping=False).fit(X, y)
print(json.dumps({"proba": m.predict_proba(T)[:, 1].tolist()}))
`, { x: train.x, y: train.y, t: test.x });
    const ll = logLoss(ours, test.y), llRef = logLoss(ref.proba, test.y);
    const acc = (p: number[]): number => p.filter((v, i) => (v >= 0.5 ? 1 : 0) === test.y[i]).length / p.length;
    assert.ok(Math.abs(ll - llRef) < 0.01, `held-out log-loss ${ll.toFixed(4)} vs scikit-learn ${llRef.toFixed(4)}`);
    assert.ok(Math.abs(acc(ours) - acc(ref.proba)) < 0.01, `accuracy ${acc(ours)} vs ${acc(ref.proba)}`);
    // The two agree row by row too (different bin edges, same splits up to a bin).
    const agree = ours.filter((v, i) => Math.abs(v - ref.proba[i]) < 0.1).length / ours.length;
    assert.ok(agree > 0.9, `${agree} of rows within 0.1`);
  });

  it("refuses bad input and bad settings, naming them", () => {
    assert.throws(() => fitGbdt([0, 1, 2], [0, 1], 1), /3 values are not 2 rows of 1 columns/);
    assert.throws(() => fitGbdt([0, 1], [0, 2], 1), /label 2 at row 1/);
    assert.throws(() => fitGbdt([0, 1], [1, 1], 1), /both classes/);
    assert.throws(() => fitGbdt([0, NaN], [0, 1], 1), /value NaN at row 1/);
    assert.throws(() => fitGbdt([0, 1], [0, 1], 1, { bins: 1 }), /settings out of range/);
  });

  it("checkGbdt takes a model through JSON and refuses broken ones", () => {
    const { x, y } = disc(400, 5);
    const m = fitGbdt(x, y, 4, { trees: 3, depth: 2, minLeaf: 5 });
    const back = checkGbdt(JSON.parse(JSON.stringify(m)), 4, "m.json");
    // Flattened for fast scoring: the same probabilities.
    const flat = flattenGbdt(m);
    for (let i = 0; i < 20; i++) {
      const row = x.slice(i * 4, i * 4 + 4);
      assert.equal(probability(back, row), probability(m, row));
      assert.equal(flatProbability(flat, row), probability(m, row));
    }
    assert.throws(() => checkGbdt(m, 5, "m.json"), /m.json: made for rows of 4 columns, 5 expected/);
    const loop = JSON.parse(JSON.stringify(m));
    loop.trees[0].left[0] = 0;
    assert.throws(() => checkGbdt(loop, 4, "m.json"), /tree 0, node 0: children/);
    const nan = JSON.parse(JSON.stringify(m));
    nan.trees[1].value[0] = null;
    assert.throws(() => checkGbdt(nan, 4, "m.json"), /non-finite/);
  });
});
