import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { normalisedGrey, pixelFeatureMaps, PIXEL_FEATURES } from "../lib/particles/pixel_features";
import { bundledOutlineRefinerPath, checkOutlineRefiner, loadOutlineRefiner, particleProbabilityMap, refineOutlines, refinerBand } from "../lib/particles/outline_refiner";
import { filteredOtsuParticles } from "../lib/particles/filtered_otsu";
import { loadObjectFilter } from "../lib/particles/object_filter";
import type { GreyImage } from "../lib/particles/grey_image";
import type { InstanceLabels } from "../lib/particles/instances";
import { makeMask } from "../lib/image/mask";
import { generateSizedParticles } from "../lib/data/synth/sized_particles";
import { Rng } from "../lib/util/rng";
import { draw, labelling } from "./labelling_rows";

describe("particles/pixel_features: per-pixel features on a common grey scale", () => {
  it("normalisedGrey puts Otsu's cut at 0, the class means 1 apart, particles negative; missing pixels at 0.5", () => {
    const g: GreyImage = { width: 4, height: 2, grey: Float32Array.from([50, 50, 150, 150, 50, 150, 150, 150]), missing: Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 1]) };
    const dark = normalisedGrey(g, "dark"), bright = normalisedGrey(g, "bright");
    assert.ok(Math.abs(dark[2] - dark[0] - 1) < 1e-6, `${dark[2] - dark[0]}`);
    assert.ok(dark[0] < 0 && dark[2] > 0);
    assert.ok(Math.abs(bright[0] + dark[0]) < 1e-6 && bright[2] < 0);
    assert.equal(dark[7], 0.5);
  });

  it("pixelFeatureMaps gives one map per named feature; the signed distance is + inside Otsu's side, − outside, clipped at 15 px", () => {
    const w = 40, h = 30;
    const grey = new Float32Array(w * h).fill(200);
    for (let y = 10; y < 20; y++) for (let x = 5; x < 15; x++) grey[y * w + x] = 40;
    const side = makeMask(w, h, (x, y) => x >= 5 && x < 15 && y >= 10 && y < 20);
    const maps = pixelFeatureMaps({ width: w, height: h, grey }, "dark", side);
    assert.equal(maps.length, PIXEL_FEATURES.length);
    for (const m of maps) assert.equal(m.length, w * h);
    const sd = maps[PIXEL_FEATURES.indexOf("signed distance to Otsu's cut")];
    assert.equal(sd[14 * w + 9], 5); // centre-ish pixel: 5 px to the nearest outside pixel (x = 4 or y = 9... nearest is 5 away)
    assert.equal(sd[14 * w + 16], -2); // two columns right of the square
    assert.equal(sd[14 * w + 39], -15); // 25 px away: clipped
    // The dark square is negative in the finest smoothing, the background positive.
    assert.ok(maps[0][14 * w + 9] < 0 && maps[0][2 * w + 30] > 0);
    assert.throws(() => pixelFeatureMaps({ width: w, height: h, grey }, "dark", makeMask(3, 3)), /side mask 3x3 for a 40x30 image/);
  });
});

