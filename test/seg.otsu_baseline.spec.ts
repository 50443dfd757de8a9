import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import sharp from "sharp";
import { Rng } from "../lib/util/rng";
import { otsuThreshold } from "../lib/image/otsu";
import { otsuScore, chooseOtsuSide, otsuBaselineOf, otsuBaseline, readGreyForMask, type GreyPair } from "../lib/seg/otsu_baseline";
import { pythonMissing, runPython } from "./python_oracle";

/** A w×h grey image with `n` discs of contrast `sign` (−1 dark on bright, +1 bright on dark) plus noise. */
function discs(rng: Rng, w: number, h: number, n: number, sign: 1 | -1): GreyPair {
  const truth = new Uint8Array(w * h);
  for (let k = 0; k < n; k++) {
    const cx = rng.uniform(0, w), cy = rng.uniform(0, h), r = rng.uniform(3, 7);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) if ((x - cx) ** 2 + (y - cy) ** 2 <= r * r) truth[y * w + x] = 1;
  }
  const grey = new Float32Array(w * h);
  const bg = sign < 0 ? 0.75 : 0.25;
  for (let i = 0; i < grey.length; i++) grey[i] = bg + sign * 0.45 * truth[i] + rng.normal(0, 0.08);
  return { grey, truth, width: w, height: h };
}

/** Dice of a 0/1 prediction, written out (the paper's formula, smooth 1e-6). */
function dice(truth: Uint8Array, pred: Uint8Array): number {
  let inter = 0, st = 0, sp = 0;
  for (let i = 0; i < truth.length; i++) { inter += truth[i] * pred[i]; st += truth[i]; sp += pred[i]; }
  return (2 * inter + 1e-6) / (st + sp + 1e-6);
}

function med(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b), m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

