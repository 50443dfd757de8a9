import { strict as assert } from "assert";
import { generateSizedParticles } from "../lib/data/synth/sized_particles";
import { syntheticSizeCheck } from "../lib/particles/synthetic_check";
import { median } from "../lib/stats/quantiles";
import { Rng } from "../lib/util/rng";

describe("particles/synthetic sizes", () => {
  it("draws lognormal diameters with the asked median and spread, and labels the pixels of each", () => {
    const ds: number[] = [];
    for (let k = 0; k < 6; k++) {
      const s = generateSizedParticles({ size: 256, count: 30, medianDiameter: 16, sigmaLog: 0.3, minDiameter: 1 }, new Rng(100 + k));
      for (const p of s.particles) {
        ds.push(p.diameter);
        // digitised area of a disc within a perimeter's worth of pixels of π(d/2)²
        assert.ok(Math.abs(p.pixels - Math.PI * (p.diameter / 2) ** 2) < Math.PI * p.diameter + 4, `pixels ${p.pixels} for d ${p.diameter}`);
      }
      assert.equal(s.labels.filter((l) => l >= 0).length, s.particles.reduce((a, p) => a + p.pixels, 0));
      assert.ok(s.particles.some((p) => p.touching >= 0), "some particles touch");
    }
    const logs = ds.map(Math.log);
    const mean = logs.reduce((a, b) => a + b, 0) / logs.length;
    const sd = Math.sqrt(logs.reduce((a, b) => a + (b - mean) ** 2, 0) / (logs.length - 1));
    // placement rejects a few large ones; the sample (n ≈ 150) stays near the asked median 16 and σ 0.3
    assert.ok(Math.abs(median(ds) - 16) < 2, `median ${median(ds)}`);
    assert.ok(Math.abs(sd - 0.3) < 0.07, `sd of ln d ${sd}`);
    assert.throws(() => generateSizedParticles({ count: 0 }, new Rng(1)), /count must be a positive integer/);
  });

  it("recovers the true diameters from the true masks, touching pairs included (watershed)", () => {
    const r = syntheticSizeCheck({ size: 256, count: 30, medianDiameter: 18, sigmaLog: 0.25, touchingFraction: 0.4 }, 4, 9, "mask");
    assert.ok(r.match.recall > 0.9, `recall ${r.match.recall}`);
    assert.ok(r.match.precision > 0.9, `precision ${r.match.precision}`);
    const rel = r.pairs.map((p) => Math.abs(p.measuredDiameter - p.trueDiameter) / p.trueDiameter);
    assert.ok(median(rel) < 0.03, `median relative ECD error ${median(rel)}`);
    const touching = r.pairs.filter((p) => p.touching);
    assert.ok(touching.length >= 10, `${touching.length} touching particles matched`);
    assert.ok(median(touching.map((p) => Math.abs(p.measuredDiameter - p.trueDiameter) / p.trueDiameter)) < 0.06);
  });

  it("recovers them from the rendered micrographs by Otsu within a few percent", () => {
    const r = syntheticSizeCheck({ size: 256, count: 25, medianDiameter: 20, sigmaLog: 0.2, touchingFraction: 0.3 }, 3, 4, "otsu");
    assert.ok(r.match.recall > 0.75, `recall ${r.match.recall}`);
    assert.ok(r.match.precision > 0.8, `precision ${r.match.precision}`);
    assert.ok(Math.abs(r.match.medianDiameterBias) < 0.08, `median bias ${r.match.medianDiameterBias}`);
  });
});
