import { strict as assert } from "assert";
import { Rng } from "../lib/util/rng";
import type { GreyImage } from "../lib/data/scalebar/find_bar";
import { hasFont, rendered } from "./rendered_label";
import { clipAbove, neckCuts, otsuThreshold, splitLine } from "../lib/data/scalebar/glyph_split";
import { countHoles, featureDistance, glyphFeatures, GRID_H, GRID_W } from "../lib/data/scalebar/glyph_features";
import { classifyGlyph } from "../lib/data/scalebar/glyph_classify";
import { decodeTemplates, encodeTemplates, loadTemplates } from "../lib/data/scalebar/glyph_templates";
import { readLineFast } from "../lib/data/scalebar/read_line_fast";
import { findScaleBar } from "../lib/data/scalebar/find_scale_bar";
import { findBarCandidates } from "../lib/data/scalebar/find_bar";
import { renderSynthBar, synthBackground } from "../lib/data/scalebar/synth_bar";

// Fonts the templates were NOT built from (scripts/build_glyph_templates.ts uses DejaVu Sans/Serif,
// Liberation Sans/Serif and Lato): the round trips below read text the reader has never seen.
const UNSEEN = "DejaVu Sans Condensed";
const HARD = "Liberation Sans Narrow";


describe("data.scalebar: glyph_split", () => {
  it("Otsu's threshold separates two grey populations between their levels", () => {
    const v = new Uint8Array(1000);
    for (let i = 0; i < v.length; i++) v[i] = i < 300 ? 40 + (i % 7) : 200 + (i % 5);
    const o = otsuThreshold(v);
    assert.ok(o.t > 46 && o.t <= 200, `t = ${o.t}`);
    assert.ok(Math.abs(o.m0 - 43) < 1 && Math.abs(o.m1 - 202) < 1, `means ${o.m0}, ${o.m1}`);
  });

  it("cuts a rendered label into one glyph per character, Å's ring joined to its A", async function () {
    if (!hasFont(UNSEEN)) return this.skip();
    // "100.0nm" has 7 characters; "5 Å" has 2 glyphs (the ring is above the A, one glyph).
    for (const [text, n] of [["100.0nm", 7], ["5 Å", 2], ["0.5 µm", 5]] as [string, number][]) {
      const { img, region } = await rendered(text, UNSEEN, 32);
      const line = splitLine(img, region, true);
      assert.ok(line, text);
      assert.equal(line.glyphs.length, n, `${text}: ${line.glyphs.length} glyphs`);
      assert.ok(line.baseline > line.top);
    }
  });

  it("returns null for a crop without contrast", () => {
    const img = { data: new Uint8Array(50 * 20).fill(128), width: 50, height: 20 };
    assert.equal(splitLine(img, { x0: 0, y0: 0, x1: 50, y1: 20 }, true), null);
  });

  it("offers a cut between two touching glyphs at their thinnest column", () => {
    // Two 6×10 blocks joined by a 1-pixel bridge on one row: the cut falls on the bridge.
    const w = 13, h = 10;
    const mask = new Uint8Array(w * h);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) if (x < 6 || x > 6 || y === 5) mask[y * w + x] = 1;
    const cuts = neckCuts({ x0: 0, y0: 0, x1: w, y1: h, mask, n: mask.reduce((a, b) => a + b, 0) });
    assert.ok(cuts.length >= 1);
    const [a, b] = cuts[0];
    assert.equal(a.x1, 6);
    assert.equal(b.x0, 6);
  });
});

