import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { instancesFromLabelMap } from "../lib/particles/instances";
import { measureInstances } from "../lib/particles/extract";
import { objectFeatures, OBJECT_FEATURES, OBJECT_FEATURE_COUNT } from "../lib/particles/object_features";
import {
  applyObjectFilter, checkObjectFilter, loadObjectFilter, removeNonParticles, particleProbabilities,
  OBJECT_FILTER_FORMAT, OBJECT_FILTER_VERSION, type ObjectFilter,
} from "../lib/particles/object_filter";
import { generateSizedParticles } from "../lib/data/synth/sized_particles";
import { separateParticles } from "../lib/particles/watershed";
import { otsuForeground } from "../lib/particles/otsu_foreground";
import { evaluateInstances, summariseInstanceEvals } from "../lib/particles/instance_eval";
import { Rng } from "../lib/util/rng";
import { empsPart } from "./emps_helpers";
import { otsuInstancesByFilter } from "../lib/particles/object_polarity";

const col = (name: string): number => OBJECT_FEATURES.indexOf(name as (typeof OBJECT_FEATURES)[number]);

/** 100×80 light image (0.8) with discs of grey `v` at (x, y, r); labels 1.. in that order. */
function discs(spec: Array<[number, number, number, number]>): { grey: Float32Array; labels: Int32Array; width: number; height: number } {
  const width = 100, height = 80, grey = new Float32Array(width * height).fill(0.8), labels = new Int32Array(width * height);
  spec.forEach(([cx, cy, r, v], k) => {
    for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) {
      if ((x - cx) ** 2 + (y - cy) ** 2 <= r * r) { grey[y * width + x] = v; labels[y * width + x] = k + 1; }
    }
  });
  return { grey, labels, width, height };
}

/** A filter that keeps objects by one feature alone (weight on its standardised value, no bias). */
function oneFeatureFilter(name: string, weight: number, center: number, threshold = 0.5): ObjectFilter {
  const k = OBJECT_FEATURE_COUNT;
  const mean = new Array<number>(k).fill(0), scale = new Array<number>(k).fill(1), weights = new Array<number>(k).fill(0);
  mean[col(name)] = center; weights[col(name)] = weight;
  return { format: OBJECT_FILTER_FORMAT, version: OBJECT_FILTER_VERSION, features: [...OBJECT_FEATURES], model: { mean, scale, weights, bias: 0 }, threshold };
}

