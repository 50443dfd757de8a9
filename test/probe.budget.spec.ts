import { strict as assert } from "assert";
import { runBudgetSweep, randomRows, type SelectRows } from "../lib/probe/budget";
import { feasibleLabelsPerClass, poolSizes, downscaleNote } from "../lib/probe/feasible";
import { probeJson } from "../lib/probe/results";
import { featureMatrix } from "../lib/linalg/matrix";
import { stratifiedSplit } from "../lib/stats/splits";
import type { SweepData } from "../lib/probe/sweep";
import { Rng } from "../lib/util/rng";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import sharp from "sharp";

/** Unbalanced 3-class features: 60 / 15 / 5 images, well separated. */
function unbalanced(): SweepData {
  const r = new Rng(3);
  const sizes = [60, 15, 5], D = 20;
  const means = sizes.map(() => Array.from({ length: D }, () => r.normal() * 4));
  const rows: number[] = [], labels: number[] = [];
  sizes.forEach((n, c) => { for (let k = 0; k < n; k++) { labels.push(c); for (let d = 0; d < D; d++) rows.push(means[c][d] + r.normal()); } });
  return { labels, classes: ["a", "b", "c"], featureSets: [{ encoder: "toy", seed: 1, X: featureMatrix(rows, labels.length, D) }] };
}

describe("probe/budget", () => {
  const data = unbalanced();
  const cfg = { budgets: [2, 3, 12], splitSeeds: [1, 2, 3, 4, 5, 6] };

  it("random picks use the same split as the per-class sweep, never test rows, and are seeded", () => {
    const pool = stratifiedSplit(data.labels, 1, 0.2).train;
    const a = randomRows(data.featureSets[0].X, pool, 5, 9), b = randomRows(data.featureSets[0].X, pool, 5, 9);
    assert.deepEqual(a, b);
    assert.equal(new Set(a).size, 5);
    assert.ok(a.every((i) => pool.includes(i)));
    const runs = runBudgetSweep(data, cfg, "random", randomRows);
    assert.equal(runs.length, 18);
    assert.ok(runs.every((r) => r.nFit === r.budget && r.encoder === "toy [random]" && r.nTest === stratifiedSplit(data.labels, r.splitSeed, 0.2).test.length));
    // A class missing from the picks is never predicted: accuracy can't exceed the share of the picked classes.
    for (const r of runs.filter((x) => x.classesPicked === 1)) assert.ok(r.C === null);
    assert.deepEqual(runBudgetSweep(data, cfg, "random", randomRows).map((r) => r.accuracy), runs.map((r) => r.accuracy));
  });

  it("a selector that covers every class beats random picks at a budget of one image per class", () => {
    // An oracle-free cover: one row per k-means-like cluster, picked from features only (here: the
    // row nearest each of three far-apart feature centroids found greedily).
    const cover: SelectRows = (X, pool, budget) => {
      const picked = [pool[0]];
      while (picked.length < budget) {
        let best = -1, bestD = -1;
        for (const i of pool) {
          if (picked.includes(i)) continue;
          let dmin = Infinity;
          for (const j of picked) { let d = 0; for (let k = 0; k < X.cols; k++) d += (X.data[i * X.cols + k] - X.data[j * X.cols + k]) ** 2; dmin = Math.min(dmin, d); }
          if (dmin > bestD) { bestD = dmin; best = i; }
        }
        picked.push(best);
      }
      return picked;
    };
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const rnd = runBudgetSweep(data, { budgets: [3], splitSeeds: cfg.splitSeeds }, "random", randomRows);
    const cov = runBudgetSweep(data, { budgets: [3], splitSeeds: cfg.splitSeeds }, "suggest", cover);
    assert.ok(cov.every((r) => r.classesPicked === 3), "farthest-point picks hit all three clusters");
    assert.ok(mean(cov.map((r) => r.accuracy)) > mean(rnd.map((r) => r.accuracy)) + 0.05, `cover ${mean(cov.map((r) => r.accuracy))} vs random ${mean(rnd.map((r) => r.accuracy))}`);
    const doc = probeJson(cov);
    assert.deepEqual(Object.keys(doc.results[0]), ["budget", "median", "q1", "q3", "runs"]);
  });

  it("refuses budgets the pool cannot supply and selectors that return the wrong rows", () => {
    assert.throws(() => runBudgetSweep(data, { budgets: [500], splitSeeds: [1] }, "random", randomRows), /budget 500 exceeds the \d+ training images/);
    assert.throws(() => runBudgetSweep(data, { budgets: [2], splitSeeds: [1] }, "suggest", () => [0, 0]), /not 2 distinct rows/);
  });
});

describe("probe/feasible", () => {
  it("keeps only the n every class's training part can supply", () => {
    const images = { files: [], labels: [...Array(10).fill(0), ...Array(3).fill(1)], classes: ["x", "y"] };
    assert.deepEqual(poolSizes(images), [8, 2]);
    assert.deepEqual(feasibleLabelsPerClass(images, [1, 2, 4, 8]), [1, 2]);
    assert.deepEqual(poolSizes({ ...images, testRows: [0, 1, 10] }), [8, 2]);
  });

  it("warns when micrographs are squeezed far below their size, and not otherwise", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "probe-scale-"));
    const big = path.join(dir, "big.png"), small = path.join(dir, "small.png");
    await sharp({ create: { width: 1600, height: 1200, channels: 3, background: "#808080" } }).png().toFile(big);
    await sharp({ create: { width: 300, height: 300, channels: 3, background: "#808080" } }).png().toFile(small);
    const note = await downscaleNote([big], 224, 1);
    assert.match(note ?? "", /~1200 px .* 224 px \(5\.4× smaller\).*--tiles 3/);
    assert.equal(await downscaleNote([big], 224, 3), null);
    assert.equal(await downscaleNote([small], 224, 1), null);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
