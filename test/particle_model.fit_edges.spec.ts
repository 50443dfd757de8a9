import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { fitEdgeGrowth, perImageSizeScore, EDGE_SETTINGS } from "../lib/particle_model/fit_edges";
import { evaluateInstances } from "../lib/particles/instance_eval";
import { loadObjectFilter } from "../lib/particles/object_filter";
import { loadOutlineRefiner } from "../lib/particles/outline_refiner";
import { generateSizedParticles } from "../lib/data/synth/sized_particles";
import { encodeGreyPng } from "../lib/data/synth/png";
import { encodeInstancePng } from "../lib/particles/instance_map";
import type { InstanceLabels } from "../lib/particles/instances";
import { Rng } from "../lib/util/rng";
import { command as fitEdges } from "../lib/cli/particles_fit_edges";
import { UsageError } from "../lib/cli/args";
import type { LabelledPair } from "../lib/particle_model/evaluate";

/** The labelling grown by `px` city-block steps into the background (a neighbour's pixel goes to the first id that reaches it). */
function dilate(inst: InstanceLabels, px: number): InstanceLabels {
  const { width: w, height: h } = inst;
  let labels = Int32Array.from(inst.labels);
  for (let d = 0; d < px; d++) {
    const next = labels.slice();
    for (let i = 0; i < w * h; i++) {
      if (labels[i] >= 0) continue;
      const x = i % w;
      const nb = [x > 0 ? labels[i - 1] : -1, x < w - 1 ? labels[i + 1] : -1, i >= w ? labels[i - w] : -1, i + w < w * h ? labels[i + w] : -1];
      const l = nb.find((v) => v >= 0);
      if (l !== undefined) next[i] = l;
    }
    labels = next;
  }
  return { width: w, height: h, labels, count: inst.count };
}

/** Generated micrographs of dark particles with their true instance maps, outlined `grow` px outside the drawn ellipses. */
async function labelledSet(dir: string, grow: number): Promise<LabelledPair[]> {
  fs.mkdirSync(path.join(dir, "img"), { recursive: true });
  fs.mkdirSync(path.join(dir, "inst"), { recursive: true });
  const pairs: LabelledPair[] = [];
  for (let k = 0; k < 3; k++) {
    const s = generateSizedParticles({ size: 192, count: 18, medianDiameter: 16, sigmaLog: 0.2, touchingFraction: 0 }, new Rng(300 + k));
    const id = `p${k}`;
    const inst = dilate({ width: s.width, height: s.height, labels: Int32Array.from(s.labels), count: s.particles.length }, grow);
    fs.writeFileSync(path.join(dir, "img", `${id}.png`), await encodeGreyPng(s.image, s.width, s.height));
    fs.writeFileSync(path.join(dir, "inst", `${id}.png`), encodeInstancePng(inst));
    pairs.push({ id, image: path.join(dir, "img", `${id}.png`), labels: path.join(dir, "inst", `${id}.png`) });
  }
  return pairs;
}

