import { strict as assert } from "assert";
import sharp from "sharp";
import { encodePng, pngSize, pngDataUri, overlayMask, type RawImage } from "../lib/plots/png";

// Oracle: sharp (libvips) decodes what our encoder writes; the decoded raw pixels must equal the input bytes.
// sharp expands grey to sRGB on raw output (R = G = B), so for grey we read channel 0 and take the
// channel count from the header.
async function decode(png: Buffer): Promise<{ data: Buffer; width: number; height: number; channels: number }> {
  const meta = await sharp(png).metadata();
  const pipe = meta.channels === 1 ? sharp(png).extractChannel(0) : sharp(png);
  const { data, info } = await pipe.raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: meta.channels ?? -1 };
}

describe("plots/png: encodePng", () => {
  for (const channels of [1, 3, 4] as const) {
    it(`round-trips ${channels}-channel uint8 pixels through sharp exactly`, async () => {
      const width = 7, height = 5; // odd sizes catch stride bugs
      const data = new Uint8Array(width * height * channels).map((_, i) => (i * 37 + 11) % 256);
      const png = encodePng({ width, height, channels, data });
      const d = await decode(png);
      assert.equal(d.width, width);
      assert.equal(d.height, height);
      assert.equal(d.channels, channels);
      assert.deepEqual([...d.data], [...data]);
    });
  }

  it("scales float pixels by 255 with rounding and clamping", async () => {
    const img: RawImage = { width: 4, height: 1, channels: 1, data: new Float32Array([0, 0.5, 1.2, -0.3]) };
    const d = await decode(encodePng(img));
    assert.deepEqual([...d.data], [0, 128, 255, 0]); // 0.5*255 = 127.5 -> 128 (round half up)
  });

  it("pngSize reads width and height from IHDR", () => {
    const png = encodePng({ width: 300, height: 17, channels: 3, data: new Uint8Array(300 * 17 * 3) });
    assert.deepEqual(pngSize(png), { width: 300, height: 17 });
    assert.throws(() => pngSize(Buffer.from("not a png at all, really not")), /not a PNG/);
  });

  it("pngDataUri is a base64 PNG data URI", () => {
    const uri = pngDataUri({ width: 1, height: 1, channels: 1, data: [1] });
    assert.match(uri, /^data:image\/png;base64,/);
    assert.deepEqual(pngSize(Buffer.from(uri.split(",")[1], "base64")), { width: 1, height: 1 });
  });

  it("rejects a data length that does not match the shape, naming both", () => {
    assert.throws(() => encodePng({ width: 2, height: 2, channels: 3, data: new Uint8Array(11) }), /11 values, expected 2x2x3 = 12/);
  });
});

describe("plots/png: overlayMask", () => {
  it("blends (1-a*m)*image + a*m*colour per pixel (hand-worked values)", () => {
    const img: RawImage = { width: 2, height: 1, channels: 1, data: new Uint8Array([255, 0]) };
    const out = overlayMask(img, [0, 1], [1, 0, 0], 0.5);
    // pixel 0: mask 0 -> unchanged white (1,1,1); pixel 1: black blended half with red -> (0.5, 0, 0)
    assert.deepEqual([...out.data].map((v) => Math.round(Number(v) * 1000) / 1000), [1, 1, 1, 0.5, 0, 0]);
    assert.equal(out.channels, 3);
  });
  it("throws when the mask size differs from the image", () => {
    assert.throws(() => overlayMask({ width: 2, height: 2, channels: 1, data: new Uint8Array(4) }, [0, 1, 0]), /mask has 3 values, image has 4 pixels/);
  });
});