describe("particles/object_features + object_filter: telling particles from what else a threshold finds", () => {
  it("computes relative size, contrast, polarity and corner features of known discs", () => {
    // Three dark discs (r 8, 8, 4) and one bright disc in the top-left corner.
    const im = discs([[40, 40, 8, 0.2], [70, 40, 8, 0.2], [55, 65, 4, 0.2], [8, 8, 5, 1.0]]);
    const ex = measureInstances(instancesFromLabelMap(im.labels, im.width, im.height), null);
    assert.equal(ex.particles.length, 4);
    const f = objectFeatures(im, ex);
    const row = (k: number, name: string): number => f[k * OBJECT_FEATURE_COUNT + col(name)];
    const areas = ex.particles.map((p) => p.areaPixels);
    const med = [...areas].sort((a, b) => a - b).slice(1, 3).reduce((a, b) => a + b) / 2;
    ex.particles.forEach((p, k) => {
      assert.ok(Math.abs(row(k, "logRelArea") - Math.log(p.areaPixels / med)) < 1e-12);
      assert.ok(Math.abs(row(k, "logRelAreaSq") - Math.log(p.areaPixels / med) ** 2) < 1e-12);
      assert.ok(Math.abs(row(k, "logImageFraction") - Math.log(p.areaPixels / 8000)) < 1e-12);
      assert.equal(row(k, "solidity"), p.solidity);
      assert.equal(row(k, "touchingOthers"), 0);
      assert.ok(Math.abs(row(k, "logObjects") - Math.log(5)) < 1e-12);
      assert.ok(row(k, "insideSpread") < 1e-6, "flat inside");
    });
    // Image s.d. from the pixels; a dark disc's contrast is |0.2 − 0.8| / s.d.
    let s = 0, ss = 0;
    for (const v of im.grey) { s += v; ss += v * v; }
    const sd = Math.sqrt(ss / im.grey.length - (s / im.grey.length) ** 2);
    const dark = ex.particles.findIndex((p) => p.centroid[0] > 35 && p.centroid[0] < 45);
    const bright = ex.particles.findIndex((p) => p.centroid[0] < 15);
    assert.ok(Math.abs(row(dark, "contrast") - 0.6 / sd) < 1e-5, `contrast ${row(dark, "contrast")} vs ${0.6 / sd}`);
    assert.equal(row(dark, "polarityAgrees"), 1);
    assert.equal(row(bright, "polarityAgrees"), 0, "brighter than its surroundings, unlike the others");
    assert.equal(row(bright, "inCorner"), 1);
    assert.equal(row(dark, "inCorner"), 0);
    assert.ok(Math.abs(row(bright, "borderDistance") - 3 / 80) < 1e-12, "box starts 3 px from the edge, shorter side 80");
    assert.throws(() => objectFeatures({ width: 10, height: 10, grey: new Float32Array(100) }, ex), /image is 10x10, instances 100x80/);
  });

  it("drops what the filter scores below its threshold as notParticle, keeps ids, and renumbers for evaluation", () => {
    const im = discs([[20, 20, 9, 0.2], [50, 20, 9, 0.2], [80, 20, 9, 0.2], [50, 60, 3, 0.2]]);
    const inst = instancesFromLabelMap(im.labels, im.width, im.height);
    const ex = measureInstances(inst, null);
    const filter = oneFeatureFilter("logRelArea", 10, -1); // keeps objects larger than e^-1 of the median
    const p = particleProbabilities(filter, im, ex);
    assert.deepEqual(Array.from(p, (v) => v > 0.5), [true, true, true, false]);
    const cal = { nmPerPxX: 2, nmPerPxY: 2 } as never;
    const out = applyObjectFilter(filter, im, measureInstances(inst, cal));
    assert.deepEqual(out.status, ["kept", "kept", "kept", "notParticle"]);
    assert.equal(out.dropped.notParticle, 1);
    assert.equal(out.dropped.kept, 3);
    assert.deepEqual(out.particles.map((q) => q.id), [0, 1, 2]);
    assert.ok(Math.abs(out.particles[0].area - 4 * ex.particles[0].areaPixels) < 1e-9, "measured in the calibration's units");
    const r = removeNonParticles(filter, im, inst);
    assert.equal(r.count, 3);
    assert.equal(r.labels.filter((l) => l >= 0).length, ex.particles.slice(0, 3).reduce((a, q) => a + q.areaPixels, 0));
    // Nothing to drop: the same object back.
    const keepAll = { ...filter, threshold: 0 };
    assert.equal(applyObjectFilter(keepAll, im, ex), ex);
    assert.equal(removeNonParticles(keepAll, im, inst), inst);
  });

  it("refuses filter files it cannot use, naming what is wrong", () => {
    const good = oneFeatureFilter("solidity", 1, 0.5);
    assert.equal(checkObjectFilter(good, "f.json"), good);
    assert.throws(() => checkObjectFilter({ ...good, format: "x" }, "f.json"), /object filter f.json: not a nanomorph-object-filter file/);
    assert.throws(() => checkObjectFilter({ ...good, version: 9 }, "f.json"), /version 9; this nanomorph reads version 1/);
    assert.throws(() => checkObjectFilter({ ...good, features: ["area"] }, "f.json"), /made for features \[area\].*refit it/);
    assert.throws(() => checkObjectFilter({ ...good, threshold: 2 }, "f.json"), /threshold must be in 0…1/);
    assert.throws(() => checkObjectFilter({ ...good, model: { ...good.model, scale: good.model.scale.map(() => 0) } }, "f.json"), /scale ≤ 0/);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nm-filter-"));
    fs.writeFileSync(path.join(dir, "bad.json"), "{");
    assert.throws(() => loadObjectFilter(path.join(dir, "bad.json")), /bad.json: not JSON/);
    assert.throws(() => loadObjectFilter(path.join(dir, "none.json")), /does not exist \(give a JSON file/);
    fs.rmSync(dir, { recursive: true });
  });

  it("the bundled filter keeps clean synthetic particles (Otsu + watershed on generated TEM images)", () => {
    const filter = loadObjectFilter("bundled");
    let found = 0, kept = 0;
    for (let k = 0; k < 4; k++) {
      const s = generateSizedParticles({ size: 256, count: 25, medianDiameter: 18, sigmaLog: 0.25 }, new Rng(40 + k));
      const g = { width: 256, height: 256, grey: Float32Array.from(s.image, (v) => v / 255) };
      const ex = measureInstances(separateParticles(otsuForeground(g), { h: 2 }), null);
      found += ex.particles.length;
      kept += applyObjectFilter(filter, g, ex).particles.length;
    }
    assert.ok(found > 60, `found ${found}`);
    assert.ok(kept >= 0.95 * found, `kept ${kept} of ${found}`);
  });

  it("picks the side of the threshold the filter prefers where the border rule takes the gaps (close-packed bright discs)", () => {
    // Bright discs (r 10) centred on a 22-px grid filling a 200² field, with a little seeded noise: the
    // discs cover most of the image border, so the border rule takes the dark gaps for the particles.
    const W = 200, rng = new Rng(5);
    const grey = new Float32Array(W * W);
    for (let y = 0; y < W; y++) for (let x = 0; x < W; x++) {
      const dx = ((x + 11) % 22) - 11, dy = ((y + 11) % 22) - 11;
      grey[y * W + x] = (dx * dx + dy * dy <= 100 ? 0.75 : 0.25) + 0.03 * rng.normal();
    }
    const g = { width: W, height: W, grey };
    const border = measureInstances(separateParticles(otsuForeground(g), { h: 2 }), null);
    const fg = otsuForeground(g);
    assert.equal(fg.data[0], 0, "premise: the border rule leaves the disc at the corner out (it takes the gaps)");
    const r = otsuInstancesByFilter(g, loadObjectFilter("bundled"), { h: 2 });
    assert.equal(r.polarity, "bright");
    assert.ok(r.score.bright > r.score.dark, JSON.stringify(r.score));
    const kept = measureInstances(r.instances, null).particles;
    // discs centred on multiples of 22 px: 8 × 8 = 64 lie wholly inside the field
    assert.ok(Math.abs(kept.length - 64) <= 2, `kept ${kept.length} discs`);
    assert.ok(kept.every((p) => Math.abs(p.equivalentDiameter - 21) < 2), "disc-sized objects");
    // while the border rule measures the star-shaped gaps (22² − π·10² ≈ 170 px², ECD ≈ 15 px)
    assert.ok(border.particles.every((p) => p.equivalentDiameter < 17), "the border rule's objects are gaps");
  });

  it("the bundled filter raises F1 and lowers the count error on EMPS validation images (real data)", async function () {
    this.timeout(120_000);
    const filter = loadObjectFilter("bundled");
    const before = [], after = [];
    for await (const { id, grey: g, truth } of empsPart(this, "validation", 4)) {
      const pred = separateParticles(otsuForeground(g), { h: 2 });
      before.push(evaluateInstances(id, pred, truth));
      after.push(evaluateInstances(id, removeNonParticles(filter, g, pred), truth));
    }
    const b = summariseInstanceEvals(before), a = summariseInstanceEvals(after);
    assert.ok(a.f1 > b.f1 + 0.05, `F1 ${b.f1.toFixed(3)} → ${a.f1.toFixed(3)}`);
    assert.ok(a.precision > b.precision, `precision ${b.precision.toFixed(3)} → ${a.precision.toFixed(3)}`);
    assert.ok(a.medianCountError < b.medianCountError, `count error ${b.medianCountError} → ${a.medianCountError}`);
  });
});
