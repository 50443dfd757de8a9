import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import sharp from "sharp";
import { Rng } from "../lib/util/rng";
import { makeMask, pixelDensity, type Mask } from "../lib/image/mask";
import { distanceTransform } from "../lib/image/edt";
import { connectedComponents } from "../lib/image/components";
import { skeletonize, neighbourCounts, chainFactor } from "../lib/image/skeleton";
import { nematicOrder, principalAngle, orientationHistogram } from "../lib/quantify/orientation";
import { measureDomains } from "../lib/quantify/domains";
import { drawBar, drawArc } from "../lib/quantify/draw";
import { readMaskFile, encodeMaskPng } from "../lib/quantify/mask_io";
import { quantifyFiles, summaryRow } from "../lib/quantify/quantify_image";
import { pythonMissing, runPython } from "./python_oracle";

const SCIPY_EDT = `
import numpy as np
from scipy.ndimage import distance_transform_edt
out = []
for m in payload:
    a = np.array(m["data"], dtype=np.uint8).reshape(m["h"], m["w"])
    out.append(distance_transform_edt(a).ravel().tolist())
print(json.dumps(out))
`;

function blobs(rng: Rng, w: number, h: number): Mask {
  const m = makeMask(w, h);
  for (let i = 0; i < 6; i++) drawBar(m, rng.uniform(0, w), rng.uniform(0, h), rng.uniform(3, 40), rng.uniform(1, 12), rng.uniform(0, 180));
  return m;
}

describe("quantify/edt", function () {
  const missing = pythonMissing(["numpy", "scipy"]);

  it("is exact on a hand-worked case: one background pixel in a 5×3 mask gives Euclidean distances to it", () => {
    const m = makeMask(5, 3, () => true);
    m.data[1 * 5 + 0] = 0;
    const d = distanceTransform(m);
    for (let y = 0; y < 3; y++) for (let x = 0; x < 5; x++) assert.ok(Math.abs(d[y * 5 + x] - Math.hypot(x, y - 1)) < 1e-12);
  });

  it("matches scipy.ndimage.distance_transform_edt on random and shape masks (|Δ| < 1e-9)", function () {
    if (missing) { console.log(`      skipped oracle: ${missing}`); this.skip(); }
    const rng = new Rng(6101);
    const masks: Mask[] = [];
    for (const p of [0.5, 0.9, 0.99]) masks.push(makeMask(41, 23, () => rng.bernoulli(p)));
    for (let i = 0; i < 3; i++) masks.push(blobs(rng, 64, 48));
    const sc = runPython<number[][]>(SCIPY_EDT, masks.map((m) => ({ w: m.width, h: m.height, data: Array.from(m.data) })));
    masks.forEach((m, i) => {
      const d = distanceTransform(m);
      let worst = 0;
      for (let p = 0; p < d.length; p++) worst = Math.max(worst, Math.abs(d[p] - sc[i][p]));
      assert.ok(worst < 1e-9, `mask ${i}: max |Δ| = ${worst}`);
    });
  });

  it("gives Infinity when there is no background at all", () => {
    const d = distanceTransform(makeMask(3, 3, () => true));
    assert.ok(Array.from(d).every((v) => v === Infinity));
  });
});

