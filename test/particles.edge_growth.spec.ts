import { strict as assert } from "assert";
import { growToEdges } from "../lib/particles/edge_growth";
import { withMissingBoxes } from "../lib/particles/grey_image";
import { filteredOtsuParticles } from "../lib/particles/filtered_otsu";
import { otsuInstancesByFilter } from "../lib/particles/object_polarity";
import { applyObjectFilter, loadObjectFilter, withoutNotParticles } from "../lib/particles/object_filter";
import { measureInstances } from "../lib/particles/extract";
import { generateSizedParticles } from "../lib/data/synth/sized_particles";
import type { InstanceLabels } from "../lib/particles/instances";
import { evaluateInstances, summariseInstanceEvals } from "../lib/particles/instance_eval";
import { Rng } from "../lib/util/rng";
import { empsPart } from "./emps_helpers";

const W = 40, H = 30;

/** City-block distance of (x, y) to the box [x0, x1] × [y0, y1] (0 inside). */
const cityBlock = (x: number, y: number, [x0, y0, x1, y1]: number[]): number =>
  Math.max(0, x0 - x, x - x1) + Math.max(0, y0 - y, y - y1);

/**
 * A W×H image with boxes (x0, y0, x1, y1 inclusive) labelled 0, 1, …; each box's grey is `inside`,
 * the pixels 1, 2, 3 px (city-block) from it `ramp[0..2]`, everything further `background`.
 */
function boxes(spec: number[][], inside: number, ramp: number[], background: number): { grey: Float32Array; inst: InstanceLabels } {
  const grey = new Float32Array(W * H), labels = new Int32Array(W * H).fill(-1);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
    const d = Math.min(...spec.map((b) => cityBlock(x, y, b)));
    grey[y * W + x] = d === 0 ? inside : d <= ramp.length ? ramp[d - 1] : background;
    spec.forEach((b, k) => { if (cityBlock(x, y, b) === 0) labels[y * W + x] = k; });
  }
  return { grey, inst: { width: W, height: H, labels, count: spec.length } };
}

const grownBy = (before: InstanceLabels, after: InstanceLabels, id: number): number[] => {
  const ds: number[] = [];
  const own = [] as number[][];
  for (let i = 0; i < before.labels.length; i++) if (before.labels[i] === id) own.push([i % W, Math.floor(i / W)]);
  for (let i = 0; i < after.labels.length; i++) {
    if (after.labels[i] !== id || before.labels[i] === id) continue;
    const x = i % W, y = Math.floor(i / W);
    ds.push(Math.min(...own.map(([a, b]) => Math.abs(a - x) + Math.abs(b - y))));
  }
  return ds;
};

