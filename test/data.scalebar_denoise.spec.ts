import { strict as assert } from "assert";
import sharp from "sharp";
import { Rng } from "../lib/util/rng";
import type { Box, GreyImage } from "../lib/data/scalebar/find_bar";
import { blurGrey8, medianRunLength } from "../lib/data/scalebar/denoise";
import { splitLine } from "../lib/data/scalebar/glyph_split";
import { readLineFast } from "../lib/data/scalebar/read_line_fast";
import { isRoundLength } from "../lib/data/scalebar/parse_label";

/**
 * `text` rendered white (DejaVu Sans, `size` px) on a mid-grey micrograph-like texture: `speckle`
 * (0…1) of its pixels start 2×2 highlights as bright as the text (seeded), like amorphous film in TEM.
 * Returns the image and the text's box padded as find_scale_bar pads a line.
 */
async function whiteOnSpeckle(text: string, size: number, speckle: number, seed: number): Promise<{ img: GreyImage; region: Box }> {
  const W = Math.ceil(0.7 * size * text.length + 40), H = Math.ceil(2 * size + 10);
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}"><rect width="${W}" height="${H}" fill="black"/>` +
    `<text x="20" y="${Math.round(1.4 * size)}" font-family="DejaVu Sans" font-size="${size}" fill="white">${text}</text></svg>`;
  const raw = await sharp(Buffer.from(svg)).greyscale().raw().toBuffer({ resolveWithObject: true });
  const { width, height, channels } = raw.info;
  const ink = new Uint8Array(width * height);
  for (let i = 0; i < ink.length; i++) ink[i] = raw.data[i * channels];
  let x0 = width, y0 = height, x1 = 0, y1 = 0;
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) if (ink[y * width + x] >= 128) { x0 = Math.min(x0, x); y0 = Math.min(y0, y); x1 = Math.max(x1, x + 1); y1 = Math.max(y1, y + 1); }
  const rng = new Rng(seed);
  const bg = new Uint8Array(width * height);
  for (let i = 0; i < bg.length; i++) bg[i] = Math.round(rng.uniform(110, 160));
  for (let y = 0; y < height - 1; y++) {
    for (let x = 0; x < width - 1; x++) {
      if (!rng.bernoulli(speckle)) continue;
      for (const j of [y * width + x, y * width + x + 1, (y + 1) * width + x, (y + 1) * width + x + 1]) bg[j] = 250;
    }
  }
  const data = new Uint8Array(width * height);
  // Text over texture: alpha-blend by the rendered coverage.
  for (let i = 0; i < data.length; i++) data[i] = Math.round(bg[i] + (ink[i] / 255) * (255 - bg[i]));
  const lh = y1 - y0;
  return { img: { data, width, height }, region: { x0: x0 - 0.6 * lh, y0: y0 - 0.35 * lh, x1: x1 + 0.6 * lh, y1: y1 + 0.35 * lh } };
}

