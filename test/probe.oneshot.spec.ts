import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import sharp from "sharp";
import { maskDensity, oneShotAnchorAnalysis } from "../lib/probe/oneshot";
import { runSweep, planRun, resolveSweepConfig } from "../lib/probe/sweep";
import { featureMatrix } from "../lib/linalg/matrix";
import { median } from "../lib/stats/quantiles";
import { Rng } from "../lib/util/rng";

describe("probe/oneshot", () => {
  it("mask density is the foreground fraction (closed form: a 10×20 white block in 40×40 → 0.125)", async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "probe-oneshot-"));
    const px = Buffer.alloc(40 * 40);
    for (let y = 5; y < 15; y++) for (let x = 10; x < 30; x++) px[y * 40 + x] = 255;
    const f = path.join(tmp, "m.png");
    await sharp(px, { raw: { width: 40, height: 40, channels: 1 } }).png().toFile(f);
    assert.equal(await maskDensity(f), 200 / 1600);
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it("finds each 1-shot run's anchors, places them against the class medians and splits accuracies by side", () => {
    const classes = ["bundle", "dispersed", "network", "singular"];
    const N = 80, D = 32, r = new Rng(4);
    const labels = Array.from({ length: N }, (_, i) => i % 4);
    const data = new Float32Array(N * D).map(() => r.normal());
    const dens = Float64Array.from(labels, (y, i) => (y === 1 ? 0.1 + 0.001 * i : y === 2 ? 0.4 - 0.001 * i : NaN));
    const sd = { labels, classes, featureSets: [{ encoder: "e", seed: 1, X: featureMatrix(data, N, D) }] };
    const cfg = { labelsPerClass: [1], splitSeeds: [1, 2, 3, 4, 5, 6], protocol: "paper" as const };
    const runs = runSweep(sd, cfg);
    const a = oneShotAnchorAnalysis(sd, runs, dens, cfg);
    const medD = median(labels.map((y, i) => (y === 1 ? dens[i] : NaN)).filter(Number.isFinite));
    assert.equal(a.classMedians[0], medD);
    assert.equal(a.runs.length, 6);
    for (const run of a.runs) {
      const plan = planRun(sd, run.splitSeed, 1, resolveSweepConfig(cfg));
      assert.equal(run.anchors[0].row, plan.fit.find((i) => labels[i] === 1));
      assert.equal(run.anchors[1].row, plan.fit.find((i) => labels[i] === 2));
      assert.equal(run.anchors[0].side, dens[run.anchors[0].row] >= medD ? "above" : "below");
      assert.equal(run.opposite, run.anchors[0].side !== run.anchors[1].side);
    }
    const nOpp = a.runs.filter((x) => x.opposite).length;
    assert.equal((a.opposite?.n ?? 0) + (a.same?.n ?? 0), 6);
    assert.equal(a.opposite?.n ?? 0, nOpp);
    assert.throws(() => oneShotAnchorAnalysis(sd, runs, dens, cfg, ["dispersed", "web"]), /class 'web' not in/);
  });
});