describe("particles/edge_growth: particles grown out to the edge a person draws", () => {
  it("grows a dark box exactly to its edge level: 15 % of the contrast takes the 0.5 ramp and stops at 0.9", () => {
    const { grey, inst } = boxes([[10, 10, 19, 17]], 0, [0.5, 0.9, 0.97], 1);
    const out = growToEdges(grey, inst, Uint8Array.of(1), null);
    // Surround median (2–5 px) is 1, inside 0: edge level 0.85, so only the 0.5 layer joins.
    const d = grownBy(inst, out, 0);
    assert.ok(d.length > 0 && d.every((v) => v === 1), `grown by ${[...new Set(d)].join(",")} px`);
    assert.equal(d.length, 2 * (10 + 8)); // the city-block ring at distance 1 of a 10×8 box
    // At level 0.05 (edge 0.95) the 0.9 layer joins too; 0.97 stays out.
    const two = grownBy(inst, growToEdges(grey, inst, Uint8Array.of(1), null, { level: 0.05 }), 0);
    assert.deepEqual([...new Set(two)].sort(), [1, 2]);
    // maxPx bounds it: with level 0 (the surround's median itself) all three ramp layers would join.
    assert.deepEqual([...new Set(grownBy(inst, growToEdges(grey, inst, Uint8Array.of(1), null, { level: 0, maxPx: 2 }), 0))].sort(), [1, 2]);
    assert.deepEqual([...new Set(grownBy(inst, growToEdges(grey, inst, Uint8Array.of(1), null, { level: 0, maxPx: 6 }), 0))].sort(), [1, 2, 3]);
    assert.equal(inst.labels.filter((l) => l === 0).length, 80, "the input is not changed");
  });

  it("grows bright objects on a dark ground the same way (the side is each object's own)", () => {
    const { grey, inst } = boxes([[10, 10, 19, 17]], 1, [0.5, 0.1, 0.03], 0);
    const d = grownBy(inst, growToEdges(grey, inst, Uint8Array.of(1), null), 0);
    assert.ok(d.length === 36 && d.every((v) => v === 1));
  });

  it("never takes frozen pixels or another object's, and leaves objects that do not grow as they were", () => {
    // Two boxes 3 px apart: their ramps meet; object 1 does not grow.
    const { grey, inst } = boxes([[5, 5, 14, 14], [18, 5, 27, 14]], 0, [0.5, 0.5, 0.5], 1);
    const frozen = new Uint8Array(W * H);
    for (let y = 0; y < H; y++) frozen[y * W + 9] = 1; // a column through box 0's top and bottom ramps
    const out = growToEdges(grey, inst, Uint8Array.of(1, 0), frozen, { ring: [4, 6] }); // a surround past the ramps: the background
    for (let i = 0; i < W * H; i++) {
      if (inst.labels[i] >= 0) assert.equal(out.labels[i], inst.labels[i], "object pixels keep their id");
      if (frozen[i] && inst.labels[i] < 0) assert.equal(out.labels[i], -1, "frozen pixel taken");
      if (out.labels[i] === 1) assert.equal(inst.labels[i], 1, "object 1 must not grow");
    }
    const d = grownBy(inst, out, 0);
    assert.ok(d.length > 0 && Math.max(...d) <= 4, `grown ${d.length} px, farthest ${Math.max(...d)}`);
    // The gap between the boxes (x 15–17) is box 0's now as far as 3 px reach: x 15, 16, 17.
    assert.equal(out.labels[10 * W + 17], 0);
  });

  it("does not grow an object without a surround, and refuses bad arguments", () => {
    const grey = new Float32Array(W * H).fill(0.2);
    const inst: InstanceLabels = { width: W, height: H, labels: new Int32Array(W * H).fill(0), count: 1 };
    assert.deepEqual([...growToEdges(grey, inst, Uint8Array.of(1)).labels], [...inst.labels]);
    assert.throws(() => growToEdges(grey.subarray(1), inst, Uint8Array.of(1)), /needs 1200 grey values/);
    assert.throws(() => growToEdges(grey, inst, Uint8Array.of(1, 1)), /2 grow flags for 1 objects/);
    assert.throws(() => growToEdges(grey, inst, Uint8Array.of(1), null, { maxPx: 1.5 }), /maxPx must be a whole number/);
    assert.throws(() => growToEdges(grey, inst, Uint8Array.of(1), null, { level: 2 }), /level must be in \[0, 1\]/);
    assert.throws(() => growToEdges(grey, inst, Uint8Array.of(1), null, { ring: [0, 3] }), /ring must be whole px/);
  });

  it("in the default route, grows only kept particles and changes no object's status (synthetic TEM images)", () => {
    const filter = loadObjectFilter("bundled");
    for (let k = 0; k < 3; k++) {
      const s = generateSizedParticles({ size: 256, count: 30, medianDiameter: 16, sigmaLog: 0.3 }, new Rng(70 + k));
      const g = { width: 256, height: 256, grey: Float32Array.from(s.image, (v) => v / 255) };
      const exclude = [{ x0: 180, y0: 230, x1: 256, y1: 256 }];
      const opts = { h: 2, exclude };
      // The route leaves the excluded box out of everything, the threshold included.
      const gm = withMissingBoxes(g, exclude);
      assert.ok(gm.missing && gm.missing[240 * 256 + 200] === 1 && gm.missing[100 * 256 + 100] === 0);
      const chosen = otsuInstancesByFilter(gm, filter, opts);
      const plain = applyObjectFilter(filter, gm, measureInstances(chosen.instances, null, opts), chosen.probabilities);
      const off = filteredOtsuParticles(g, filter, null, { ...opts, growth: { maxPx: 0 } }).extracted;
      assert.deepEqual(off.status, plain.status);
      assert.deepEqual(off.particles.map((p) => p.areaPixels), plain.particles.map((p) => p.areaPixels), "maxPx 0 is the route without growth");
      const grown = filteredOtsuParticles(g, filter, null, opts).extracted;
      assert.deepEqual(grown.status, plain.status, "growth changes no status");
      assert.deepEqual(grown.dropped, plain.dropped);
      assert.ok(grown.particles.every((p, j) => p.areaPixels >= plain.particles[j].areaPixels));
      assert.ok(grown.particles.some((p, j) => p.areaPixels > plain.particles[j].areaPixels), "some particle grew");
      for (let i = 0; i < 256 * 256; i++) {
        const was = chosen.instances.labels[i], now = grown.instances.labels[i];
        if (now !== was) {
          assert.equal(was, -1, "only background pixels change");
          assert.equal(grown.status[now], "kept", "only kept particles grow");
          const x = i % 256, y = Math.floor(i / 256);
          assert.ok(x > 0 && y > 0 && x < 255 && y < 255 && !(x >= 179 && y >= 229), `pixel (${x}, ${y}) is frozen`);
        }
      }
    }
  });

  it("brings the default route's sizes and foreground closer to the truth on EMPS tune images (real data)", async function () {
    this.timeout(120_000);
    const filter = loadObjectFilter("bundled");
    const before = [], after = [];
    for await (const { id, grey: g, truth } of empsPart(this, "tune")) {
      before.push(evaluateInstances(id, withoutNotParticles(filteredOtsuParticles(g, filter, null, { h: 2, growth: { maxPx: 0 } }).extracted), truth));
      after.push(evaluateInstances(id, withoutNotParticles(filteredOtsuParticles(g, filter, null, { h: 2 }).extracted), truth));
    }
    const b = summariseInstanceEvals(before), a = summariseInstanceEvals(after);
    assert.ok(a.medianDiameterError < b.medianDiameterError - 0.01, `diameter error ${b.medianDiameterError.toFixed(3)} → ${a.medianDiameterError.toFixed(3)}`);
    assert.ok(a.medianDice > b.medianDice, `Dice ${b.medianDice.toFixed(3)} → ${a.medianDice.toFixed(3)}`);
    assert.ok(a.f1 >= b.f1, `F1 ${b.f1.toFixed(3)} → ${a.f1.toFixed(3)}`);
  });
});
