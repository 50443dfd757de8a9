import { strict as assert } from "assert";
import { Rng } from "../lib/util/rng";
import { otsuThreshold, otsuMask } from "../lib/image/otsu";
import { pythonMissing, runPython } from "./python_oracle";

describe("quantify/otsu", () => {
  it("splits a two-level image between its levels", () => {
    const v = [...Array(300).fill(10), ...Array(700).fill(200)];
    const t = otsuThreshold(v);
    assert.ok(t > 10 && t < 200, `threshold ${t}`);
    const m = otsuMask(v, 100, 10, "auto");
    assert.equal(m.data.reduce((a, b) => a + b, 0), 300, "auto picks the minority (dark) side");
    assert.equal(otsuMask(v, 100, 10, "bright").data.reduce((a, b) => a + b, 0), 700);
  });

  it("returns the value of a constant image and throws on an empty one", () => {
    assert.equal(otsuThreshold([5, 5, 5]), 5);
    assert.throws(() => otsuThreshold([]), /no values/);
    assert.throws(() => otsuMask([1, 2, 3], 2, 2), /3 values for a 2x2/);
  });

  const missing = pythonMissing(["numpy", "skimage.filters"]);
  it("matches scikit-image's threshold_otsu on bimodal noisy images", function () {
    if (missing) { console.log(`      (skipped: ${missing})`); this.skip(); }
    const rng = new Rng(7);
    const images: number[][] = [];
    for (let k = 0; k < 5; k++) {
      const a: number[] = [];
      const frac = rng.uniform(0.1, 0.6), m0 = rng.uniform(0, 0.4), m1 = rng.uniform(0.5, 1);
      for (let i = 0; i < 4000; i++) a.push((rng.next() < frac ? m1 : m0) + rng.normal() * 0.08);
      images.push(a);
    }
    const ref = runPython<number[]>(
      "import numpy as np\nfrom skimage.filters import threshold_otsu\nprint(json.dumps([float(threshold_otsu(np.array(a))) for a in payload]))",
      images,
    );
    images.forEach((a, k) => assert.ok(Math.abs(otsuThreshold(a) - ref[k]) < 1e-9, `image ${k}: ${otsuThreshold(a)} vs skimage ${ref[k]}`));
  });
});
