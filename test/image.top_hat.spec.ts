import { strict as assert } from "assert";
import { squareFilter8, whiteTopHat8 } from "../lib/image/top_hat";

// An 8×11 image: a ramp 20 + 7x + 3y + (x·y mod 13), a 1-px bright stroke (x = 3), a 5×5 bright block
// (survives a 5×5 opening) and a 1-px speck. Expected values from scipy 1.10 (Debian python3-scipy):
// ndimage.white_tophat(v, size=5, mode="nearest"), minimum_filter / maximum_filter(v, size=3, mode="nearest").
const W = 11, H = 8;
const V = [
  [20, 27, 34, 41, 48, 55, 62, 69, 76, 83, 90], [23, 31, 39, 230, 55, 63, 71, 79, 87, 95, 103],
  [26, 35, 44, 230, 62, 71, 200, 200, 200, 200, 200], [29, 39, 49, 230, 69, 66, 200, 200, 200, 200, 200],
  [32, 43, 54, 230, 63, 74, 200, 200, 200, 200, 200], [35, 255, 59, 230, 70, 82, 200, 200, 200, 200, 200],
  [38, 51, 64, 230, 77, 77, 200, 200, 200, 200, 200], [41, 55, 56, 70, 71, 85, 86, 100, 101, 115, 116],
];
const TOPHAT5 = [
  [0, 0, 0, 0, 0, 0, 0, 0, 0, 7, 14], [0, 0, 0, 175, 0, 0, 0, 0, 0, 8, 16], [0, 0, 0, 168, 0, 5, 0, 0, 0, 0, 0],
  [0, 0, 0, 167, 6, 0, 0, 0, 0, 0, 0], [0, 0, 0, 167, 0, 0, 0, 0, 0, 0, 0], [0, 204, 3, 160, 0, 5, 0, 0, 0, 0, 0],
  [3, 0, 8, 160, 7, 0, 0, 0, 0, 0, 0], [6, 4, 0, 0, 1, 8, 0, 0, 0, 14, 15],
];
const MIN3 = [
  [20, 20, 27, 34, 41, 48, 55, 62, 69, 76, 83], [20, 20, 27, 34, 41, 48, 55, 62, 69, 76, 83],
  [23, 23, 31, 39, 55, 55, 63, 71, 79, 87, 95], [26, 26, 35, 44, 62, 62, 66, 200, 200, 200, 200],
  [29, 29, 39, 49, 63, 63, 66, 200, 200, 200, 200], [32, 32, 43, 54, 63, 63, 74, 200, 200, 200, 200],
  [35, 35, 51, 56, 70, 70, 77, 86, 100, 101, 115], [38, 38, 51, 56, 70, 71, 77, 86, 100, 101, 115],
];
const MAX3 = [
  [31, 39, 230, 230, 230, 71, 79, 87, 95, 103, 103], [35, 44, 230, 230, 230, 200, 200, 200, 200, 200, 200],
  [39, 49, 230, 230, 230, 200, 200, 200, 200, 200, 200], [43, 54, 230, 230, 230, 200, 200, 200, 200, 200, 200],
  [255, 255, 255, 230, 230, 200, 200, 200, 200, 200, 200], [255, 255, 255, 230, 230, 200, 200, 200, 200, 200, 200],
  [255, 255, 255, 230, 230, 200, 200, 200, 200, 200, 200], [55, 64, 230, 230, 230, 200, 200, 200, 200, 200, 200],
];
const flat = (rows: number[][]): Uint8Array => Uint8Array.from(rows.flat());

describe("image.top_hat", () => {
  it("min and max filters over a 3×3 square equal scipy's (edge pixel repeated)", () => {
    assert.deepEqual([...squareFilter8(flat(V), W, H, 1, true)], MIN3.flat());
    assert.deepEqual([...squareFilter8(flat(V), W, H, 1, false)], MAX3.flat());
  });

  it("the 5×5 white top-hat equals scipy's: a 1-px stroke and a speck stand out, a block and the ramp go to ~0", () => {
    const th = whiteTopHat8(flat(V), W, H, 2);
    assert.deepEqual([...th], TOPHAT5.flat());
    assert.ok(th[1 * W + 3] >= 160 && th[5 * W + 1] === 204, "stroke and speck kept");
    assert.equal(th[4 * W + 8], 0, "a block wider than the square is background");
  });

  it("radius 0 is the identity; a bad radius or size throws naming the function", () => {
    assert.deepEqual([...whiteTopHat8(flat(V), W, H, 0)], new Array(W * H).fill(0));
    assert.deepEqual([...squareFilter8(flat(V), W, H, 0, true)], V.flat());
    assert.throws(() => squareFilter8(flat(V), W, H, 1.5, true), /squareFilter8: radius/);
    assert.throws(() => squareFilter8(flat(V), W, H + 1, 1, true), /squareFilter8: 88 samples for a 11×9 image/);
  });
});
