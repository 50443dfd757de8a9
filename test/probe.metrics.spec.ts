import { strict as assert } from "assert";
import { classificationMetrics, confusionMatrix } from "../lib/probe/metrics";
import { stratifiedSplit, drawPerClass, carveValidation } from "../lib/stats/splits";
import { Rng } from "../lib/util/rng";
import { pythonMissing, runPython } from "./python_oracle";

describe("probe/metrics and splits", () => {
  it("confusion matrix and weighted scores on a hand-worked case", () => {
    // true 0,0,1,1,2 ; pred 0,1,1,1,0 → class 0: P 1/2 R 1/2; class 1: P 2/3 R 1; class 2: P 0 R 0
    const m = classificationMetrics([0, 0, 1, 1, 2], [0, 1, 1, 1, 0], 3);
    assert.deepEqual(m.confusion, [[1, 1, 0], [0, 2, 0], [1, 0, 0]]);
    assert.equal(m.accuracy, 3 / 5);
    assert.ok(Math.abs(m.precision - (2 / 5 * 0.5 + 2 / 5 * 2 / 3)) < 1e-15);
    assert.ok(Math.abs(m.recall - 3 / 5) < 1e-15);
    assert.throws(() => confusionMatrix([0, 3], [0, 0], 3), /not in \[0, 3\)/);
  });

  const missing = pythonMissing(["sklearn.metrics"]);
  it("matches sklearn's accuracy, weighted precision/recall/F1 (zero_division=0) and confusion_matrix to 1e-12", function () {
    if (missing) { console.log(`      skipped: ${missing}`); this.skip(); }
    const r = new Rng(3);
    const cases = Array.from({ length: 6 }, (_, k) => {
      const n = 20 + 13 * k, C = 2 + (k % 4);
      const t = Array.from({ length: n }, () => r.int(C));
      const p = t.map((y) => (r.bernoulli(0.6) ? y : r.int(C - (k === 5 ? 1 : 0)))); // k=5: one class never predicted
      return { t, p, C };
    });
    const want = runPython<{ a: number; p: number; r: number; f: number; cm: number[][] }[]>(
      "from sklearn.metrics import accuracy_score, precision_recall_fscore_support, confusion_matrix\nout=[]\n" +
      "for c in inp:\n  p,r,f,_=precision_recall_fscore_support(c['t'],c['p'],average='weighted',zero_division=0,labels=list(range(c['C'])))\n" +
      "  out.append({'a':accuracy_score(c['t'],c['p']),'p':p,'r':r,'f':f,'cm':confusion_matrix(c['t'],c['p'],labels=list(range(c['C']))).tolist()})\nprint(json.dumps(out))",
      cases);
    cases.forEach((c, i) => {
      const m = classificationMetrics(c.t, c.p, c.C);
      assert.deepEqual(m.confusion, want[i].cm);
      for (const [got, exp] of [[m.accuracy, want[i].a], [m.precision, want[i].p], [m.recall, want[i].r], [m.f1, want[i].f]]) {
        assert.ok(Math.abs(got - exp) < 1e-12, `case ${i}: ${got} vs sklearn ${exp}`);
      }
    });
  });

  it("stratified 80/20 split keeps class proportions, is seeded, and n-per-class draws stay in the training part", () => {
    const labels = Array.from({ length: 400 }, (_, i) => i % 4);
    const a = stratifiedSplit(labels, 42), b = stratifiedSplit(labels, 42), c = stratifiedSplit(labels, 43);
    assert.deepEqual(a, b);
    assert.notDeepEqual(a.test, c.test);
    assert.equal(a.test.length, 80);
    for (let k = 0; k < 4; k++) assert.equal(a.test.filter((i) => labels[i] === k).length, 20);
    assert.equal(new Set([...a.train, ...a.test]).size, 400);
    const lab = drawPerClass(labels, a.train, 8, 42);
    assert.equal(lab.length, 32);
    const train = new Set(a.train);
    assert.ok(lab.every((i) => train.has(i)));
    for (let k = 0; k < 4; k++) assert.equal(lab.filter((i) => labels[i] === k).length, 8);
    assert.throws(() => drawPerClass(labels, a.train, 81, 42, ["bundle", "dispersed", "network", "singular"]), /class bundle has 80 training images, cannot draw 81/);
    const { fit, val } = carveValidation(labels, lab, 1);
    assert.equal(val.length, 8); // round(0.25·8) = 2 per class
    assert.equal(new Set([...fit, ...val]).size, 32);
    const one = carveValidation(labels, drawPerClass(labels, a.train, 1, 5), 1);
    assert.equal(one.val.length, 0);
    assert.equal(one.fit.length, 4);
  });
});