describe("data.scalebar: glyph_features / glyph_classify / glyph_templates", () => {
  it("counts holes: 0 for a bar, 1 for a ring, 2 for a figure eight", () => {
    const glyph = (rows: string[]) => {
      const w = rows[0].length, h = rows.length;
      const mask = new Uint8Array(w * h);
      rows.forEach((r, y) => [...r].forEach((c, x) => { mask[y * w + x] = c === "#" ? 1 : 0; }));
      return { x0: 0, y0: 0, x1: w, y1: h, mask, n: 0 };
    };
    assert.equal(countHoles(glyph(["###", "###", "###"])), 0);
    assert.equal(countHoles(glyph(["#####", "#...#", "#...#", "#####"])), 1);
    assert.equal(countHoles(glyph(["#####", "#...#", "#####", "#...#", "#####"])), 2);
  });

  it("the shipped templates survive an encode/decode round trip and cover the label alphabet", () => {
    const ts = loadTemplates();
    assert.ok(ts.length > 1000, `${ts.length} templates`);
    for (const c of [..."0123456789.,nmuµÅp"]) assert.ok(ts.some((t) => t.cls === c), `no template for '${c}'`);
    const again = decodeTemplates(encodeTemplates(ts.slice(0, 50)));
    assert.equal(again.length, 50);
    for (let i = 0; i < 50; i++) {
      assert.equal(again[i].cls, ts[i].cls);
      // Stored at 4 bits (grid) and 1/100 (positions): re-encoding loses nothing more.
      assert.ok(featureDistance(again[i].f, ts[i].f) < 1e-9);
    }
    assert.throws(() => decodeTemplates(Buffer.from("nope")), /not a glyphs.bin/);
  });

  it("a template is its own nearest neighbour, and confidence is 1 only without a rival", () => {
    const ts = loadTemplates();
    const t = ts.find((x) => x.cls === "7");
    assert.ok(t);
    const r = classifyGlyph(t.f, ts);
    assert.equal(r.char, "7");
    assert.equal(r.distance, 0);
    assert.ok(r.confidence > 0 && r.confidence <= 1);
    assert.equal(classifyGlyph(t.f, [t]).confidence, 1);
    assert.throws(() => classifyGlyph(t.f, []), /no templates/);
    assert.equal(t.f.grid.length, GRID_W * GRID_H);
  });
});

describe("data.scalebar: read_line_fast (round trips in a font the templates never saw)", () => {
  const labels: [string, number][] = [["100.0nm", 100], ["200 nm", 200], ["0.5 µm", 500], ["1 um", 1000], ["2 μm", 2000], ["20 nm", 20], ["5 Å", 0.5]];

  it(`reads ${UNSEEN} labels back, crisp and blurred+noisy+JPEG, and never a wrong length`, async function () {
    this.timeout(30000);
    if (!hasFont(UNSEEN)) return this.skip();
    let read = 0, total = 0;
    const misses: string[] = [];
    for (const [text, nm] of labels) {
      for (const size of [14, 20, 32, 44]) {
        for (const distort of [false, true]) {
          const { img, region } = await rendered(text, UNSEEN, size, distort);
          const r = readLineFast(img, region, true);
          total++;
          if (r?.label && r.confidence >= 0.3) {
            assert.ok(Math.abs(r.label.nm - nm) < 1e-9 * nm, `${text} at ${size} px read as '${r.text}'`);
            read++;
          } else misses.push(`${text}/${size}${distort ? "/distorted" : ""} → '${r?.text}' ${r?.confidence.toFixed(2)}`);
        }
      }
    }
    // Measured 2026-12-07: 46 of 56 read surely; every Å is unsure (read as '4', confidence < 0.2) and refused.
    console.log(`      read ${read}/${total} surely; not sure: ${misses.join("; ")}`);
    assert.ok(read >= 40, `read ${read}/${total}: ${misses.join("; ")}`);
  });

  it(`never returns a wrong sure reading on ${HARD} (a narrow font unlike every template)`, async function () {
    this.timeout(30000);
    if (!hasFont(HARD)) return this.skip();
    for (const [text, nm] of labels) {
      for (const size of [12, 16, 24, 44]) {
        const { img, region } = await rendered(text, HARD, size);
        const r = readLineFast(img, region, true);
        if (r?.label && r.confidence >= 0.3) assert.ok(Math.abs(r.label.nm - nm) < 1e-9 * nm, `${text} at ${size} px read as '${r.text}'`);
      }
    }
  });

  it("refuses a line that is not one label (other words, a letter for a digit)", async function () {
    if (!hasFont(UNSEEN)) return this.skip();
    for (const text of ["WD 5 mm", "Mag 10 kX", "x25,000"]) {
      const { img, region } = await rendered(text, UNSEEN, 28);
      const r = readLineFast(img, region, true);
      assert.equal(r?.label ?? null, null, `'${text}' read as a label: '${r?.text}'`);
    }
  });
});

