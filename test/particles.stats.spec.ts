import { strict as assert } from "assert";
import { distributionStats, histogramOf } from "../lib/particles/size_stats";
import { ksStatistic } from "../lib/stats/ks";
import { matchParticles } from "../lib/particles/match";
import { measureInstances } from "../lib/particles/extract";
import { instancesFromLabelMap } from "../lib/particles/instances";
import { groupSummary, particleRecord } from "../lib/particles/records";
import { measureParticles } from "../lib/particles/measure";
import { userCalibration } from "../lib/data/calibration";
import { Rng } from "../lib/util/rng";
import { pythonMissing, runPython } from "./python_oracle";

describe("particles/stats and matching", () => {
  const missing = pythonMissing(["numpy", "scipy.stats"]);
  it("distribution statistics and the KS statistic match numpy / scipy.stats.ks_2samp", function () {
    if (missing) { console.log(`      (skipped: ${missing})`); this.skip(); }
    const rng = new Rng(2);
    const a = Array.from({ length: 57 }, () => Math.exp(rng.normal(3, 0.3)));
    const b = Array.from({ length: 41 }, () => Math.exp(rng.normal(3.1, 0.25)));
    const ref = runPython<{ mean: number; sd: number; median: number; iqr: number; ks: number; counts: number[] }>(
      "import numpy as np\nfrom scipy.stats import ks_2samp\na = np.array(inp['a']); b = np.array(inp['b'])\n" +
      "q1, q3 = np.percentile(a, [25, 75])\ncounts, _ = np.histogram(a, bins=7)\n" +
      "print(json.dumps(dict(mean=a.mean(), sd=a.std(ddof=1), median=float(np.median(a)), iqr=q3 - q1, ks=ks_2samp(a, b).statistic, counts=counts.tolist())))",
      { a, b },
    );
    const s = distributionStats(a, 7);
    for (const k of ["mean", "sd", "median", "iqr"] as const) assert.ok(Math.abs(s[k] - ref[k]) < 1e-9, `${k}: ${s[k]} vs ${ref[k]}`);
    assert.ok(Math.abs(s.cv - ref.sd / ref.mean) < 1e-12);
    assert.deepEqual(s.histogram.counts, ref.counts);
    assert.ok(Math.abs(ksStatistic(a, b) - ref.ks) < 1e-12, `KS ${ksStatistic(a, b)} vs ${ref.ks}`);
  });

  it("handles empty, constant and tied samples", () => {
    assert.equal(distributionStats([]).count, 0);
    assert.ok(Number.isNaN(distributionStats([]).mean));
    assert.deepEqual(histogramOf([3, 3, 3]), { edges: [3, 4], counts: [3] });
    assert.equal(ksStatistic([1, 2, 3], [1, 2, 3]), 0);
    assert.equal(ksStatistic([1, 1, 1], [2, 2]), 1);
    assert.throws(() => ksStatistic([], [1]), /empty sample/);
  });

  it("matches predicted to true particles at IoU ≥ 0.5 and leaves out pairs whose other side was dropped", () => {
    // 12×6 image: truth has three particles; the prediction splits one, misses one, adds one
    const W = 12, H = 6;
    const truth = new Array(W * H).fill(0), pred = new Array(W * H).fill(0);
    const box = (arr: number[], x0: number, y0: number, x1: number, y1: number, v: number): void => {
      for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) arr[y * W + x] = v;
    };
    box(truth, 1, 1, 3, 4, 1); box(pred, 1, 1, 3, 3, 1);           // IoU 9/12 = 0.75: a match
    box(truth, 5, 1, 6, 4, 2); box(pred, 5, 1, 6, 2, 2); box(pred, 5, 3, 6, 4, 3); // split in halves: IoU 0.5 each, one matches
    box(truth, 8, 1, 9, 2, 3);                                      // missed
    box(pred, 8, 4, 10, 4, 4);                                      // spurious
    box(truth, 11, 0, 11, 2, 5); box(pred, 11, 0, 11, 1, 5);        // touches the border on both sides: ignored
    const opts = { minArea: 1 };
    const P = measureInstances(instancesFromLabelMap(pred, W, H), null, opts);
    const T = measureInstances(instancesFromLabelMap(truth, W, H), null, opts);
    const r = matchParticles(P, T);
    assert.equal(r.truePositives, 2);
    assert.equal(r.predicted, 4, "four kept predictions (the border one is dropped)");
    assert.equal(r.truth, 3);
    assert.equal(r.precision, 2 / 4);
    assert.equal(r.recall, 2 / 3);
    assert.ok(Math.abs(r.pairs[0].iou - 0.75) < 1e-12);
  });

  it("names every length and area field by its unit and never mixes units in a summary", () => {
    const inst = instancesFromLabelMap(Array.from({ length: 100 }, (_, i) => (i % 10 > 2 && i % 10 < 7 && i > 20 && i < 70 ? 1 : 0)), 10, 10);
    const nm = particleRecord(measureParticles(inst, userCalibration(2))[0]);
    const px = particleRecord(measureParticles(inst, null)[0]);
    assert.ok("equivalentDiameterNm" in nm && "feretMaxNm" in nm && "areaNm2" in nm && !("equivalentDiameterPx" in nm));
    assert.ok("equivalentDiameterPx" in px && "areaPx2" in px && !("areaNm2" in px));
    assert.ok(Math.abs((nm.feretMinNm as number) - 2 * (px.feretMinPx as number)) < 1e-12);
    const dropped = { border: 0, tooSmall: 0, scaleBar: 0, notParticle: 0, found: 1, kept: 1 };
    const base = { class: "", width: 10, height: 10, maskSource: "test", dropped, calibration: null, calibrationFrom: "none" };
    const g = groupSummary([{ ...base, file: "a", nmPerPx: 2, unit: "nm", particles: [nm] }, { ...base, file: "b", nmPerPx: null, unit: "px", particles: [px] }]);
    assert.equal(g.stats.equivalentDiameterNm.count, 1);
    assert.equal(g.stats.equivalentDiameterPx.count, 1);
    assert.equal(g.stats.aspectRatio.count, 2);
    assert.equal(g.dropped.found, 2);
  });
});
