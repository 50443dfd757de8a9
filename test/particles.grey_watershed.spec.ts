import { strict as assert } from "assert";
import { makeMask } from "../lib/image/mask";
import { separateByGrey } from "../lib/particles/grey_watershed";
import { separateParticles } from "../lib/particles/watershed";
import { instanceAreas } from "../lib/particles/instances";
import { Rng } from "../lib/util/rng";
import { gaussianBlur } from "../lib/image/gaussian";
import { pythonMissing, runPython } from "./python_oracle";

/** Close-packed dark spheres: grey 0 at each centre rising to 1 at radius r (bright rims where they meet). */
function spheres(w: number, h: number, centres: Array<[number, number]>, r: number): Float32Array {
  const g = new Float32Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) g[y * w + x] = Math.min(1, ...centres.map(([cx, cy]) => Math.hypot(x - cx, y - cy) / r));
  return g;
}

describe("particles/grey_watershed: splitting a mask along the grey", () => {
  const W = 60, H = 30, centres: Array<[number, number]> = [[15, 15], [45, 15]];
  const grey = gaussianBlur(spheres(W, H, centres, 15), W, H, 1);
  const full = makeMask(W, H, () => true);

  it("parts two spheres whose mask has no neck at the bright rim between them, where the distance watershed cannot", () => {
    assert.equal(separateParticles(full).count, 1, "a full rectangle has one distance maximum");
    const inst = separateByGrey(grey, full, "dark", { h: 0.1, spread: 1 });
    assert.equal(inst.count, 2);
    const at = (x: number, y: number): number => inst.labels[y * W + x];
    assert.notEqual(at(15, 15), at(45, 15));
    // every pixel goes to the sphere whose centre is nearer (ties on the rim column aside)
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) if (x !== 29 && x !== 30) assert.equal(at(x, y), at(x < 30 ? 15 : 45, 15), `pixel ${x},${y}`);
  });

  it("bright particles on the inverted grey give the same parts; an h above the contrast leaves one", () => {
    const dark = separateByGrey(grey, full, "dark", { h: 0.1, spread: 1 });
    const bright = separateByGrey(grey.map((v) => 5 - v), full, "bright", { h: 0.1, spread: 1 });
    assert.deepEqual(bright.labels, dark.labels);
    assert.equal(separateByGrey(grey, full, "dark", { h: 2, spread: 1 }).count, 1);
    // h is a fraction of the spread: the same absolute dynamic splits or not as the spread says
    assert.equal(separateByGrey(grey, full, "dark", { h: 0.2, spread: 10 }).count, 1);
  });

  it("tiles the mask exactly: every mask pixel in one part, none outside, no part across two components", () => {
    const rng = new Rng(3);
    const noisy = gaussianBlur(Float32Array.from(grey, (v) => v + 0.05 * rng.normal()), W, H, 1.5);
    const mask = makeMask(W, H, (x) => x < 27 || x > 33);
    const inst = separateByGrey(noisy, mask, "dark", { h: 0.05, spread: 1 });
    inst.labels.forEach((l, i) => assert.equal(l >= 0, mask.data[i] === 1, `pixel ${i}`));
    const side = new Map<number, boolean>();
    inst.labels.forEach((l, i) => { if (l < 0) return; const left = i % W < 30; if (side.has(l)) assert.equal(side.get(l), left); else side.set(l, left); });
    assert.ok(instanceAreas(inst).every((a) => a > 0), "ids are dense");
  });

  it("throws on a negative h or a grey of another size", () => {
    assert.throws(() => separateByGrey(grey, full, "dark", { h: -1, spread: 1 }), /h must be ≥ 0/);
    assert.throws(() => separateByGrey(grey.subarray(1), full, "dark", { h: 0.1, spread: 1 }), /1799 grey values for a 60x30 mask/);
  });

  const missing = pythonMissing(["numpy", "skimage.morphology", "skimage.segmentation", "skimage.measure"]);
  (missing ? it.skip : it)(`matches scikit-image's h_maxima markers and watershed on a random field${missing ? ` (skipped: ${missing})` : ""}`, () => {
    const rng = new Rng(11);
    const w = 48, h = 40;
    const field = new Float32Array(w * h);
    const blobs = Array.from({ length: 9 }, () => [rng.uniform(0, w), rng.uniform(0, h), rng.uniform(3, 7)]);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) field[y * w + x] = Math.min(...blobs.map(([cx, cy, r]) => Math.hypot(x - cx, y - cy) / r)) + rng.uniform(0, 0.01);
    const mask = makeMask(w, h, (x, y) => field[y * w + x] < 1.6);
    const ours = separateByGrey(field, mask, "dark", { h: 0.2, spread: 1 });
    const ref = runPython<number[]>(`
import numpy as np
from skimage.morphology import h_maxima
from skimage.measure import label
from skimage.segmentation import watershed
w, h = inp["w"], inp["h"]
f = -np.array(inp["field"], dtype=np.float64).reshape(h, w)
m = np.array(inp["mask"], dtype=bool).reshape(h, w)
f[~m] = f[m].min() - 1
markers = label(h_maxima(f, inp["hmax"]) & m, connectivity=2)
print(json.dumps(watershed(-f, markers, mask=m, connectivity=2).ravel().tolist()))
`, { w, h, field: Array.from(field), mask: Array.from(mask.data), hmax: 0.2 });
    // The same parts up to their ids: each of ours maps to one of theirs on nearly every pixel.
    const votes = new Map<number, Map<number, number>>();
    ours.labels.forEach((l, i) => { if (l < 0) return; const v = votes.get(l) ?? new Map<number, number>(); v.set(ref[i], (v.get(ref[i]) ?? 0) + 1); votes.set(l, v); });
    let agree = 0, total = 0;
    for (const v of votes.values()) { agree += Math.max(...v.values()); total += [...v.values()].reduce((a, b) => a + b, 0); }
    assert.equal(ours.count, new Set(ref.filter((r) => r > 0)).size, "as many parts as scikit-image's");
    assert.ok(ours.count >= 4, `${ours.count} parts: the field has several basins to part`);
    assert.ok(agree / total > 0.98, `${agree} of ${total} pixels in the same part`);
    assert.ok(ref.every((r, i) => (r > 0) === (ours.labels[i] >= 0)), "the same pixels labelled");
  });
});
