import { strict as assert } from "assert";
import { Rng } from "../lib/util/rng";
import { resampleBilinear } from "../lib/image/resample";
import { pythonMissing, runPython } from "./python_oracle";

describe("image/resample: bilinear resampling with aligned pixel centres", () => {
  it("is the identity at the same size, keeps constants and linear ramps, and names bad sizes", () => {
    const rng = new Rng(3);
    const a = Float32Array.from({ length: 35 }, () => rng.next());
    assert.deepEqual(Array.from(resampleBilinear(a, 7, 5, 7, 5)), Array.from(a));
    assert.ok(resampleBilinear(new Float32Array(12).fill(0.25), 4, 3, 9, 7).every((v) => Math.abs(v - 0.25) < 1e-7));
    // A ramp in x sampled at twice the density: interior samples lie on the same line (value = source x).
    const ramp = Float32Array.from({ length: 8 * 2 }, (_, i) => i % 8);
    const up = resampleBilinear(ramp, 8, 2, 16, 4);
    for (let x = 1; x < 15; x++) assert.ok(Math.abs(up[x] - ((x + 0.5) / 2 - 0.5)) < 1e-6, `x ${x}: ${up[x]}`);
    assert.throws(() => resampleBilinear(a, 7, 5, 0, 5), /W must be a positive integer/);
    assert.throws(() => resampleBilinear(a, 6, 5, 3, 3), /35 values for 6x5/);
  });

  const missing = pythonMissing(["numpy", "skimage.transform"]);
  it("matches scikit-image's resize(order=1, mode='edge', anti_aliasing=False) down and up", function () {
    if (missing) { console.log(`      (skipped: ${missing})`); this.skip(); }
    const rng = new Rng(11);
    const w = 37, h = 23;
    const img = Array.from({ length: w * h }, () => rng.next());
    const cases: Array<[number, number]> = [[18, 12], [74, 46], [50, 9]];
    const ref = runPython<number[][]>(`
import numpy as np
from skimage.transform import resize
a = np.array(inp["img"], dtype=np.float64).reshape(inp["h"], inp["w"])
print(json.dumps([resize(a, (H, W), order=1, mode="edge", anti_aliasing=False).ravel().tolist() for W, H in inp["cases"]]))`, { img, w, h, cases });
    cases.forEach(([W, H], k) => {
      const ours = resampleBilinear(img, w, h, W, H);
      let worst = 0;
      for (let i = 0; i < W * H; i++) worst = Math.max(worst, Math.abs(ours[i] - ref[k][i]));
      assert.ok(worst < 1e-5, `${w}x${h} -> ${W}x${H}: max |diff| ${worst}`);
    });
  });
});
