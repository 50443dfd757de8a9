import { strict as assert } from "assert";
import { Rng } from "../lib/util/rng";
import type { Box, GreyImage } from "../lib/data/scalebar/find_bar";
import { faintInkBefore } from "../lib/data/scalebar/faint_prefix";

// A "1" (dark stroke) on a white line 20 px high (top 10, baseline 30), with or without a faint ring
// (a "0") or other ink before it.
function scene(): { img: GreyImage; one: Box } {
  const W = 120, H = 40;
  const img = { data: new Uint8Array(W * H).fill(250), width: W, height: H };
  for (let y = 10; y < 30; y++) for (let x = 70; x < 73; x++) img.data[y * W + x] = 20;
  return { img, one: { x0: 70, y0: 10, x1: 73, y1: 30 } };
}
/** A ring of grey `level` (an "0" of a light font), centre (cx, 20), radii 6×10, 2 px thick. */
function ring(img: GreyImage, cx: number, level: number): void {
  for (let y = 0; y < img.height; y++) for (let x = 0; x < img.width; x++) {
    const r = Math.hypot((x - cx) / 6, (y - 20) / 10);
    if (r >= 0.8 && r <= 1) img.data[y * img.width + x] = level;
  }
}

describe("data.scalebar: faint_prefix", () => {
  it("sees a faint '0' left of a number, and nothing on a clean background", () => {
    const { img, one } = scene();
    assert.equal(faintInkBefore(img, one, 10, 30, true, []), false);
    ring(img, 55, 170);
    assert.equal(faintInkBefore(img, one, 10, 30, true, []), true);
    // The same ring as a glyph the reader already has (a skip box) is no faint prefix.
    assert.equal(faintInkBefore(img, one, 10, 30, true, [{ x0: 48, y0: 9, x1: 62, y1: 31 }]), false);
    // Light ink on dark: the polarity flipped.
    const inv = { ...img, data: img.data.map((v) => 255 - v) };
    assert.equal(faintInkBefore(inv, one, 10, 30, false, []), true);
  });

  it("ignores speckle texture and the micrograph beyond a label's white box", () => {
    // Speckle: isolated 2×2 grey specks (seeded) before the number.
    const { img, one } = scene();
    const rng = new Rng(4);
    for (let i = 0; i < 25; i++) {
      const x = 30 + Math.floor(rng.uniform(0, 36)), y = 6 + Math.floor(rng.uniform(0, 28));
      for (let dy = 0; dy < 2; dy++) for (let dx = 0; dx < 2; dx++) img.data[(y + dy) * img.width + x + dx] = 120;
    }
    assert.equal(faintInkBefore(img, one, 10, 30, true, []), false);
    // A grey micrograph filling the image left of column 45 (beyond the label's box) reaches the band's edges.
    const b = scene();
    for (let y = 0; y < b.img.height; y++) for (let x = 0; x < 45; x++) b.img.data[y * b.img.width + x] = 110;
    assert.equal(faintInkBefore(b.img, b.one, 10, 30, true, []), false);
  });
});
