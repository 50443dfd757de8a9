import { strict as assert } from "assert";
import { makeMask, type Mask } from "../lib/image/mask";
import { measureParticles } from "../lib/particles/measure";
import { convexHull, feretDiameters, polygonArea } from "../lib/particles/hull";
import { instancesFromLabelMap, type InstanceLabels } from "../lib/particles/instances";
import { userCalibration, type Calibration } from "../lib/data/calibration";
import { Rng } from "../lib/util/rng";
import { pythonMissing, runPython } from "./python_oracle";

const single = (m: Mask): InstanceLabels => instancesFromLabelMap(m.data, m.width, m.height, 0);
const measure = (m: Mask, cal: Calibration | null = null) => measureParticles(single(m), cal)[0];
/** Ellipse with semi-axes a, b at `deg` (counter-clockwise, y up), centred at (cx, cy). */
const ellipse = (w: number, h: number, cx: number, cy: number, a: number, b: number, deg: number): Mask => makeMask(w, h, (x, y) => {
  const t = (deg * Math.PI) / 180, dx = x - cx, dy = -(y - cy);
  const u = dx * Math.cos(t) + dy * Math.sin(t), v = -dx * Math.sin(t) + dy * Math.cos(t);
  return (u / a) ** 2 + (v / b) ** 2 <= 1;
});
const close = (a: number, b: number, tol: number, what: string): void => assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b} (±${tol})`);

describe("particles/measure", () => {
  it("measures an a×a square exactly: Feret a√2 and a, solidity 1, ECD √(4a²/π), round moments", () => {
    for (const a of [5, 12, 20]) {
      const p = measure(makeMask(40, 40, (x, y) => x >= 7 && x < 7 + a && y >= 9 && y < 9 + a));
      close(p.area, a * a, 0, "area");
      close(p.feretMax, a * Math.SQRT2, 1e-9, "feret max");
      close(p.feretMin, a, 1e-9, "feret min");
      close(p.aspectRatio, Math.SQRT2, 1e-9, "aspect");
      close(p.solidity, 1, 0, "solidity");
      close(p.equivalentDiameter, Math.sqrt((4 * a * a) / Math.PI), 1e-9, "ECD");
      close(p.eccentricity, 0, 1e-9, "eccentricity");
      assert.deepEqual(p.centroid, [7 + (a - 1) / 2, 9 + (a - 1) / 2]);
      assert.equal(p.unit, "px");
    }
  });

  it("measures discs close to the closed forms: ECD 2r, Feret 2r + ~1 px (pixel corners), circularity → 1", () => {
    for (const r of [8, 15, 30]) {
      const p = measure(makeMask(2 * r + 10, 2 * r + 10, (x, y) => (x - r - 5) ** 2 + (y - r - 5) ** 2 <= r * r));
      close(p.equivalentDiameter, 2 * r, 0.3, `ECD r=${r}`);
      // the hull of pixel corners reaches half a pixel past the outermost centres (√½ on diagonals)
      assert.ok(p.feretMax >= 2 * r + 1 - 1e-9 && p.feretMax <= 2 * r + Math.SQRT2 + 1e-9, `feret max ${p.feretMax} r=${r}`);
      assert.ok(p.feretMin >= 2 * r && p.feretMin <= 2 * r + Math.SQRT2, `feret min ${p.feretMin} r=${r}`);
      assert.ok(p.aspectRatio < 1.05, `aspect ${p.aspectRatio}`);
      assert.ok(p.circularity > 0.9 && p.circularity <= 1.0, `circularity ${p.circularity} r=${r}`);
      close(p.perimeter, 2 * Math.PI * r, 0.05 * 2 * Math.PI * r, `perimeter r=${r}`);
    }
  });

  it("measures ellipses: orientation, axes 2a and 2b, eccentricity √(1 − b²/a²), Feret ≈ 2a / 2b", () => {
    for (const deg of [0, 20, 45, 75, 110, 160]) {
      const p = measure(ellipse(110, 110, 55, 55, 36, 14, deg));
      const dd = Math.abs(((p.orientation - deg + 90) % 180 + 180) % 180 - 90);
      assert.ok(dd < 0.5, `orientation ${p.orientation} vs ${deg}`);
      close(p.majorAxis, 72, 1, "major axis");
      close(p.minorAxis, 28, 1, "minor axis");
      close(p.eccentricity, Math.sqrt(1 - (14 / 36) ** 2), 0.01, "eccentricity");
      close(p.feretMax, 72, 1.5, "feret max");
      close(p.feretMin, 28, 1.5, "feret min");
      close(p.aspectRatio, 36 / 14, 0.15, "aspect ratio");
      assert.ok(p.solidity > 0.95 && p.solidity <= 1, `solidity ${p.solidity}`);
    }
  });

  it("measures in nm with non-square pixels: a 10×10-pixel square at 2×1 nm/px is a 20×10 nm rectangle", () => {
    const cal: Calibration = { nmPerPxX: 2, nmPerPxY: 1, source: "user", detail: "test", confidence: 1 };
    const p = measure(makeMask(30, 30, (x, y) => x >= 5 && x < 15 && y >= 5 && y < 15), cal);
    assert.equal(p.unit, "nm");
    close(p.area, 200, 1e-9, "area nm²");
    close(p.feretMax, Math.hypot(20, 10), 1e-9, "feret max nm");
    close(p.feretMin, 10, 1e-9, "feret min nm");
    close(p.orientation, 0, 1e-9, "long axis along x");
    close(p.equivalentDiameter, Math.sqrt(800 / Math.PI), 1e-9, "ECD nm");
    const q = measure(makeMask(30, 30, (x, y) => x >= 5 && x < 15 && y >= 5 && y < 15), userCalibration(0.5));
    close(q.feretMin, 5, 1e-9, "square pixels scale every length");
  });

  it("measures a physical disc drawn on 1×2 nm pixels as a disc: ECD, Feret, Crofton perimeter in the physical frame", () => {
    const cal: Calibration = { nmPerPxX: 1, nmPerPxY: 2, source: "user", detail: "test", confidence: 1 };
    const R = 30; // nm; pixel (x, y) spans [x, x+1] nm × [2y, 2y+2] nm
    const p = measure(makeMask(80, 40, (x, y) => Math.hypot(x + 0.5 - 40, 2 * (y + 0.5) - 40) <= R), cal);
    close(p.equivalentDiameter, 2 * R, 0.5, "ECD nm");
    close(p.feretMax, 2 * R, 2.5, "feret max nm (pixel corners add up to ~1 pixel)");
    close(p.feretMin, 2 * R, 2.5, "feret min nm");
    close(p.perimeter, 2 * Math.PI * R, 0.04 * 2 * Math.PI * R, "perimeter nm");
    assert.ok(p.circularity > 0.92 && p.circularity < 1.05, `circularity ${p.circularity}`);
    assert.ok(p.eccentricity < 0.15, `eccentricity ${p.eccentricity}`);
  });

  it("convex hull, polygon area and calipers agree with hand-worked polygons", () => {
    const hull = convexHull([[0, 0], [4, 0], [4, 3], [0, 3], [2, 1], [1, 2], [4, 0]]);
    assert.equal(hull.length, 4);
    assert.equal(polygonArea(hull), 12);
    const f = feretDiameters(hull);
    close(f.max, 5, 1e-12, "diagonal of 4×3");
    close(f.min, 3, 1e-12, "width of 4×3");
    const tri = feretDiameters(convexHull([[0, 0], [6, 0], [3, 3 * Math.sqrt(3)]]));
    close(tri.min, 3 * Math.sqrt(3), 1e-9, "equilateral triangle: min width = height");
    close(tri.max, 6, 1e-9, "equilateral triangle: max = side");
  });

  const missing = pythonMissing(["numpy", "skimage.measure"]);
  it("agrees with scikit-image regionprops (solidity, eccentricity, orientation, Crofton perimeter, Feret max)", function () {
    if (missing) { console.log(`      (skipped: ${missing})`); this.skip(); }
    const rng = new Rng(5);
    const masks: Mask[] = [];
    for (let k = 0; k < 6; k++) {
      const a = rng.uniform(8, 25), b = rng.uniform(5, a), deg = rng.uniform(0, 180);
      masks.push(ellipse(64, 64, 32 + rng.uniform(-1, 1), 32 + rng.uniform(-1, 1), a, b, deg));
    }
    masks.push(makeMask(64, 64, (x, y) => (x > 10 && x < 50 && y > 20 && y < 30) || (x > 25 && x < 35 && y > 10 && y < 55))); // a cross
    masks.push(makeMask(64, 64, (x, y) => y > 8 && y < 56 && Math.abs(x - 32) < (y - 8) * 0.5)); // a triangle
    const ref = runPython<Array<Record<string, number>>>(
      "import numpy as np\nfrom skimage.measure import regionprops\nout = []\n" +
      "for m in inp:\n  p = regionprops(np.array(m['data'], int).reshape(m['h'], m['w']))[0]\n" +
      "  out.append(dict(solidity=float(p.solidity), eccentricity=float(p.eccentricity), orientation=float(np.rad2deg(p.orientation)),\n" +
      "    crofton=float(p.perimeter_crofton), feret=float(p.feret_diameter_max), major=float(p.major_axis_length), minor=float(p.minor_axis_length)))\n" +
      "print(json.dumps(out))",
      masks.map((m) => ({ data: [...m.data], w: m.width, h: m.height })),
    );
    masks.forEach((m, k) => {
      const p = measure(m), r = ref[k];
      close(p.solidity, r.solidity, 1e-9, `solidity ${k}`);
      close(p.eccentricity, r.eccentricity, 1e-9, `eccentricity ${k}`);
      close(p.perimeter, r.crofton, 1e-9, `Crofton perimeter ${k}`);
      close(p.majorAxis, r.major, 1e-9, `major axis ${k}`);
      close(p.minorAxis, r.minor, 1e-9, `minor axis ${k}`);
      // skimage: angle from the row axis in (−90°, 90°]; ours: from +x, y up → ours = skimage + 90 (mod 180)
      if (r.eccentricity > 0.2) close(((r.orientation + 90) % 180 + 180) % 180, p.orientation, 1e-6, `orientation ${k}`);
      // skimage 0.19 measures Feret on the contour of its convex-hull image, ours on the hull of the pixel corners: within 1.5 px
      close(p.feretMax, r.feret, 1.5, `feret ${k}`);
    });
  });
});

describe("particles/measure: Feret and aspect ratio at every scale (issue 24)", () => {
  /** Seeded irregular blobs of 1,000–2,700 px (ellipses with a wobbly rim) in a 90×90 image. */
  function blob(seed: number): InstanceLabels {
    const rng = new Rng(seed);
    const w = 90, h = 90;
    const a = 18 + rng.int(14), b = 14 + rng.int(10), th = rng.next() * Math.PI;
    const labels = new Int32Array(w * h).fill(-1);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const dx = x - 45, dy = y - 45;
        const u = dx * Math.cos(th) + dy * Math.sin(th), v = -dx * Math.sin(th) + dy * Math.cos(th);
        const wobble = 1 + 0.08 * Math.sin(5 * Math.atan2(v, u) + seed);
        if ((u / a) ** 2 + (v / b) ** 2 <= wobble * wobble) labels[y * w + x] = 0;
      }
    }
    return { width: w, height: h, labels, count: 1 };
  }

  it("feretMin/feretMax in nm equal the pixel result × nm/px for nm/px 1e-3 … 1e3 (blobs of 1,000–2,700 px)", () => {
    for (let seed = 1; seed <= 12; seed++) {
      const inst = blob(seed);
      const px = measureParticles(inst)[0];
      assert.ok(px.areaPixels >= 800 && px.areaPixels <= 3200, `blob ${seed}: ${px.areaPixels} px`);
      assert.ok(px.feretMin > 10, `blob ${seed}: feretMin ${px.feretMin} px`);
      for (const s of [1e-3, 0.013, 0.15, 0.52, 1, 7.3, 1e3]) {
        const nm = measureParticles(inst, userCalibration(s))[0];
        // Tolerance: relative 1e-9 (floating-point scaling of the same exact hull).
        assert.ok(Math.abs(nm.feretMin - px.feretMin * s) <= 1e-9 * px.feretMin * s, `blob ${seed} at ${s} nm/px: feretMin ${nm.feretMin} vs ${px.feretMin * s}`);
        assert.ok(Math.abs(nm.feretMax - px.feretMax * s) <= 1e-9 * px.feretMax * s, `blob ${seed} at ${s} nm/px: feretMax`);
        assert.ok(Math.abs(nm.aspectRatio - px.aspectRatio) <= 1e-9 * px.aspectRatio, `blob ${seed} at ${s} nm/px: aspect ${nm.aspectRatio} vs ${px.aspectRatio}`);
      }
    }
  });
});