describe("particle_model/fit_edges: the default route's edge growth picked from a few labelled images", function () {
  this.timeout(60_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nm-fit-edges-"));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const filter = loadObjectFilter("bundled"), refiner = loadOutlineRefiner("bundled");

  it("keeps Otsu's outline where the labels are the half level of the blur, and grows where they are drawn outside it", async () => {
    // The generator's true outline is the ellipse itself, the half level of its blur: no growth fits.
    const tight = await fitEdgeGrowth(await labelledSet(path.join(dir, "tight"), 0), filter, refiner, null, EDGE_SETTINGS, { progress: false });
    assert.deepEqual(tight.best, { maxPx: 0, level: 0.15, refine: false }, JSON.stringify(tight.candidates.map((c) => [c.setting, c.score])));
    // Labels drawn 2 px outside: some growth fits better than none, and its sizes are closer.
    const loose = await fitEdgeGrowth(await labelledSet(path.join(dir, "loose"), 2), filter, refiner, null, EDGE_SETTINGS, { progress: false });
    assert.ok(loose.best.maxPx > 0, JSON.stringify(loose.candidates.map((c) => [c.setting, c.score])));
    const none = loose.candidates.find((c) => c.setting.maxPx === 0)!, best = loose.candidates.find((c) => c.setting === loose.best)!;
    assert.ok(best.summary.medianDiameterError < none.summary.medianDiameterError, `${best.summary.medianDiameterError} vs ${none.summary.medianDiameterError}`);
    // Every setting was scored on the same images, in the order given.
    assert.deepEqual(loose.candidates.map((c) => c.setting), [...EDGE_SETTINGS]);
    assert.ok(loose.candidates.every((c) => c.summary.images === 3));
  });

  it("scores sizes image by image: each labelled image counts once, however many particles it holds", () => {
    // One image of a single 8-px square particle and one of 40 squares; predictions are the truth grown by 1 px on the first
    // and exact on the second. The pooled KS is dominated by the 40 particles; the per-image score is the mean of both images.
    const squares = (n: number, side: number, grow: number): InstanceLabels => {
      const w = 16 * 8, h = 16 * Math.max(1, Math.ceil(n / 8)), labels = new Int32Array(w * h).fill(-1);
      for (let k = 0; k < n; k++) {
        const x0 = 16 * (k % 8) + 4 - grow, y0 = 16 * Math.floor(k / 8) + 4 - grow;
        for (let y = y0; y < y0 + side + 2 * grow; y++) for (let x = x0; x < x0 + side + 2 * grow; x++) labels[y * w + x] = k;
      }
      return { width: w, height: h, labels, count: n };
    };
    const one = evaluateInstances("one", squares(1, 8, 1), squares(1, 8, 0), { dropBorder: false });
    const many = evaluateInstances("many", squares(40, 8, 0), squares(40, 8, 0), { dropBorder: false });
    assert.equal(one.match.ksDiameter, 1);
    assert.equal(many.match.ksDiameter, 0);
    const d1 = one.medianDiameterError; // (10 − 8) / 8 in equivalent diameters of squares
    assert.ok(Math.abs(d1 - 0.25) < 1e-9, String(d1));
    assert.ok(Math.abs(perImageSizeScore([one, many]) - (1 + 0) / 2 - (d1 + 0) / 2) < 1e-12);
    // An image with no particle on one side (NaN) is left out, not counted as 0.
    const empty = evaluateInstances("empty", squares(0, 8, 0), squares(2, 8, 0), { dropBorder: false });
    assert.ok(Number.isNaN(empty.match.ksDiameter));
    assert.equal(perImageSizeScore([one, many, empty]), perImageSizeScore([one, many]));
    assert.ok(Number.isNaN(perImageSizeScore([empty])));
    // A size error over 100 % counts as 1: one 4-px square predicted as 12 px (error 2) weighs as much as a miss by 100 %.
    const huge = evaluateInstances("huge", squares(1, 4, 4), squares(1, 4, 0), { dropBorder: false });
    assert.ok(Math.abs(huge.medianDiameterError - 2) < 1e-9, String(huge.medianDiameterError));
    assert.ok(Math.abs(perImageSizeScore([huge, many]) - (1 + 0) / 2 - (1 + 0) / 2) < 1e-12);
  });

  it("refuses nothing to fit", async () => {
    await assert.rejects(fitEdgeGrowth([], filter, refiner, null), /no labelled images/);
    await assert.rejects(fitEdgeGrowth([{ id: "x", image: "x", labels: "y" }], filter, refiner, null, []), /no settings/);
  });

  it("`particles fit-edges` prints each setting and the flags to use, and writes the scores with --out", async () => {
    const set = path.join(dir, "tight");
    const out = path.join(dir, "fit.json");
    const lines: string[] = [];
    const log = console.log;
    console.log = (...a: unknown[]) => { lines.push(a.join(" ")); };
    try {
      assert.equal(await fitEdges.run(["--images", path.join(set, "img"), "--instances", path.join(set, "inst"), "--out", out]), 0);
    } finally {
      console.log = log;
    }
    assert.ok(lines.some((l) => /--grow-edges 0 .*<- best/.test(l)), lines.join("\n"));
    assert.ok(lines.some((l) => /^use: nanomorph particles --grow-edges 0 --images/.test(l)), lines.join("\n"));
    const rec = JSON.parse(fs.readFileSync(out, "utf8")) as { images: number; best: { maxPx: number }; candidates: unknown[] };
    assert.equal(rec.images, 3);
    assert.equal(rec.best.maxPx, 0);
    assert.equal(rec.candidates.length, EDGE_SETTINGS.length);
    await assert.rejects(fitEdges.run(["--images", path.join(set, "img")]), (e: Error) => e instanceof UsageError && /--instances DIR are required/.test(e.message));
    await assert.rejects(fitEdges.run(["--images", path.join(set, "img"), "--instances", path.join(set, "inst"), "--filter", "none"]), /edge growth belongs to the default route/);
  });
});
