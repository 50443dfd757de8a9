import { strict as assert } from "assert";
import { filteredOtsuParticles } from "../lib/particles/filtered_otsu";
import { withMissingBoxes, type GreyImage } from "../lib/particles/grey_image";
import { loadObjectFilter } from "../lib/particles/object_filter";
import { generateSizedParticles } from "../lib/data/synth/sized_particles";
import { Rng } from "../lib/util/rng";

describe("particles/filtered_otsu + withMissingBoxes: a found scale bar is no part of the sample", () => {
  it("withMissingBoxes marks the clipped boxes missing and fills them with the mean of the rest; no covered pixel, no copy", () => {
    const g: GreyImage = { width: 4, height: 3, grey: Float32Array.from([0, 0, 0, 0, 0.4, 0.4, 0.4, 0.4, 1, 1, 1, 1]) };
    const m = withMissingBoxes(g, [{ x0: 2, y0: 2, x1: 9, y1: 9 }]);
    assert.deepEqual([...m.missing!], [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1]);
    const mean = (0 * 4 + 0.4 * 4 + 1 * 2) / 10;
    assert.ok(Math.abs(m.grey[10] - mean) < 1e-6 && Math.abs(m.grey[11] - mean) < 1e-6);
    assert.equal(m.grey[9], 1);
    assert.equal(g.grey[10], 1, "the input is not changed");
    assert.equal(withMissingBoxes(g, [{ x0: 5, y0: 0, x1: 9, y1: 3 }, { x0: 2, y0: 1, x1: 2, y1: 3 }]), g);
  });

  it("gives the same particles whatever is drawn inside an excluded box (a bar and its label pull no threshold)", () => {
    const filter = loadObjectFilter("bundled");
    const s = generateSizedParticles({ size: 256, count: 25, medianDiameter: 16, sigmaLog: 0.2 }, new Rng(11));
    const plain: GreyImage = { width: 256, height: 256, grey: Float32Array.from(s.image, (v) => v / 255) };
    // A white panel with a black bar and "text" in the bottom-right corner: 60 × 24 px, as burnt-in bars are.
    const box = { x0: 190, y0: 228, x1: 250, y1: 252 };
    const barred: GreyImage = { ...plain, grey: plain.grey.slice() };
    for (let y = box.y0; y < box.y1; y++) for (let x = box.x0; x < box.x1; x++) barred.grey[y * 256 + x] = y > 240 && y < 246 && x > 195 && x < 245 ? 0 : (x + y) % 7 === 0 ? 0 : 1;
    const opts = { h: 2, exclude: [box] };
    const a = filteredOtsuParticles(plain, filter, null, opts).extracted, b = filteredOtsuParticles(barred, filter, null, opts).extracted;
    assert.ok(a.particles.length > 10);
    assert.deepEqual(b.particles, a.particles);
    assert.deepEqual(b.status, a.status);
    // No object has a pixel inside the box.
    for (let y = box.y0; y < box.y1; y++) for (let x = box.x0; x < box.x1; x++) assert.equal(b.instances.labels[y * 256 + x], -1);
  });
});
