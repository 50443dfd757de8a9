import { strict as assert } from "assert";
import { renderDigits, GLYPH_HEIGHT, GLYPH_WIDTH } from "../lib/plots/pixel_font";

describe("plots/pixel_font", () => {
  it("renders digits 5×7 with one blank column between them, scaled by whole pixels", () => {
    const t = renderDigits("17", 1);
    assert.deepEqual([t.width, t.height], [2 * GLYPH_WIDTH + 1, GLYPH_HEIGHT]);
    // the separating column is blank; the 7's top row is full ink
    for (let y = 0; y < 7; y++) assert.equal(t.on[y * t.width + 5], 0);
    for (let x = 6; x < 11; x++) assert.equal(t.on[x], 1);
    const big = renderDigits("17", 3);
    assert.deepEqual([big.width, big.height], [33, 21]);
    const ink = (b: { on: Uint8Array }): number => b.on.reduce((s, v) => s + v, 0);
    assert.equal(ink(big), 9 * ink(t), "each font pixel becomes a 3×3 block");
  });

  it("draws every digit differently", () => {
    const keys = "0123456789".split("").map((d) => Array.from(renderDigits(d).on).join(""));
    assert.equal(new Set(keys).size, 10);
  });

  it("refuses characters it has no glyph for and bad scales, naming them", () => {
    assert.throws(() => renderDigits("1a"), /only the digits 0-9, got 'a'/);
    assert.throws(() => renderDigits("1", 0), /scale must be a positive integer, got 0/);
  });
});
