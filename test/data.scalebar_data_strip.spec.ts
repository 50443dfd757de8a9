import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import type { GreyImage } from "../lib/data/scalebar/find_bar";
import { findDataStrip } from "../lib/data/scalebar/data_strip";
import { readBurntIn, toGrey8 } from "../lib/data/scalebar/calibrate";
import { decodeImage } from "../lib/data/decode";
import { calibrateImage } from "../lib/particles/calibrate";
import { Rng } from "../lib/util/rng";

/**
 * A W×H noisy field (grey 90 ± 25, seeded) with bright 6-px discs, and, when `strip` rows > 0, a band of
 * grey `level` along `side` with rows of "text" (every third pixel of 3 of each 8 rows at 255 − level).
 */
function field(o: { W: number; H: number; strip: number; level: number; side: "top" | "bottom"; seed: number }): GreyImage {
  const rng = new Rng(o.seed);
  const data = new Uint8Array(o.W * o.H);
  for (let i = 0; i < data.length; i++) data[i] = Math.max(0, Math.min(255, Math.round(90 + rng.uniform(-25, 25))));
  for (let k = 0; k < 30; k++) {
    const cx = rng.uniform(10, o.W - 10), cy = rng.uniform(10, o.H - 10);
    for (let y = 0; y < o.H; y++) for (let x = 0; x < o.W; x++) if ((x - cx) ** 2 + (y - cy) ** 2 < 36) data[y * o.W + x] = 200;
  }
  for (let r = 0; r < o.strip; r++) {
    const y = o.side === "bottom" ? o.H - 1 - r : r;
    const text = r % 8 >= 3 && r % 8 < 6;
    for (let x = 0; x < o.W; x++) data[y * o.W + x] = text && x % 3 === 0 && x > 10 && x < o.W - 10 ? 255 - o.level : o.level;
  }
  return { data, width: o.W, height: o.H };
}

