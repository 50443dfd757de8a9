import { strict as assert } from "assert";
import { flattenShading } from "../lib/image/flatten";
import { gaussianBlur } from "../lib/image/gaussian";

describe("image/flatten: slow shading taken out", () => {
  it("is the image minus its Gaussian blur, exactly", () => {
    const w = 30, h = 20, grey = Float32Array.from({ length: w * h }, (_, i) => Math.sin(i * 0.37) + (i % w) * 0.1);
    const blur = gaussianBlur(grey, w, h, 4), flat = flattenShading(grey, w, h, 4);
    for (let i = 0; i < grey.length; i++) assert.equal(flat[i], Math.fround(grey[i] - blur[i]));
  });

  it("two equal dots on a strong ramp come out alike where one global threshold would split them", () => {
    const w = 120, h = 40, grey = new Float32Array(w * h);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) grey[y * w + x] = x / w; // 0 → 1 across the field
    for (const cx of [30, 90]) for (let y = 18; y < 22; y++) for (let x = cx - 2; x < cx + 2; x++) grey[y * w + x] += 0.3;
    const flat = flattenShading(grey, w, h, 12);
    const dot = (cx: number): number => flat[20 * w + cx], field = (cx: number): number => flat[20 * w + cx - 10];
    assert.ok(grey[20 * w + 30] < grey[20 * w + 80], "before: the left dot is darker than the right field");
    assert.ok(Math.abs(dot(30) - dot(90)) < 0.02, `${dot(30)} vs ${dot(90)}`);
    assert.ok(Math.abs(field(30)) < 0.03 && Math.abs(field(90)) < 0.03, `${field(30)}, ${field(90)}`);
    assert.ok(dot(30) > 0.2);
  });

  it("throws on a size mismatch or a σ ≤ 0", () => {
    assert.throws(() => flattenShading(new Float32Array(5), 2, 2, 1), /5 values for a 2x2 image/);
    assert.throws(() => flattenShading(new Float32Array(4), 2, 2, 0), /sigma must be > 0/);
  });
});
