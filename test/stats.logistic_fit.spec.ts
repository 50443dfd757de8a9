import { strict as assert } from "assert";
import { Rng } from "../lib/util/rng";
import { fitBinaryLogistic, binaryLogisticProba } from "../lib/stats/logistic_fit";
import { pythonMissing, runPython } from "./python_oracle";

/** n rows of `cols` columns with very different scales and a logistic truth, seeded. */
function data(n: number, cols: number, seed: number): { x: number[]; y: number[] } {
  const rng = new Rng(seed);
  const w = Array.from({ length: cols }, () => rng.normal());
  const x: number[] = [], y: number[] = [];
  for (let i = 0; i < n; i++) {
    let t = 0.3;
    for (let c = 0; c < cols; c++) {
      const v = rng.normal() * 10 ** (c % 3) + c; // columns on scales 1, 10, 100
      x.push(v);
      t += (w[c] * (v - c)) / 10 ** (c % 3);
    }
    y.push(rng.next() < 1 / (1 + Math.exp(-t)) ? 1 : 0);
  }
  return { x, y };
}

describe("stats/logistic_fit: binary L2 logistic regression on standardised columns", () => {
  const missing = pythonMissing(["numpy", "sklearn.linear_model"]);
  for (const C of [0.1, 1]) {
    it(`matches scikit-learn's LogisticRegression(C=${C}) on StandardScaler columns`, function () {
      if (missing) { console.log(`      (skipped: ${missing})`); this.skip(); }
      const { x, y } = data(400, 5, 7);
      const m = fitBinaryLogistic(x, y, 5, C);
      const ref = runPython<{ coef: number[]; bias: number; mean: number[]; scale: number[]; proba: number[] }>(`
import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler
X = np.array(inp["x"]).reshape(-1, 5); y = np.array(inp["y"])
s = StandardScaler().fit(X)
lr = LogisticRegression(C=inp["C"], tol=1e-10, max_iter=10000).fit(s.transform(X), y)
print(json.dumps({"coef": lr.coef_[0].tolist(), "bias": float(lr.intercept_[0]), "mean": s.mean_.tolist(), "scale": s.scale_.tolist(),
                  "proba": lr.predict_proba(s.transform(X[:20]))[:, 1].tolist()}))
`, { x, y, C });
      ref.mean.forEach((v, c) => assert.ok(Math.abs(m.mean[c] - v) < 1e-9 * Math.max(1, Math.abs(v)), `mean ${c}`));
      ref.scale.forEach((v, c) => assert.ok(Math.abs(m.scale[c] - v) < 1e-9 * v, `scale ${c}`));
      ref.coef.forEach((v, c) => assert.ok(Math.abs(m.weights[c] - v) < 1e-5, `weight ${c}: ${m.weights[c]} vs ${v}`));
      assert.ok(Math.abs(m.bias - ref.bias) < 1e-5, `bias ${m.bias} vs ${ref.bias}`);
      const p = binaryLogisticProba(m, x.slice(0, 100));
      ref.proba.forEach((v, i) => assert.ok(Math.abs(p[i] - v) < 1e-6, `row ${i}`));
    });
  }

  it("is deterministic, keeps a constant column harmless and names bad input", () => {
    const { x, y } = data(200, 3, 3);
    assert.deepEqual(fitBinaryLogistic(x, y, 3), fitBinaryLogistic(x, y, 3));
    const withConst = x.flatMap((v, i) => (i % 3 === 2 ? [v, 5] : [v]));
    const m = fitBinaryLogistic(withConst, y, 4);
    assert.equal(m.scale[3], 1);
    assert.ok(Math.abs(m.weights[3]) < 1e-12);
    assert.throws(() => fitBinaryLogistic(x, y, 4), /not 200 rows of 4 columns/);
    assert.throws(() => fitBinaryLogistic(x, y.map(() => 1), 3), /both classes are needed/);
    assert.throws(() => fitBinaryLogistic(x, y.map((v) => v * 2), 3), /label 2 at row \d+ is not 0 or 1/);
    assert.throws(() => fitBinaryLogistic([NaN, ...x.slice(1)], y, 3), /value NaN at row 0, column 0/);
    assert.throws(() => fitBinaryLogistic(x, y, 3, 0), /C must be > 0/);
    assert.throws(() => binaryLogisticProba(m, [1, 2, 3]), /not rows of 4 columns/);
  });
});