describe("data.scalebar: denoise", () => {
  it("blurGrey8 keeps a flat image flat and spreads one bright pixel as the 2-D Gaussian does", () => {
    const w = 15, h = 15;
    const flat = new Uint8Array(w * h).fill(137);
    assert.ok(blurGrey8(flat, w, h, 1).every((v) => v === 137));
    const dot = new Uint8Array(w * h);
    dot[7 * w + 7] = 255;
    const b = blurGrey8(dot, w, h, 1);
    // Kernel radius 3: the centre weight is (1 / Σ exp(−i²/2), i = −3…3)² = 0.1592, so 255 → 40.6.
    assert.equal(b[7 * w + 7], 41);
    // One pixel away: × exp(−1/2); diagonal: × exp(−1).
    assert.equal(b[7 * w + 8], Math.round(255 * 0.15919 * Math.exp(-0.5)));
    assert.equal(b[8 * w + 8], Math.round(255 * 0.15919 * Math.exp(-1)));
    assert.equal(b[0], 0);
    assert.deepEqual([...blurGrey8(dot, w, h, 0)], [...dot]);
  });

  it("medianRunLength is the median horizontal ink run", () => {
    const w = 10, h = 3;
    const m = new Uint8Array(w * h);
    // Runs: 2, 4, 4, 7 → median (upper of the middle two by index 2 of 4) 4.
    m.fill(1, 0, 2); m.fill(1, 5, 9); m.fill(1, 10, 14); m.fill(1, 20, 27);
    assert.equal(medianRunLength(m, w, h), 4);
    assert.equal(medianRunLength(new Uint8Array(w * h), w, h), 0);
  });

  it("reads white text on bright speckle only when blurred, and refuses a decimal point it set aside", async function () {
    this.timeout(20000);
    const { img, region } = await whiteOnSpeckle("20 nm", 36, 0.02, 1);
    // Text at 255 over texture 110…160 with highlights at 250: the bar-relative level 0.65 (as fast_label).
    const threshold = 135 + 0.65 * 120;
    const plain = readLineFast(img, region, false);
    assert.ok(plain && plain.label === null, `plain reading ${plain?.text}`);
    const blurred = splitLine(img, region, false, [], { smoothPx: 1, threshold });
    assert.ok(blurred, "blurred split");
    assert.equal(blurred.glyphs.length, 4, `glyphs: ${blurred.glyphs.length}`);
    const r = readLineFast(img, region, false, [], undefined, { smoothPx: 1, threshold });
    assert.ok(r && r.label, `read ${r?.text}`);
    assert.equal(r.label.nm, 20);
    assert.ok(r.confidence >= 0.3, `confidence ${r.confidence}`);
    // "2.5 nm": the point is small, so blurred reading sets it aside and refuses the number (never "25 nm").
    const dec = await whiteOnSpeckle("2.5 nm", 36, 0, 1);
    const d = readLineFast(dec.img, dec.region, false, [], undefined, { smoothPx: 1, threshold });
    assert.ok(d, "decimal line read");
    assert.equal(d.parts.length, 0, `parts: ${d.parts.map((p) => p.text).join(", ")}`);
    // Nor at any size, level or speckle (a point the blur erased leaves a gap that splits the number).
    for (const text of ["2.5 nm", "0.5 µm", "1.5 nm"]) {
      for (const size of [20, 28, 48]) {
        for (const speckle of [0, 0.02]) {
          const e = await whiteOnSpeckle(text, size, speckle, size);
          for (const f of [0.55, 0.65, 0.75]) {
            const q = readLineFast(e.img, e.region, false, [], undefined, { smoothPx: 1, threshold: 135 + f * 120 });
            assert.deepEqual(q?.parts.map((p) => p.text) ?? [], [], `${text} at ${size} px, speckle ${speckle}, level ${f}`);
          }
        }
      }
    }
    // The same line unblurred reads 2.5 nm.
    const u = readLineFast(dec.img, dec.region, false);
    assert.equal(u?.label?.nm, 2.5);
  });

  it("never reads a sure wrong usual length from speckle (3 labels, seeds 1…6, 2/4/6 % highlights, 3 levels)", async function () {
    this.timeout(60000);
    // fast_label's gate: a part decides only as a usual bar length read with every glyph ≥ 0.3. A "0" broken
    // into two strokes reads "11" up to 0.43 here ("100 nm" → "1110 nm"), which no usual length contains.
    let sure = 0;
    for (const [text, nm] of [["20 nm", 20], ["100 nm", 100], ["5 µm", 5000]] as [string, number][]) {
      for (const speckle of [0.02, 0.04, 0.06]) {
        for (let seed = 1; seed <= 6; seed++) {
          const { img, region } = await whiteOnSpeckle(text, 36, speckle, seed);
          for (const f of [0.55, 0.65, 0.75]) {
            const r = readLineFast(img, region, false, [], undefined, { smoothPx: 1, threshold: 135 + f * 120 });
            for (const p of r?.parts ?? []) {
              if (p.confidence < 0.3 || !isRoundLength(p.label.nm)) continue;
              sure++;
              assert.equal(p.label.nm, nm, `${text}, speckle ${speckle} seed ${seed} level ${f}: '${p.text}' (${p.confidence.toFixed(2)})`);
            }
          }
        }
      }
    }
    assert.ok(sure >= 20, `only ${sure} sure readings`);
  });

  it("refuses (null) blurred text whose strokes are thinner than minStrokePx", async () => {
    const { img, region } = await whiteOnSpeckle("10 nm", 36, 0, 3);
    const threshold = 135 + 0.65 * 120;
    assert.ok(splitLine(img, region, false, [], { smoothPx: 1, threshold }), "3-px strokes pass the default");
    assert.equal(splitLine(img, region, false, [], { smoothPx: 1, threshold, minStrokePx: 8 }), null);
  });
});