describe("data.scalebar: read_line_fast at small blurred sizes (issue 22: never a wrong number)", () => {
  // Measured on main before the mm and faint-prefix refusals (scripts/stress_small_labels.ts over 15 fonts,
  // 10–16 px, crisp and blurred+noisy+JPEG, normal and bold): 124 sure wrong readings of 4457 — "1 mm" /
  // "5 mm" read "1 nm" / "5 nm" (a blurred "mm" cut as "n" + "m") and "0.1 µm" read "1 µm" (a light font's
  // "0." fainter than the line's threshold and its crop). These cases held 54 sure wrong readings on main.
  const fonts = ["Lato", "Lato Medium", "Lato Light", "DejaVu Sans", "DejaVu Sans Light", "Liberation Sans"].filter(hasFont);
  /** Sure readings of `labels` over `fonts` at 10–16 px, crisp and blurred with 3 noise seeds, as fast_label.ts takes them. */
  const sweep = async (labels: [string, number][]): Promise<{ read: number; total: number; wrong: string[] }> => {
    let read = 0, total = 0;
    const wrong: string[] = [];
    for (const font of fonts) for (const [text, nm] of labels) for (const size of [10, 11, 12, 13, 14, 16]) for (let d = 0; d <= 3; d++) {
      const { img, region } = await rendered(text, font, size, d > 0, size * 100 + d);
      const r = readLineFast(img, region, true);
      total++;
      const p = r?.parts.find((q) => q.confidence >= 0.3);
      if (!p) continue;
      if (Math.abs(p.label.nm - nm) > 1e-9 * nm) wrong.push(`${font} ${size} px${d ? ` blurred/${d}` : ""}: '${text}' read '${r?.text}' (${p.confidence.toFixed(2)})`);
      else read++;
    }
    return { read, total, wrong };
  };

  it("never reads '1 mm', '5 mm' or '0.1 µm' as another length", async function () {
    this.timeout(60000);
    if (fonts.length === 0) return this.skip();
    const { read, total, wrong } = await sweep([["1 mm", 1e6], ["5 mm", 5e6], ["1mm", 1e6], ["0.1 µm", 100], ["0.1µm", 100]]);
    console.log(`      ${read}/${total} read surely, ${wrong.length} wrong`);
    assert.deepEqual(wrong, []);
  });

  it("still reads small 'nm' and 'µm' labels (the refusals cost few reads)", async function () {
    this.timeout(60000);
    if (fonts.length === 0) return this.skip();
    const { read, total, wrong } = await sweep([["1 nm", 1], ["20 nm", 20], ["100 nm", 100], ["1 µm", 1000], ["0.5 µm", 500]]);
    // Measured 2026-12-07: 312 of 720 read surely, the same 312 as before the refusals (main).
    console.log(`      ${read}/${total} read surely`);
    assert.deepEqual(wrong, []);
    assert.ok(read >= 300, `read ${read}/${total}`);
  });
});

describe("data.scalebar: read_line_fast with ink that is not the line's", () => {
  /** Paint a dark disk (radius r, centre cx, cy) into img. */
  const disk = (img: GreyImage, cx: number, cy: number, r: number): void => {
    for (let y = Math.floor(cy - r); y <= cy + r; y++) for (let x = Math.floor(cx - r); x <= cx + r; x++) if ((x - cx) ** 2 + (y - cy) ** 2 <= r * r) img.data[y * img.width + x] = 10;
  };

  it("clipAbove keeps a glyph's largest part below a row", () => {
    // A 4-wide stem (rows 6…15) with a 2×2 blob above it (rows 0…1), separate once rows < 4 go.
    const w = 6, h = 16;
    const mask = new Uint8Array(w * h);
    for (let y = 0; y < 2; y++) mask.fill(1, y * w, y * w + 2);
    for (let y = 2; y < 16; y++) mask.fill(1, y * w + 1, y * w + 5);
    const g = { x0: 10, y0: 20, x1: 10 + w, y1: 20 + h, mask, n: mask.reduce((a, b) => a + b, 0) };
    const c = clipAbove(g, 24);
    assert.ok(c);
    assert.deepEqual([c.x0, c.y0, c.x1, c.y1, c.n], [11, 24, 15, 36, 48]);
    assert.equal(clipAbove(g, 20), null);
    assert.equal(clipAbove(g, 36), null);
  });

  it("reads '200nm' with a particle touching the m from above and specks over and under the line", async function () {
    if (!hasFont(UNSEEN)) return this.skip();
    const { img, region } = await rendered("200nm", UNSEEN, 40);
    const plain = readLineFast(img, region, true);
    assert.equal(plain?.label?.nm, 200, `plain: ${plain?.text}`);
    // Ink box of the text: the line crop without its padding.
    const lh = (region.y1 - region.y0) / 1.7;
    const top = region.y0 + 0.35 * lh, right = region.x1 - 0.6 * lh;
    // A particle of 0.2 line heights radius over the m's left half, overlapping its x-height top; specks
    // above the line and below its baseline, in the gaps between the 2 and the first 0 and the last 0 and the n.
    disk(img, right - 0.75 * lh, top + 0.1 * lh, 0.2 * lh);
    disk(img, region.x0 + 0.6 * lh + 0.63 * lh, top - 0.2 * lh, 0.07 * lh);
    disk(img, region.x0 + 0.6 * lh + 2.2 * lh, top + 1.25 * lh, 0.07 * lh);
    const r = readLineFast(img, { ...region, y0: region.y0 - 0.2 * lh, y1: region.y1 + 0.2 * lh }, true);
    assert.ok(r?.label, `with particle: '${r?.text}'`);
    assert.equal(r.label.nm, 200);
  });
});

