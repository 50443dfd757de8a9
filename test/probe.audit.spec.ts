import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { auditLabels } from "../lib/probe/audit";
import { featureMatrix } from "../lib/linalg/matrix";
import { loadEncoder } from "../lib/models/load";
import { preprocessFor } from "../lib/models/preprocess";
import { extractFeatures } from "../lib/probe/features";
import { projectRoot } from "../lib/util/paths";
import { Rng } from "../lib/util/rng";

/** Flip the labels of `count` rows (seeded) to another class; returns the new labels and the flipped rows. */
function flip(labels: number[], K: number, count: number, seed: number): { y: number[]; flipped: number[] } {
  const rng = new Rng(seed);
  const flipped = rng.sample(labels.map((_, i) => i), count);
  const y = labels.slice();
  for (const i of flipped) y[i] = (y[i] + 1 + rng.int(K - 1)) % K;
  return { y, flipped };
}

describe("probe/audit", () => {
  it("puts flipped labels of separable Gaussian classes first and suggests their true class", () => {
    // 3 classes × 40 points in 16-D, centres 3σ apart per dimension; 6 labels flipped.
    const rng = new Rng(21), K = 3, dim = 16;
    const centres = Array.from({ length: K }, () => Array.from({ length: dim }, () => rng.normal(0, 1.5)));
    const data: number[] = [], truth: number[] = [];
    for (let c = 0; c < K; c++) for (let i = 0; i < 40; i++) { for (let d = 0; d < dim; d++) data.push(centres[c][d] + rng.normal(0, 1)); truth.push(c); }
    const X = featureMatrix(data, truth.length, dim);
    const { y, flipped } = flip(truth, K, 6, 3);
    const r = auditLabels(X, y, K, undefined, { seed: 1 });
    assert.equal(r.rows.length, 120);
    const top = r.rows.slice(0, 6);
    assert.deepEqual(top.map((q) => q.row).sort((a, b) => a - b), flipped.slice().sort((a, b) => a - b));
    for (const q of top) { assert.ok(q.flagged); assert.equal(q.suggested, truth[q.row]); assert.equal(q.label, y[q.row]); }
    // Thresholds are class means of the self-confidence (recomputed here from the returned probabilities).
    for (let c = 0; c < K; c++) {
      const mine = y.map((v, i) => (v === c ? r.proba[i * K + c] : NaN)).filter((v) => !Number.isNaN(v));
      assert.ok(Math.abs(r.thresholds[c] - mine.reduce((a, b) => a + b, 0) / mine.length) < 1e-12);
    }
    // Order: flagged first, then ascending score.
    for (let i = 1; i < r.rows.length; i++) {
      const a = r.rows[i - 1], b = r.rows[i];
      assert.ok(Number(a.flagged) > Number(b.flagged) || (a.flagged === b.flagged && a.score <= b.score));
    }
  });

  it("is deterministic for a seed and uses only out-of-fold predictions (a duplicated point does not vouch for itself)", () => {
    const X = featureMatrix([0, 0, 0.1, 0, 0, 0.1, 5, 5, 5.1, 5, 5, 5.1, 0.05, 0.05, 0.05, 0.05], 8, 2);
    // Rows 6 and 7 are identical points inside class 0's group, both labelled 1.
    const y = [0, 0, 0, 1, 1, 1, 1, 1];
    const a = auditLabels(X, y, 2, undefined, { seed: 4, folds: 2 });
    assert.deepEqual(a, auditLabels(X, y, 2, undefined, { seed: 4, folds: 2 }));
    assert.ok(a.rows.slice(0, 2).some((q) => q.row === 6 || q.row === 7), "one of the mislabelled duplicates is among the two most suspicious");
  });

  it("rejects a class with one image and a single class, naming the problem", () => {
    const X = featureMatrix([0, 1, 2, 3, 4, 5], 3, 2);
    assert.throws(() => auditLabels(X, [0, 0, 1], 2), /class 1 has a single image; every class needs at least 2/);
    assert.throws(() => auditLabels(X, [0, 0, 0], 2), /the labels hold 1 class\(es\); an audit needs at least 2/);
    assert.throws(() => auditLabels(X, [0, 1], 2), /2 labels for 3 rows/);
  });

  it("finds flipped few/many labels of the real EMPS micrographs (ImageNet features at 64 px, 120 images, 6 flipped)", async function () {
    const root = path.join(projectRoot(), "..", "shared", "data", "emps-train");
    if (!fs.existsSync(path.join(root, "few.txt"))) { console.log(`      skipped: ${root} (real EMPS images) not present`); this.skip(); }
    const ids = (name: string): string[] => fs.readFileSync(path.join(root, name), "utf8").split(/\s+/).filter(Boolean).sort();
    const files: string[] = [], truth: number[] = [];
    ["few.txt", "many.txt"].forEach((name, c) => { for (const id of ids(name).slice(0, 60)) { files.push(path.join(root, "images", `${id}.jpg`)); truth.push(c); } });
    const enc = await loadEncoder("imagenet", { inputSize: 64, preprocess: preprocessFor("imagenet", "auto") });
    let X;
    try { X = (await extractFeatures(enc, files, { size: 64 })).X; } finally { enc.dispose(); }
    let found = 0, total = 0;
    for (const seed of [1, 2, 3]) {
      const { y, flipped } = flip(truth, 2, 6, seed);
      const r = auditLabels(X, y, 2, undefined, { seed });
      const top = new Set(r.rows.slice(0, 12).map((q) => q.row));
      found += flipped.filter((i) => top.has(i)).length; total += flipped.length;
      for (const q of r.rows.slice(0, 12)) if (flipped.includes(q.row)) assert.equal(q.suggested, truth[q.row]);
    }
    console.log(`      EMPS: ${found}/${total} flipped labels among the top 2× flipped count`);
    assert.ok(found / total >= 0.7, `only ${found}/${total} flipped labels in the top 12`);
  });
});
