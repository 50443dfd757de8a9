import { strict as assert } from "assert";
import { instanceTargets, instancesFromLabelImage, CLASS_BACKGROUND, CLASS_INTERIOR, CLASS_BOUNDARY } from "../lib/particle_model/targets";
import { decodeInstances, type ParticleMaps } from "../lib/particle_model/decode";
import { seededFlood } from "../lib/particles/flood";
import { instanceAreas, instancesFromLabelMap } from "../lib/particles/instances";

/** Two 7×7 squares side by side touching along x = 8|9, on a 20×11 image (ids 1 and 2). */
function twoSquares(): { values: Uint16Array; w: number; h: number } {
  const w = 20, h = 11, values = new Uint16Array(w * h);
  for (let y = 2; y < 9; y++) for (let x = 2; x < 16; x++) values[y * w + x] = x < 9 ? 1 : 2;
  return { values, w, h };
}

describe("particle_model/targets", () => {
  it("marks a 1-px inner ring of every particle as boundary, so touching particles are parted by 2 px", () => {
    const { values, w, h } = twoSquares();
    const t = instanceTargets(instancesFromLabelMap(values, w, h));
    const c = (x: number, y: number): number => t.classes[y * w + x];
    assert.equal(c(0, 0), CLASS_BACKGROUND);
    assert.equal(c(2, 5), CLASS_BOUNDARY, "outer edge");
    assert.equal(c(8, 5), CLASS_BOUNDARY, "left square's side of the contact");
    assert.equal(c(9, 5), CLASS_BOUNDARY, "right square's side of the contact");
    assert.equal(c(5, 5), CLASS_INTERIOR);
    // hand count: a 7×7 square has a 5×5 interior; 2 squares → 50 interior, 2·24 boundary pixels
    assert.equal(t.classes.filter((v) => v === CLASS_INTERIOR).length, 50);
    assert.equal(t.classes.filter((v) => v === CLASS_BOUNDARY).length, 48);
  });

  it("normalises each particle's distance to 255 at its centre and keeps it 0 on background", () => {
    const { values, w, h } = twoSquares();
    const t = instanceTargets(instancesFromLabelMap(values, w, h));
    assert.equal(t.distance[5 * w + 5], 255, "centre of the left square (farthest from its outside)");
    assert.equal(t.distance[0], 0);
    // the contact column is no farther from its particle's outside than the outer edge column
    assert.ok(t.distance[5 * w + 8] <= t.distance[5 * w + 3] + 1, `${t.distance[5 * w + 8]} vs ${t.distance[5 * w + 3]}`);
    assert.ok(t.distance[5 * w + 4] > t.distance[5 * w + 2], "distance grows inwards");
  });

  it("splits a binary mask at background lines into 4-connected particles, keeps instance maps as they are", () => {
    const w = 9, h = 3;
    // two blobs joined only diagonally → separate under 4-connectivity
    const bin = new Uint8Array(w * h);
    for (const [x, y] of [[0, 0], [1, 0], [1, 1], [2, 2], [3, 2], [6, 0], [7, 0]]) bin[y * w + x] = 255;
    const a = instancesFromLabelImage(bin, w, h);
    assert.equal(a.count, 3);
    const map = new Uint16Array(w * h);
    map[0] = 7; map[1] = 7; map[2] = 300; // two values touching: two particles
    assert.equal(instancesFromLabelImage(map, w, h).count, 2);
  });
});

describe("particles/flood and particle_model/decode", () => {
  it("grows seeds over the foreground in priority order and gives unseeded parts their own id", () => {
    const w = 7, h = 1;
    const fg = Uint8Array.from([1, 1, 1, 1, 1, 0, 1]);
    const seeds = Int32Array.from([0, -1, -1, -1, 1, -1, -1]);
    const prio = Float32Array.from([1, 0.9, 0.2, 0.8, 1, 0, 0.5]);
    const inst = seededFlood(seeds, fg, prio, w, h);
    // pixel 2 (priority 0.2) is reached from both sides; 1 (0.9) and 3 (0.8) go first, 1 pops before 3 → 2 joins seed 0
    assert.deepEqual([...inst.labels], [0, 0, 0, 1, 1, -1, 2]);
    assert.equal(inst.count, 3);
  });

  it("decodes two touching discs from ideal maps with both designs", () => {
    const w = 40, h = 20, n = w * h;
    const maps: ParticleMaps = { width: w, height: h, background: new Float32Array(n).fill(1), interior: new Float32Array(n), boundary: new Float32Array(n), distance: new Float32Array(n) };
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
      const d1 = Math.hypot(x - 12, y - 10), d2 = Math.hypot(x - 27, y - 10);
      const d = Math.min(d1, d2);
      if (d > 8) continue;
      const i = y * w + x;
      maps.background[i] = 0;
      const inner = d < 6.5 ? 1 : 0;
      maps.interior[i] = inner; maps.boundary[i] = 1 - inner;
      maps.distance[i] = 1 - d / 8;
    }
    for (const design of ["boundary", "distance"] as const) {
      const inst = decodeInstances(maps, { design });
      assert.equal(inst.count, 2, design);
      const areas = [...instanceAreas(inst)];
      assert.equal(areas[0] + areas[1], maps.background.filter((v) => v < 0.5).length, `${design}: the parts tile the foreground`);
      assert.notEqual(inst.labels[10 * w + 12], inst.labels[10 * w + 27]);
    }
    assert.throws(() => decodeInstances(maps, { seed: 1.5 }), /seed threshold must be in \(0,1\)/);
  });
});