describe("data strip (findDataStrip)", () => {
  it("finds a white strip under a dark field, and a black one, with their rows and level", () => {
    const white = findDataStrip(field({ W: 300, H: 200, strip: 24, level: 250, side: "bottom", seed: 1 }));
    assert.deepEqual(white && { side: white.side, box: white.box, level: white.level }, { side: "bottom", box: { x0: 0, y0: 175, x1: 300, y1: 200 }, level: 250 });
    const black = findDataStrip(field({ W: 300, H: 200, strip: 30, level: 3, side: "bottom", seed: 2 }));
    assert.deepEqual(black?.box, { x0: 0, y0: 169, x1: 300, y1: 200 }, "30 rows and the edge's row");
    const framed = field({ W: 300, H: 200, strip: 30, level: 3, side: "bottom", seed: 2 });
    framed.data.fill(255, 198 * 300, 200 * 300); // a figure's 2-px white frame under the strip
    assert.deepEqual(findDataStrip(framed)?.box, { x0: 0, y0: 169, x1: 300, y1: 200 }, "the frame goes with the strip");
    framed.data.fill(128, 196 * 300, 200 * 300);
    assert.equal(findDataStrip(framed), null, "4 rows of another level are no frame line (at most 3 are skipped)");
    const top = findDataStrip(field({ W: 300, H: 200, strip: 20, level: 10, side: "top", seed: 3 }));
    assert.deepEqual(top && { side: top.side, box: top.box }, { side: "top", box: { x0: 0, y0: 0, x1: 300, y1: 21 } });
  });

  it("finds none in a field without one, nor in a strip too thin or too tall to be one", () => {
    assert.equal(findDataStrip(field({ W: 300, H: 200, strip: 0, level: 0, side: "bottom", seed: 4 })), null);
    assert.equal(findDataStrip(field({ W: 300, H: 200, strip: 4, level: 250, side: "bottom", seed: 5 })), null, "under 6 rows");
    assert.equal(findDataStrip(field({ W: 300, H: 200, strip: 60, level: 250, side: "bottom", seed: 6 })), null, "over a quarter of the height");
  });

  it("tells a strip from a flat background that reaches the edge (a bright TEM field with dark particles)", () => {
    const img = (ragged: boolean): GreyImage => {
      const g = field({ W: 300, H: 200, strip: 0, level: 0, side: "bottom", seed: 7 });
      // The lowest 40 rows are flat background at 230 with dark particles in it; ragged, it reaches 10 rows
      // higher over the left 120 columns (no straight edge across), as a background does.
      for (let y = 150; y < 200; y++) for (let x = 0; x < 300; x++) {
        if (y < 160 && (!ragged || x >= 120)) continue;
        g.data[y * 300 + x] = (x - 70) ** 2 + (y - 180) ** 2 < 200 || (x - 220) ** 2 + (y - 185) ** 2 < 150 ? 40 : 230;
      }
      return g;
    };
    assert.equal(findDataStrip(img(true)), null);
    assert.deepEqual(findDataStrip(img(false))?.box, { x0: 0, y0: 159, x1: 300, y1: 200 }, "the same band with a straight edge is a strip");
  });

  const emps = path.join(__dirname, "..", "..", "shared", "data", "emps-train", "images");
  it("finds the strips of real EMPS SEM/TEM micrographs and none in flat-background ones (skips without the data)", async function () {
    if (!fs.existsSync(emps)) { console.log(`      (skipped: ${emps} not found)`); this.skip(); }
    this.timeout(60_000);
    const grey = async (id: string): Promise<GreyImage> => toGrey8(await decodeImage(path.join(emps, `${id}.jpg`), { channels: "native" }));
    // The box starts at the row between field and strip (its median grey halfway: 463 → 225 → 255 on a4027c076c).
    const want: Record<string, { y0: number; level: number }> = {
      a4027c076c: { y0: 464, level: 255 }, // white strip (Zeiss, NTNU) under a dark SEM field
      "245e1a4826": { y0: 473, level: 2 }, // black strip under a TEM field
      ef6bbe7612: { y0: 480, level: 45 }, // grey FEI strip
    };
    for (const [id, w] of Object.entries(want)) {
      const s = await findDataStrip(await grey(id));
      assert.ok(s && s.side === "bottom" && Math.abs(s.box.y0 - w.y0) <= 1 && Math.abs(s.level - w.level) <= 3, `${id}: ${JSON.stringify(s)}`);
    }
    // Flat backgrounds reaching an edge (TEM fields, close-packed spheres, a dark SEM field): the near misses of a looser rule.
    for (const id of ["82c99bbb53", "55511ff512", "c7e9ec8d48", "1bf56ce626", "85743c45d1", "9c4905d020"]) {
      assert.equal(findDataStrip(await grey(id)), null, id);
    }
  });

  it("finds the strip of a real SEM crop under a figure's frame line (skips without the data)", async function () {
    const file = path.join(__dirname, "..", "..", "shared", "data", "scalebars", "100 um.png");
    if (!fs.existsSync(file)) { console.log(`      (skipped: ${file} not found)`); this.skip(); }
    // Row medians: field to 481, 482 halfway (18), black strip 483–508, a grey-white frame line 509–511.
    const s = findDataStrip(toGrey8(await decodeImage(file, { channels: "native" })));
    assert.deepEqual(s && { side: s.side, box: s.box, level: s.level }, { side: "bottom", box: { x0: 0, y0: 482, x1: 682, y1: 512 }, level: 0 });
  });

  it("puts the strip among the boxes particles leave out, beside the scale bar's (skips without the data)", async function () {
    const file = path.join(emps, "a4027c076c.jpg");
    if (!fs.existsSync(file)) { console.log(`      (skipped: ${file} not found)`); this.skip(); }
    this.timeout(60_000);
    const { bar, strip } = await readBurntIn(file);
    assert.ok(strip, "the strip is found");
    const r = await calibrateImage(file, { nmPerPx: 1 });
    assert.ok(r.exclude.some((b) => JSON.stringify(b) === JSON.stringify(strip!.box)), JSON.stringify(r.exclude));
    assert.equal(r.exclude.length, bar.exclude ? 2 : 1);
    assert.deepEqual((await calibrateImage(file, { scaleBars: false })).exclude, [], "nothing burnt in is looked for without scale bars");
  });
});
