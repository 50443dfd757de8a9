import { strict as assert } from "assert";
import { gradientMagnitude, hessianEigen } from "../lib/image/derivatives";

/** f(x, y) = a x² + b y² + c xy + d x + e y on a w×h grid, row-major. */
function quadratic(w: number, h: number, a: number, b: number, c: number, d: number, e: number): Float32Array {
  const out = new Float32Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) out[y * w + x] = a * x * x + b * y * y + c * x * y + d * x + e * y;
  return out;
}

describe("image/derivatives: central differences", () => {
  // Central differences of a quadratic are exact inside the image: the known derivatives.
  const [w, h, a, b, c, d, e] = [9, 7, 0.5, -0.25, 0.3, 1, -2];
  const f = quadratic(w, h, a, b, c, d, e);

  it("the gradient magnitude of a quadratic is exact away from the edge", () => {
    const g = gradientMagnitude(f, w, h);
    for (let y = 1; y < h - 1; y++) for (let x = 1; x < w - 1; x++) {
      const want = Math.hypot(2 * a * x + c * y + d, 2 * b * y + c * x + e);
      assert.ok(Math.abs(g[y * w + x] - want) < 1e-3, `(${x},${y}) ${g[y * w + x]} vs ${want}`);
    }
    // At the edge the pixel is repeated: a one-sided half difference across x = 0.
    const want0 = Math.hypot((f[1] - f[0]) / 2, (f[w] - f[0]) / 2);
    assert.ok(Math.abs(g[0] - want0) < 1e-5);
  });

  it("the Hessian's eigenvalues and trace of a quadratic are those of [[2a, c], [c, 2b]], times the scale", () => {
    const s = 2.25;
    const { max, min, trace } = hessianEigen(f, w, h, s);
    const half = a + b, r = Math.sqrt((a - b) ** 2 + c * c);
    for (let y = 1; y < h - 1; y++) for (let x = 1; x < w - 1; x++) {
      const i = y * w + x;
      assert.ok(Math.abs(max[i] - s * (half + r)) < 1e-3 && Math.abs(min[i] - s * (half - r)) < 1e-3, `(${x},${y})`);
      assert.ok(Math.abs(trace[i] - s * 2 * (a + b)) < 1e-3);
    }
  });

  it("refuses a size mismatch", () => {
    assert.throws(() => gradientMagnitude(new Float32Array(5), 2, 2), /5 values for 2x2/);
    assert.throws(() => hessianEigen(new Float32Array(5), 2, 2), /5 values for 2x2/);
  });
});
