import { strict as assert } from "assert";
import { makeMask, type Mask } from "../lib/image/mask";
import { separateParticles } from "../lib/particles/watershed";
import { reconstructByDilation } from "../lib/image/reconstruct";
import { PriorityQueue } from "../lib/util/heap";
import { extractParticles } from "../lib/particles/extract";
import { instanceAreas, instancesFromLabelMap } from "../lib/particles/instances";
import { fillHoles } from "../lib/image/fill_holes";
import { openMask } from "../lib/image/opening";
import { Rng } from "../lib/util/rng";
import { pythonMissing, runPython } from "./python_oracle";

/** Pixels whose centre lies within r of (cx, cy) (pixel centres at integer coordinates). */
const disc = (cx: number, cy: number, r: number) => (x: number, y: number): boolean => (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
const discs = (w: number, h: number, list: Array<[number, number, number]>): Mask =>
  makeMask(w, h, (x, y) => list.some(([cx, cy, r]) => disc(cx, cy, r)(x, y)));

describe("particles/watershed", () => {
  it("splits two touching discs of known radii into two particles of the right sizes", () => {
    for (const [r1, r2, gap] of [[10, 10, -1], [8, 14, -1], [12, 18, -2], [6, 6, 0]]) {
      const d = r1 + r2 + gap; // centre distance: overlapping by |gap| px
      const m = discs(120, 80, [[30, 40, r1], [30 + d, 40, r2]]);
      const inst = separateParticles(m);
      assert.equal(inst.count, 2, `r ${r1}+${r2}, centre distance ${d}`);
      const areas = [...instanceAreas(inst)].sort((a, b) => a - b);
      // each part holds its own disc's pixels except near the neck: within 6% of πr² (closed form)
      assert.ok(Math.abs(areas[0] - Math.PI * r1 * r1) / (Math.PI * r1 * r1) < 0.06, `small part ${areas[0]} vs ${Math.PI * r1 * r1}`);
      assert.ok(Math.abs(areas[1] - Math.PI * r2 * r2) / (Math.PI * r2 * r2) < 0.06, `large part ${areas[1]} vs ${Math.PI * r2 * r2}`);
      assert.equal(areas[0] + areas[1], m.data.reduce((s, v) => s + v, 0), "the parts tile the mask");
      // the cut lies between the centres: the smaller disc's centre pixel and the larger's differ
      assert.notEqual(inst.labels[40 * 120 + 30], inst.labels[40 * 120 + 30 + d]);
    }
  });

  it("keeps a single disc, an ellipse and a square whole, and separates a chain of three", () => {
    assert.equal(separateParticles(discs(60, 60, [[30, 30, 20]])).count, 1);
    assert.equal(separateParticles(makeMask(80, 60, (x, y) => ((x - 40) / 30) ** 2 + ((y - 30) / 10) ** 2 <= 1)).count, 1);
    assert.equal(separateParticles(makeMask(60, 60, (x, y) => x >= 10 && x < 50 && y >= 10 && y < 50)).count, 1);
    assert.equal(separateParticles(discs(140, 60, [[25, 30, 12], [48, 30, 12], [71, 30, 12]])).count, 3);
  });

  it("merges a shallow neck when h exceeds its depth, and noSplit gives connected components", () => {
    // discs of radius 10 overlapping (centres 14 apart): neck DT ≈ √(10² − 7²) ≈ 7.1, dynamic ≈ 3
    const m = discs(80, 50, [[30, 25, 10], [44, 25, 10]]);
    assert.equal(separateParticles(m, { h: 1 }).count, 2);
    assert.equal(separateParticles(m, { h: 5 }).count, 1);
    assert.equal(separateParticles(discs(100, 50, [[20, 25, 8], [60, 25, 8], [68, 25, 8]]), { noSplit: true }).count, 2);
    assert.throws(() => separateParticles(m, { h: -1 }), /h must be ≥ 0/);
  });

  it("labels every foreground pixel and nothing else, also for tiny components below h", () => {
    const rng = new Rng(3);
    const m = makeMask(50, 50, () => rng.next() < 0.3);
    const inst = separateParticles(m, { h: 2 });
    for (let i = 0; i < m.data.length; i++) assert.equal(inst.labels[i] >= 0, m.data[i] === 1, `pixel ${i}`);
  });

  it("reports dropped particles per reason instead of losing them", () => {
    // one disc cut by the left border, two tiny specks, two whole discs
    const m = discs(100, 60, [[2, 30, 8], [40, 30, 10], [75, 30, 10]]);
    m.data[5 * 100 + 50] = 1;
    m.data[55 * 100 + 90] = 1; m.data[55 * 100 + 91] = 1;
    const r = extractParticles(m, null, { minArea: 10 });
    assert.deepEqual(r.dropped, { border: 1, tooSmall: 2, scaleBar: 0, notParticle: 0, found: 5, kept: 2 });
    assert.equal(r.particles.length, 2);
    assert.deepEqual(r.status.filter((s) => s === "kept").length, 2);
    const all = extractParticles(m, null, { minArea: 0, dropBorder: false });
    assert.deepEqual(all.dropped, { border: 0, tooSmall: 0, scaleBar: 0, notParticle: 0, found: 5, kept: 5 });
  });

  it("renumbers a label map in raster order and keeps each value one instance", () => {
    const inst = instancesFromLabelMap([0, 7, 7, 3, 0, 7], 3, 2);
    assert.deepEqual([...inst.labels], [-1, 0, 0, 1, -1, 0]);
    assert.equal(inst.count, 2);
    assert.throws(() => instancesFromLabelMap([0, 1], 3, 2), /2 values for a 3x2/);
  });

  it("pops a priority queue in order with first-in first-out ties", () => {
    const q = new PriorityQueue();
    [[3, 0], [1, 1], [2, 2], [1, 3], [0, 4], [2, 5]].forEach(([p, v]) => q.push(p, v));
    const out: number[] = [];
    while (q.size) out.push(q.pop());
    assert.deepEqual(out, [4, 1, 3, 2, 5, 0]);
    assert.throws(() => q.pop(), /empty/);
  });

  it("fills holes that do not reach the border and opens away thin specks", () => {
    const ring = makeMask(30, 30, (x, y) => { const d = Math.hypot(x - 15, y - 15); return d <= 10 && d > 5; });
    const filled = fillHoles(ring);
    assert.equal(filled.data[15 * 30 + 15], 1);
    assert.equal(filled.data.reduce((s, v) => s + v, 0), discs(30, 30, [[15, 15, 10]]).data.reduce((s, v) => s + v, 0));
    const m = discs(60, 40, [[20, 20, 10]]);
    for (let x = 35; x < 58; x++) m.data[20 * 60 + x] = 1; // a 1-px thread
    const o = openMask(m, 2);
    assert.equal(o.data.reduce((s, v) => s + v, 0), discs(60, 40, [[20, 20, 10]]).data.reduce((s, v) => s + v, 0), "thread gone, disc intact");
  });

  const missing = pythonMissing(["numpy", "skimage.morphology"]);
  it("reconstruction by dilation matches scikit-image's reconstruction", function () {
    if (missing) { console.log(`      (skipped: ${missing})`); this.skip(); }
    const rng = new Rng(11);
    const w = 40, h = 30;
    const mask = Array.from({ length: w * h }, () => Math.round(rng.uniform(0, 10)));
    const seed = mask.map((v) => Math.max(0, v - Math.round(rng.uniform(0, 6))));
    const ref = runPython<number[]>(
      "import numpy as np\nfrom skimage.morphology import reconstruction\n" +
      "s = np.array(inp['seed'], float).reshape(inp['h'], inp['w']); m = np.array(inp['mask'], float).reshape(inp['h'], inp['w'])\n" +
      "print(json.dumps(reconstruction(s, m, method='dilation', footprint=np.ones((3, 3))).ravel().tolist()))",
      { seed, mask, w, h },
    );
    assert.deepEqual([...reconstructByDilation(seed, mask, w, h)], ref);
  });
});