describe("particles/outline_refiner: growth into the learned foreground", () => {
  const sure = { threshold: 0.5, maxPx: 2 };

  it("grows a flagged object layer by layer (4-connected) up to maxPx where the probability is high, never into another object or frozen pixels", () => {
    const inst = labelling([
      ".........",
      ".........",
      "....0....",
      ".........",
      "......1..",
    ]);
    const grown = refineOutlines(sure, () => 1, inst, Uint8Array.from([1, 0]));
    assert.deepEqual(draw(grown), [
      "....0....",
      "...000...",
      "..00000..",
      "...000...",
      "....0.1..",
    ]);
    // Pixels with neighbours of two objects stay background; object 1 is not flagged and does not grow.
    assert.deepEqual(draw(refineOutlines(sure, () => 1, labelling(["0.1"]), Uint8Array.from([1, 1]))), ["0.1"]);
    assert.deepEqual(draw(refineOutlines({ threshold: 0.5, maxPx: 1 }, () => 1, labelling(["0...1"]), Uint8Array.from([1, 1]))), ["00.11"]);
    // Low probability: nothing; frozen pixels: skipped.
    assert.deepEqual(draw(refineOutlines(sure, () => 0.4, inst, Uint8Array.from([1, 0]))), draw(inst));
    const frozen = new Uint8Array(45);
    frozen[1 * 9 + 4] = 1;
    const f = refineOutlines({ threshold: 0.5, maxPx: 1 }, () => 1, inst, Uint8Array.from([1, 0]), frozen);
    assert.deepEqual(draw(f).slice(1, 4), [".........", "...000...", "....0...."]);
    assert.throws(() => refineOutlines(sure, () => 1, inst, Uint8Array.from([1])), /1 grow flags for 2 objects/);
  });

  it("refinerBand marks the background within maxPx (Chebyshev) of a flagged object, widened by ⌈3σ⌉, as a brute-force check does", () => {
    const rng = new Rng(5);
    const w = 23, h = 17, labels = new Int32Array(w * h).fill(-1);
    for (let k = 0; k < 8; k++) labels[Math.floor(rng.uniform(0, w * h))] = k % 3;
    const inst = { width: w, height: h, labels, count: 3 }, grows = Uint8Array.from([1, 0, 1]);
    const within = (x: number, y: number, r: number, hit: (u: number, v: number) => boolean): boolean => {
      for (let v = Math.max(0, y - r); v <= Math.min(h - 1, y + r); v++) for (let u = Math.max(0, x - r); u <= Math.min(w - 1, x + r); u++) if (hit(u, v)) return true;
      return false;
    };
    for (const [maxPx, smoothPx] of [[1, 0], [2, 1], [1, 0.5]]) {
      const got = refinerBand(inst, grows, { maxPx, smoothPx });
      const candidate = (u: number, v: number): boolean => labels[v * w + u] < 0 && within(u, v, maxPx, (a, b) => labels[b * w + a] >= 0 && grows[labels[b * w + a]] === 1);
      for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) assert.equal(got[y * w + x], within(x, y, Math.ceil(3 * smoothPx), candidate) ? 1 : 0, `${maxPx}/${smoothPx} (${x},${y})`);
    }
  });

  it("probabilities computed only in the band equal the whole map's where refineOutlines reads them (the smoothing's reach included)", () => {
    const refiner = loadOutlineRefiner("bundled");
    const s = generateSizedParticles({ size: 96, count: 6, medianDiameter: 14, sigmaLog: 0.2 }, new Rng(3));
    const g: GreyImage = { width: 96, height: 96, grey: Float32Array.from(s.image, (v) => v / 255) };
    const side = makeMask(96, 96, (x, y) => g.grey[y * 96 + x] < 0.5);
    const labels = new Int32Array(96 * 96).fill(-1);
    for (let i = 0; i < labels.length; i++) if (side.data[i]) labels[i] = 0;
    const inst = { width: 96, height: 96, labels, count: 1 }, grows = Uint8Array.from([1]);
    const whole = particleProbabilityMap(refiner, g, "dark", side);
    const near = particleProbabilityMap(refiner, g, "dark", side, refinerBand(inst, grows, refiner));
    const used = refinerBand(inst, grows, { maxPx: refiner.maxPx, smoothPx: 0 });
    let checked = 0;
    for (let i = 0; i < used.length; i++) if (used[i]) { assert.ok(Math.abs(near[i] - whole[i]) < 1e-6, `pixel ${i}`); checked++; }
    assert.ok(checked > 100);
  });

  it("the bundled refiner loads and checks; a broken or foreign file is refused naming it", () => {
    const r = loadOutlineRefiner("bundled");
    assert.deepEqual(r.features, PIXEL_FEATURES);
    assert.ok(r.maxPx >= 1 && r.threshold > 0 && r.threshold < 1);
    assert.ok(fs.statSync(bundledOutlineRefinerPath()).size < 2e6);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "refiner-"));
    const bad = path.join(dir, "r.json");
    fs.writeFileSync(bad, JSON.stringify({ ...r, features: ["a"] }));
    assert.throws(() => loadOutlineRefiner(bad), /made for features \[a\]/);
    fs.writeFileSync(bad, "{");
    assert.throws(() => loadOutlineRefiner(bad), /not JSON/);
    assert.throws(() => loadOutlineRefiner(path.join(dir, "none.json")), /does not exist/);
    assert.throws(() => checkOutlineRefiner({ ...r, threshold: 2 }, "x"), /threshold must be in 0…1/);
    fs.rmSync(dir, { recursive: true });
  });

  it("in the default route, only grows the kept particles (none with --grow-edges 0): same ids and statuses, each at least as large", () => {
    const filter = loadObjectFilter("bundled"), refiner = loadOutlineRefiner("bundled");
    const s = generateSizedParticles({ size: 256, count: 25, medianDiameter: 16, sigmaLog: 0.2 }, new Rng(11));
    const g: GreyImage = { width: 256, height: 256, grey: Float32Array.from(s.image, (v) => v / 255) };
    const a = filteredOtsuParticles(g, filter, null, { h: 2 }).extracted, b = filteredOtsuParticles(g, filter, null, { h: 2, refiner }).extracted;
    assert.deepEqual(b.status, a.status);
    assert.equal(b.particles.length, a.particles.length);
    a.particles.forEach((p, k) => assert.ok(b.particles[k].id === p.id && b.particles[k].area >= p.area, `particle ${p.id}`));
    assert.ok(b.particles.some((p, k) => p.area > a.particles[k].area), "the refiner grew no particle");
    const off = filteredOtsuParticles(g, filter, null, { h: 2, refiner, growth: { maxPx: 0 } }).extracted;
    assert.deepEqual(off.instances.labels, filteredOtsuParticles(g, filter, null, { h: 2, growth: { maxPx: 0 } }).extracted.instances.labels);
  });
});