describe("quantify/skeleton", () => {
  it("thins random shapes to a one-pixel, 8-connected subset that keeps every domain and its topology", () => {
    const rng = new Rng(6102);
    for (let t = 0; t < 8; t++) {
      const m = blobs(rng, 96, 96);
      const sk = skeletonize(m);
      for (let p = 0; p < m.data.length; p++) if (sk.data[p]) assert.equal(m.data[p], 1, "skeleton outside the mask");
      // No 2×2 block survives (one pixel wide).
      for (let y = 0; y + 1 < 96; y++) for (let x = 0; x + 1 < 96; x++) {
        const s = sk.data[y * 96 + x] + sk.data[y * 96 + x + 1] + sk.data[(y + 1) * 96 + x] + sk.data[(y + 1) * 96 + x + 1];
        assert.ok(s < 4, `2×2 block at ${x},${y}`);
      }
      // Thinning never splits a domain: each domain's skeleton pixels form one 8-connected piece
      // (domains erased completely, e.g. 2×2 squares, are restored by measureDomains and not counted here).
      const cc = connectedComponents(m, 8);
      const sc = connectedComponents(sk, 8);
      const piecesPerDomain = new Map<number, Set<number>>();
      for (let p = 0; p < m.data.length; p++) if (sk.data[p]) {
        const s = piecesPerDomain.get(cc.labels[p]) ?? new Set<number>();
        s.add(sc.labels[p]); piecesPerDomain.set(cc.labels[p], s);
      }
      for (const [dom, pieces] of piecesPerDomain) assert.equal(pieces.size, 1, `domain ${dom} split into ${pieces.size}`);
    }
  });

  it("keeps a ring a ring: the skeleton of an annulus is a closed loop (no end points, every pixel has 2 neighbours)", () => {
    const m = makeMask(80, 80);
    drawArc(m, 40, 40, 25, 0, 360, 6);
    const sk = skeletonize(m);
    const nb = neighbourCounts(sk);
    let n = 0;
    for (let p = 0; p < nb.length; p++) if (sk.data[p]) { n++; assert.equal(nb[p], 2, `pixel ${p} has ${nb[p]} neighbours`); }
    assert.ok(n > 100);
  });

  it("chain factor: 1 on the axes and diagonals, cos22.5°+(√2−1)sin22.5° ≈ 1.0824 at 22.5°", () => {
    assert.ok(Math.abs(chainFactor(0) - 1) < 1e-12 && Math.abs(chainFactor(90) - 1) < 1e-12);
    assert.ok(Math.abs(chainFactor(45) - 1) < 1e-12 && Math.abs(chainFactor(135) - 1) < 1e-12);
    assert.ok(Math.abs(chainFactor(22.5) - 1.0823922) < 1e-6);
  });
});

describe("quantify/orientation", () => {
  it("principal axis of a line's moments recovers its angle (y up)", () => {
    for (const deg of [0, 30, 45, 90, 120, 170]) {
      const t = (deg * Math.PI) / 180;
      const pts = Array.from({ length: 21 }, (_, i) => [(i - 10) * Math.cos(t), -(i - 10) * Math.sin(t)]); // rows down
      const sxx = pts.reduce((s, p) => s + p[0] * p[0], 0), syy = pts.reduce((s, p) => s + p[1] * p[1], 0);
      const sxy = pts.reduce((s, p) => s + p[0] * p[1], 0);
      const got = principalAngle(sxx, syy, sxy);
      assert.ok(Math.abs(((got - deg + 90) % 180 + 180) % 180 - 90) < 1e-9, `${deg} → ${got}`);
    }
  });

  it("nematic order: 1 for parallel rods (also θ and θ+180), 0 for two perpendicular families, cos(2·Δ) for a ±Δ pair", () => {
    assert.ok(Math.abs(nematicOrder([30, 30, 210]).order - 1) < 1e-12);
    assert.ok(Math.abs(nematicOrder([30, 30, 210]).director - 30) < 1e-9);
    assert.ok(Math.abs(nematicOrder([0, 90, 0, 90]).order) < 1e-12);
    // Closed form: |(e^{2iΔ} + e^{-2iΔ})/2| = |cos 2Δ|.
    assert.ok(Math.abs(nematicOrder([20 - 15, 20 + 15]).order - Math.cos((30 * Math.PI) / 180)) < 1e-12);
    assert.deepEqual(orientationHistogram([0, 5, 95, 179.9, 180], 4), [3, 0, 1, 1].map((v, i) => (i === 0 ? 3 : v)));
  });
});