describe("data.scalebar: findScaleBar decides a plain label with the template reader", () => {
  it("reads a synthetic bar's label on a panel, dark and light, without the OCR engine (readBy templates)", async function () {
    this.timeout(30000);
    if (!hasFont(UNSEEN)) return this.skip();
    // A reader whose OCR would throw: the template reader must decide on its own.
    const reader = { read: async () => { throw new Error("tesseract must not be used"); }, terminate: async () => undefined };
    for (const [ink, panel, seed] of [[0, 225, 5], [255, 30, 6]]) {
      const bg = synthBackground(new Rng(seed), 384);
      const { image, truth } = await renderSynthBar(bg, {
        lengthPx: 120, thicknessPx: 8, barNm: 200, text: "200 nm", font: UNSEEN, bold: false, fontPx: 26,
        corner: "bottom-right", labelSide: "above", ink, panel,
      });
      const r = await findScaleBar(image, { reader });
      assert.ok(r.found, r.found ? "" : r.reason);
      assert.equal(r.readBy, "templates");
      assert.equal(r.label.nm, 200);
      assert.ok(Math.abs(r.nmPerPx - truth.nmPerPx) / truth.nmPerPx < 0.02, `${r.nmPerPx} vs ${truth.nmPerPx}`);
    }
  });
});

describe("data.scalebar: the quick bar scan (findBarCandidates rowStep)", () => {
  it("finds a bar ≥ 4 rows thick exactly as the full scan does, and may miss a 1-row line the full scan finds", async () => {
    const W = 400, H = 300;
    const rng = new Rng(3);
    const data = new Uint8Array(W * H);
    for (let i = 0; i < data.length; i++) data[i] = 120 + Math.round(rng.uniform(-30, 30));
    // A 6-row white bar (rows 250…255) and a 1-row white line on row 101 (not a multiple of 4).
    for (let y = 250; y < 256; y++) for (let x = 200; x < 320; x++) data[y * W + x] = 250;
    for (let x = 40; x < 160; x++) data[101 * W + x] = 250;
    const img = { data, width: W, height: H };
    const full = findBarCandidates(img);
    const quick = findBarCandidates(img, { rowStep: 4 });
    const thick = (cs: typeof full) => cs.find((c) => c.box.y0 === 250);
    assert.ok(thick(full) && thick(quick));
    assert.deepEqual(thick(quick), thick(full));
    assert.ok(full.some((c) => c.box.y0 === 101 && c.thicknessPx === 1), "the full scan finds the 1-row line");
    assert.ok(!quick.some((c) => c.box.y0 === 101), "the quick scan skips row 101");
  });
});

describe("data.scalebar: findScaleBar falls back to the full bar scan", () => {
  it("reads a 1-row bar on a row the quick scan skips", async function () {
    this.timeout(30000);
    if (!hasFont(UNSEEN)) return this.skip();
    // Noise everywhere (no flat rows near the bar), a black 1-row bar on row 151 (not a multiple of 4),
    // and a white patch above it holding the label "200 nm".
    const W = 400, H = 240;
    const rng = new Rng(8);
    const data = new Uint8Array(W * H);
    for (let i = 0; i < data.length; i++) data[i] = 120 + Math.round(rng.uniform(-30, 30));
    const row = 151;
    for (let x = 150; x < 270; x++) data[row * W + x] = 0;
    const { img: label } = await rendered("200 nm", UNSEEN, 24);
    const ox = 160, oy = row - 12 - label.height;
    for (let y = 0; y < label.height; y++) for (let x = 0; x < Math.min(label.width, W - ox); x++) data[(oy + y) * W + ox + x] = label.data[y * label.width + x];
    const img = { data, width: W, height: H };
    assert.ok(!findBarCandidates(img, { rowStep: 4 }).some((c) => c.box.y0 === row), "the quick scan misses the bar");
    const reader = { read: async () => [], terminate: async () => undefined };
    const r = await findScaleBar(img, { reader });
    assert.ok(r.found, r.found ? "" : r.reason);
    assert.equal(r.bar.box.y0, row);
    assert.equal(r.readBy, "templates");
    assert.ok(Math.abs(r.nmPerPx - 200 / 120) / (200 / 120) < 0.02, `${r.nmPerPx}`);
  });
});