describe("seg/otsu_baseline", () => {
  it("scores each side as a direct threshold-and-count computation does", () => {
    const rng = new Rng(1101);
    for (let k = 0; k < 4; k++) {
      const p = discs(rng, 48, 40, 6, k % 2 ? 1 : -1);
      const t = otsuThreshold(p.grey);
      const above = Uint8Array.from(p.grey, (g) => (g > t ? 1 : 0));
      const below = Uint8Array.from(above, (a) => 1 - a);
      const nAbove = above.reduce((a, b) => a + b, 0);
      assert.equal(otsuScore(p, "bright").threshold, t);
      assert.ok(Math.abs(otsuScore(p, "bright").dice - dice(p.truth, above)) < 1e-12);
      assert.ok(Math.abs(otsuScore(p, "dark").dice - dice(p.truth, below)) < 1e-12);
      const minority = nAbove <= p.grey.length - nAbove ? above : below;
      assert.ok(Math.abs(otsuScore(p, "minority").dice - dice(p.truth, minority)) < 1e-12);
      // The discs cover a minority of the frame, so the minority rule finds them whatever their contrast.
      assert.ok(otsuScore(p, "minority").dice > 0.8, `image ${k}: minority Dice ${otsuScore(p, "minority").dice}`);
    }
  });

  it("chooses the polarity on the training pairs only, never on the test masks", () => {
    const rng = new Rng(1102);
    const train = [0, 1, 2].map(() => discs(rng, 40, 40, 5, -1));
    const test = [0, 1, 2].map(() => discs(rng, 40, 40, 5, -1));
    const r = otsuBaselineOf(train, test);
    assert.equal(r.polarity, "dark");
    assert.ok(r.trainMedianDice.dark > r.trainMedianDice.bright);
    // Same test images with inverted truth: a baseline that peeked at test masks would switch to
    // "bright"; ours keeps the training choice, so its Dice is that of the dark side on the new truth.
    const flipped = test.map((p) => ({ ...p, truth: Uint8Array.from(p.truth, (v) => 1 - v) }));
    const f = otsuBaselineOf(train, flipped, ["a", "b", "c"]);
    assert.equal(f.polarity, "dark");
    assert.deepEqual(f.images.map((x) => x.image), ["a", "b", "c"]);
    const expected = flipped.map((p) => dice(p.truth, Uint8Array.from(p.grey, (g) => (g > otsuThreshold(p.grey) ? 0 : 1))));
    f.images.forEach((x, k) => assert.ok(Math.abs(x.dice - expected[k]) < 1e-12));
    assert.ok(Math.abs(f.median.dice - med(expected)) < 1e-12);
    // A training set mixing contrasts (bright-field and dark-field micrographs) picks the minority rule.
    const mixed = [-1, 1, -1, 1, 1].map((s) => discs(rng, 40, 40, 5, s as 1 | -1));
    assert.equal(chooseOtsuSide(mixed).side, "minority");
    assert.throws(() => chooseOtsuSide([]), /no training pairs/);
  });

  const missing = pythonMissing(["numpy", "skimage.filters"]);
  it("matches scikit-image's threshold_otsu + numpy Dice (oracle)", function () {
    if (missing) { console.log(`      (skipped: ${missing})`); this.skip(); }
    const rng = new Rng(1103);
    const pairs = [-1, 1, -1].map((s) => discs(rng, 50, 30, 7, s as 1 | -1));
    const ref = runPython<number[][]>(
      "import numpy as np\nfrom skimage.filters import threshold_otsu\nout=[]\n" +
      "for g, t in payload:\n  g=np.array(g); t=np.array(t); th=threshold_otsu(g); b=(g>th).astype(float)\n" +
      "  d=lambda p: (2*(t*p).sum()+1e-6)/(t.sum()+p.sum()+1e-6)\n  out.append([float(th), float(d(b)), float(d(1-b))])\n" +
      "print(json.dumps(out))",
      pairs.map((p) => [Array.from(p.grey), Array.from(p.truth)]),
    );
    pairs.forEach((p, k) => {
      assert.ok(Math.abs(otsuScore(p, "bright").threshold - ref[k][0]) < 1e-6, `threshold ${k}`);
      assert.ok(Math.abs(otsuScore(p, "bright").dice - ref[k][1]) < 1e-9, `bright Dice ${k}`);
      assert.ok(Math.abs(otsuScore(p, "dark").dice - ref[k][2]) < 1e-9, `dark Dice ${k}`);
    });
  });

  it("reads grey images beside their masks (nearest-neighbour onto the mask grid) and scores files", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nm-otsu-base-"));
    try {
      const rng = new Rng(1104);
      const files: { images: string[]; masks: string[] } = { images: [], masks: [] };
      const direct: GreyPair[] = [];
      for (let k = 0; k < 4; k++) {
        const p = discs(rng, 32, 24, 4, -1);
        // The image is stored at twice the mask's size (each pixel a 2×2 block): resize-mode pairs may differ.
        const g8 = Buffer.alloc(64 * 48);
        for (let y = 0; y < 48; y++) for (let x = 0; x < 64; x++) g8[y * 64 + x] = Math.max(0, Math.min(255, Math.round(p.grey[(y >> 1) * 32 + (x >> 1)] * 255)));
        const img = path.join(dir, `i${k}.png`), msk = path.join(dir, `i${k}_mask.png`);
        await sharp(g8, { raw: { width: 64, height: 48, channels: 1 } }).png().toFile(img);
        await sharp(Buffer.from(p.truth.map((v) => v * 255)), { raw: { width: 32, height: 24, channels: 1 } }).png().toFile(msk);
        files.images.push(img); files.masks.push(msk);
        const back = await readGreyForMask(img, msk, "auto");
        assert.deepEqual([back.width, back.height], [32, 24]);
        assert.deepEqual(Array.from(back.truth), Array.from(p.truth));
        for (let i = 0; i < back.grey.length; i++) {
          const y = Math.floor(i / 32), x = i % 32;
          assert.equal(back.grey[i], Math.fround(g8[(2 * y + 1) * 64 + 2 * x + 1] / 255));
        }
        direct.push(back);
      }
      const r = await otsuBaseline({ images: files.images.slice(0, 2), masks: files.masks.slice(0, 2) }, { images: files.images.slice(2), masks: files.masks.slice(2) });
      const ref = otsuBaselineOf(direct.slice(0, 2), direct.slice(2), ["i2.png", "i3.png"]);
      assert.deepEqual(r, ref);
      assert.ok(r.median.dice > 0.8, `median ${r.median.dice}`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