describe("quantify/domains (validated on drawn ground truth)", () => {
  // Tolerances come from a sweep over 432 drawn bars (L = 100, W = 2…9 px, angles every 7.5°, three
  // sub-pixel offsets; see the DomainOptions doc): length within 6% (1% axis-aligned), DT width within
  // 1 px (0.05 px axis-aligned, odd or even W), area/length width within 10% for W ≥ 5, orientation 1°.
  it("measures straight bars of known length, width and angle", () => {
    const cases: Array<[number, number, number]> = [[100, 5, 0], [100, 4, 90], [100, 7, 45], [120, 9, 30], [80, 3, 60], [100, 6, 10], [90, 2, 135], [110, 5, 22.5]];
    for (const [L, W, A] of cases) {
      const m = makeMask(200, 200);
      drawBar(m, 100.3, 99.6, L, W, A);
      const r = measureDomains(m);
      assert.equal(r.domainCount, 1);
      const d = r.domains[0];
      const axis = A % 90 === 0;
      assert.ok(Math.abs(d.length - L) <= (axis ? 0.01 : 0.06) * L, `L=${L} W=${W} A=${A}: length ${d.length}`);
      assert.ok(Math.abs(d.meanWidth - W) <= (axis ? 0.05 : 1), `L=${L} W=${W} A=${A}: width ${d.meanWidth}`);
      if (W >= 5) assert.ok(Math.abs(d.areaWidth - W) <= 0.1 * W, `areaWidth ${d.areaWidth}`);
      const dA = Math.abs(((d.orientation - A + 90) % 180 + 180) % 180 - 90);
      assert.ok(dA <= 1, `angle ${d.orientation} vs ${A}`);
      assert.equal(d.endPoints, 2);
      assert.equal(d.branchPoints, 0);
      // Thinning bends the last few skeleton pixels toward a corner of a flat end, so S of one straight bar
      // is a little below 1 (432-bar sweep: ≥ 0.94 for W ≤ 5, lowest 0.87 at W = 9).
      assert.ok(r.nematicOrder > 0.9, `S=${r.nematicOrder} for W=${W} A=${A}`);
    }
  });

  it("measures curved wires: a half-ring of radius 60 has centre-line length 60π", () => {
    const m = makeMask(200, 200);
    drawArc(m, 100, 120, 60, 0, 180, 5);
    const d = measureDomains(m).domains[0];
    assert.ok(Math.abs(d.length - 60 * Math.PI) <= 0.02 * 60 * Math.PI, `length ${d.length}`);
    assert.ok(Math.abs(d.meanWidth - 5) <= 0.8, `width ${d.meanWidth}`);
    assert.equal(d.endPoints, 2);
    // Tangents of a half-ring cover [0,180) uniformly: nematic order ≈ 0 (|⟨e^{2iθ}⟩| over a half circle = 0).
    assert.ok(d.nematicOrder < 0.1, `S=${d.nematicOrder}`);
  });

  it("counts branches and ends: a plus has 4 ends and 1 branch point; a star of 3 wires has 6 ends, 1 branch", () => {
    const plus = makeMask(120, 120);
    drawBar(plus, 60, 60, 100, 5, 0); drawBar(plus, 60, 60, 100, 5, 90);
    let d = measureDomains(plus).domains[0];
    assert.equal(d.endPoints, 4);
    assert.equal(d.branchPoints, 1);
    assert.ok(Math.abs(d.length - 200) <= 4, `length ${d.length}`);
    const star = makeMask(160, 160);
    for (const a of [0, 60, 120]) drawBar(star, 80, 80, 120, 5, a);
    d = measureDomains(star).domains[0];
    assert.equal(d.endPoints, 6);
    assert.equal(d.branchPoints, 1);
  });

  it("counts separate domains, reports density, ignores specks below minArea and converts to nm", () => {
    const m = makeMask(100, 100);
    drawBar(m, 20, 20, 30, 4, 0); drawBar(m, 60, 70, 40, 6, 90); drawBar(m, 80, 20, 20, 3, 45);
    m.data[99 * 100 + 0] = 1; // a 1-px speck
    const all = measureDomains(m);
    assert.equal(all.domainCount, 4);
    const r = measureDomains(m, { minArea: 5, nmPerPx: 2.5 });
    assert.equal(r.domainCount, 3);
    assert.equal(r.density, pixelDensity(m));
    const d = r.domains.find((x) => Math.abs(x.orientation - 90) < 2)!;
    assert.equal(d.area, 40 * 6);
    assert.equal(d.areaNm2, 240 * 6.25);
    assert.ok(Math.abs(d.lengthNm! - 2.5 * d.length) < 1e-9 && Math.abs(d.lengthNm! - 100) <= 2.5);
  });

  it("gives tiny domains erased by thinning (a 2×2 square) one skeleton pixel", () => {
    const m = makeMask(6, 6);
    m.data[2 * 6 + 2] = m.data[2 * 6 + 3] = m.data[3 * 6 + 2] = m.data[3 * 6 + 3] = 1;
    const r = measureDomains(m);
    assert.equal(r.domainCount, 1);
    assert.equal(r.domains[0].skeletonPixels, 1);
    assert.equal(r.domains[0].length, 1); // 2·DT − 1 with DT = 1
  });
});

