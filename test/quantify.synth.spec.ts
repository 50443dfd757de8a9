import { strict as assert } from "assert";
import { generateNanowire, type NanowireClass } from "../lib/data/synth/nanowire";
import { Rng } from "../lib/util/rng";
import { quantifyMask } from "../lib/quantify/quantify_image";
import { quantifyByClass, percolationByClass, quantificationSummaryValues, percolationExamples, classMeansTable } from "../lib/quantify/by_class";
import { encodeMaskPng } from "../lib/quantify/mask_io";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

// Ground truth from lib/data's nanowire generator (per-wire centre-line length, mean width, axial
// orientation, and whether a distance-2 cluster spans the image). Tolerances were set from the first
// 4 seeds per class at 224 px (main singular wire: length +0.6…+2.3%, width −0.1…−0.2 px; dispersed
// totals: length −4…+2%, width ±0.07 px) with some headroom; crossing wires (network) share pixels, so there the summed truth
// length is not what a mask can show and only percolation and density are compared.
function sample(cls: NanowireClass, size: number, seed: number) {
  const s = generateNanowire(cls, size, new Rng(seed));
  return { truth: s.truth, report: quantifyMask({ width: size, height: size, data: s.mask }, { minArea: 10 }) };
}

const axialDiff = (a: number, b: number): number => Math.abs((((a - b) % 180) + 270) % 180 - 90);

describe("quantify vs synthetic ground truth (lib/data generator)", () => {
  it("singular images: the main wire's length within 6%, width within 0.4 px, direction within 4°; domain count within 1", () => {
    // Seeds 200–203 measured: length +0.6…+2.3%, direction 0.2…2.5° off. The short distractor wires
    // (10–30 px) are only counted: their flat ends make single lengths uncertain by several px.
    for (let seed = 200; seed < 204; seed++) {
      const { truth, report } = sample("singular", 224, seed);
      const m = report.measure;
      // Counts: seed 203 gives 4 domains for 3 wires (an extra 8-px fragment).
      assert.ok(Math.abs(m.domainCount - truth.wireCount) <= 1, `seed ${seed}: ${m.domainCount} domains, ${truth.wireCount} wires`);
      const w = truth.wires.reduce((a, b) => (b.lengthPx > a.lengthPx ? b : a));
      const d = m.domains.reduce((a, b) => (b.length > a.length ? b : a));
      // The generator's angles run clockwise from +x (y down); ours counter-clockwise (y up).
      const want = (180 - w.orientationDeg) % 180;
      assert.ok(axialDiff(d.director, want) <= 4, `seed ${seed}: director ${d.director} vs ${want}`);
      assert.ok(Math.abs(d.length - w.lengthPx) <= 0.06 * w.lengthPx, `seed ${seed}: length ${d.length} vs ${w.lengthPx}`);
      assert.ok(Math.abs(d.meanWidth - w.widthPx) <= 0.4, `seed ${seed}: width ${d.meanWidth} vs ${w.widthPx}`);
    }
  });

  it("dispersed images: total length within 8% and length-weighted width within 0.3 px of the truth", () => {
    for (let seed = 300; seed < 304; seed++) {
      const { truth, report } = sample("dispersed", 224, seed);
      const tl = truth.wires.reduce((s, w) => s + w.lengthPx, 0);
      const tw = truth.wires.reduce((s, w) => s + w.widthPx * w.lengthPx, 0) / tl;
      assert.ok(Math.abs(report.measure.totalLength - tl) <= 0.08 * tl, `seed ${seed}: length ${report.measure.totalLength} vs ${tl}`);
      assert.ok(Math.abs(report.measure.meanWidth - tw) <= 0.3, `seed ${seed}: width ${report.measure.meanWidth} vs ${tw}`);
      assert.ok(report.measure.domainCount <= truth.wireCount, "touching wires merge, so domains ≤ wires");
    }
  });

  it("density equals the generator's and the DBSCAN percolation test separates dispersed (never) from network (always)", () => {
    for (const size of [96, 224]) {
      for (let seed = 400; seed < 406; seed++) {
        for (const cls of ["dispersed", "network"] as const) {
          const { truth, report } = sample(cls, size, seed);
          assert.ok(Math.abs(report.measure.density - truth.maskDensity) < 1e-5);
          assert.equal(report.percolation.percolates, cls === "network", `${cls} ${size}px seed ${seed}`);
        }
      }
    }
  });

  it("groups reports by class from mask files and summarises percolation and density in the report's shape", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nm-q-class-"));
    try {
      const files: string[] = [], classOf: string[] = [], truth: Array<{ cls: string; spans: boolean; density: number }> = [];
      for (const cls of ["dispersed", "network"] as const) {
        for (let seed = 500; seed < 503; seed++) {
          const s = generateNanowire(cls, 96, new Rng(seed));
          const f = path.join(dir, `${cls}_${seed}.png`);
          fs.writeFileSync(f, await encodeMaskPng({ width: 96, height: 96, data: s.mask }));
          files.push(f); classOf.push(cls); truth.push({ cls, spans: s.truth.spansBothWays, density: s.truth.maskDensity });
        }
      }
      const reps = await quantifyByClass(files, classOf, { minArea: 5 });
      const perc = percolationByClass(reps);
      assert.deepEqual(Object.keys(perc), ["dispersed", "network"]);
      assert.equal(perc.dispersed.percolating, 0);
      assert.equal(perc.network.percolating, 3);
      const dd = truth.filter((t) => t.cls === "dispersed").map((t) => t.density);
      assert.ok(Math.abs(perc.dispersed.densityMin - Math.min(...dd)) < 1e-5 && Math.abs(perc.dispersed.densityMax - Math.max(...dd)) < 1e-5);
      const v = quantificationSummaryValues(perc) as { percolating: Record<string, number>; pixelDensity: Record<string, number[]> };
      assert.deepEqual(v.percolating, { dispersed: 0, network: 3, of: 3 });
      assert.equal(v.pixelDensity.network.length, 2);
      const ex = await percolationExamples(files, classOf, 1);
      assert.deepEqual(ex.map((e) => e.caption), ["dispersed_500: no", "network_500: percolates"]);
      assert.equal(classMeansTable(reps).split("\n").length, 3);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
