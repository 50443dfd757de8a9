import { strict as assert } from "assert";
import { Rng } from "../lib/util/rng";

describe("util/rng", () => {
  it("gives the same sequence for the same seed and different ones for neighbouring seeds", () => {
    const a = new Rng(42), b = new Rng(42), c = new Rng(43);
    const xs = Array.from({ length: 100 }, () => a.next());
    const ys = Array.from({ length: 100 }, () => b.next());
    const zs = Array.from({ length: 100 }, () => c.next());
    assert.deepEqual(xs, ys);
    assert.notDeepEqual(xs, zs);
  });

  it("draws uniforms with mean 1/2 and variance 1/12, normals with mean 0 and variance 1", () => {
    const r = new Rng(7);
    const n = 200000;
    let s = 0, s2 = 0, t = 0, t2 = 0;
    for (let i = 0; i < n; i++) {
      const u = r.next(); s += u; s2 += u * u;
      const z = r.normal(); t += z; t2 += z * z;
      assert.ok(u >= 0 && u < 1);
    }
    // Standard errors: uniform mean ±0.00065, normal mean ±0.0022 at n=2e5; tolerances are ~5 SE.
    assert.ok(Math.abs(s / n - 0.5) < 0.004);
    assert.ok(Math.abs(s2 / n - (s / n) ** 2 - 1 / 12) < 0.002);
    assert.ok(Math.abs(t / n) < 0.012);
    assert.ok(Math.abs(t2 / n - 1) < 0.015);
  });

  it("samples without replacement and forks independent, reproducible streams", () => {
    const r = new Rng(1);
    const s = r.sample([...Array(50).keys()], 20);
    assert.equal(new Set(s).size, 20);
    assert.throws(() => r.sample([1, 2], 3), /cannot draw 3/);
    assert.equal(new Rng(5).fork("a").next(), new Rng(5).fork("a").next());
    assert.notEqual(new Rng(5).fork("a").next(), new Rng(5).fork("b").next());
  });
});