describe("quantify/mask_io", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nm-quantify-"));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("reads binary PNGs (round trip), the paper's colour labels (G ≠ B) and 16-bit label maps (nonzero)", async () => {
    const rng = new Rng(6103);
    const m = makeMask(33, 17, () => rng.bernoulli(0.3));
    fs.writeFileSync(path.join(dir, "a.png"), await encodeMaskPng(m));
    assert.deepEqual((await readMaskFile(path.join(dir, "a.png"))).data, m.data);
    // Colour label: nanowire painted green-ish (G ≠ B) over a gray background (G = B).
    const rgb = Buffer.alloc(33 * 17 * 3);
    for (let i = 0; i < 33 * 17; i++) {
      const g = 40 + (i % 100);
      rgb[3 * i] = g; rgb[3 * i + 1] = m.data[i] ? 200 : g; rgb[3 * i + 2] = m.data[i] ? 30 : g;
    }
    await sharp(rgb, { raw: { width: 33, height: 17, channels: 3 } }).png().toFile(path.join(dir, "b_label.png"));
    assert.deepEqual((await readMaskFile(path.join(dir, "b_label.png"))).data, m.data);
    // 16-bit instance map: labels 1..700 (> 255, so an 8-bit reader would wrap some to 0).
    const u16 = new Uint16Array(33 * 17);
    for (let i = 0; i < u16.length; i++) u16[i] = m.data[i] ? 1 + ((i * 37) % 700) : 0;
    await sharp(u16, { raw: { width: 33, height: 17, channels: 1 } }).toColourspace("grey16").png().toFile(path.join(dir, "c.png"));
    assert.deepEqual((await readMaskFile(path.join(dir, "c.png"))).data, m.data);
  });

  it("quantifies a folder into one summary row per file", async () => {
    const m = makeMask(40, 40); drawBar(m, 20, 20, 40, 3, 0); drawBar(m, 20, 20, 40, 3, 90);
    fs.writeFileSync(path.join(dir, "net.png"), await encodeMaskPng(m));
    const reps = await quantifyFiles([path.join(dir, "net.png")], { nmPerPx: 2 });
    const row = summaryRow(reps[0]);
    assert.equal(row.file, "net.png");
    assert.equal(row.percolates, true);
    assert.equal(row.domainCount, 1);
    assert.equal(row.branchPoints, 1);
    assert.ok(Math.abs(row.totalLengthNm - 2 * row.totalLength) < 1e-9);
  });

  it("names the file when it cannot be decoded", async () => {
    fs.writeFileSync(path.join(dir, "bad.png"), "not a png");
    await assert.rejects(readMaskFile(path.join(dir, "bad.png")), /bad\.png/);
  });
});
