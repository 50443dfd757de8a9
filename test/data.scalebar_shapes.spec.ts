import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import sharp from "sharp";
import { Rng } from "../lib/util/rng";
import { decodeImage } from "../lib/data/decode";
import { toGrey8 } from "../lib/data/scalebar/calibrate";
import { findBarCandidates } from "../lib/data/scalebar/find_bar";
import type { Box, GreyImage } from "../lib/data/scalebar/find_bar";
import { isOneTwoFive, millimetresPossible, pointBetweenDigits } from "../lib/data/scalebar/fast_label";
import { findScaleBar } from "../lib/data/scalebar/find_scale_bar";
import { hasFont, rendered, renderedBlurredUnit } from "./rendered_label";
import { isClosedTopped, isNmOrMm, isOpenTopped, isPlainOne, mayBeCutMm, muShapeFits } from "../lib/data/scalebar/glyph_shapes";
import { readLineFast } from "../lib/data/scalebar/read_line_fast";
import { splitLine } from "../lib/data/scalebar/glyph_split";
import type { Glyph } from "../lib/data/scalebar/glyph_split";
import type { LabelReader, OcrLine } from "../lib/data/scalebar/read_label";
import { findTextLines } from "../lib/data/scalebar/text_lines";

// Shape rules of the fast reader (glyph_shapes.ts), the decimal-point check on the OCR engine's readings
// (fast_label.ts pointBetweenDigits) and the bar's half level (find_bar.ts), on rendered text (fonts as
// fontconfig names them; a font that is absent skips its case) and on real EMPS crops where present.


/** The glyphs of `text` rendered dark on white in `font` at `size` px, as the fast reader cuts them. */
async function glyphsOf(text: string, font: string, size: number, weight = "normal"): Promise<{ glyphs: Glyph[]; top: number; baseline: number }> {
  const W = size * (text.length + 2), H = 2 * size + 10;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}"><rect width="${W}" height="${H}" fill="white"/>` +
    `<text x="${size}" y="${Math.round(1.4 * size)}" font-family="${font}" font-weight="${weight}" font-size="${size}">${text}</text></svg>`;
  const raw = await sharp(Buffer.from(svg)).greyscale().raw().toBuffer({ resolveWithObject: true });
  const px = new Uint8Array(raw.info.width * raw.info.height);
  for (let i = 0; i < px.length; i++) px[i] = raw.data[i * raw.info.channels];
  const line = splitLine({ data: px, width: raw.info.width, height: raw.info.height }, { x0: 2, y0: 2, x1: W - 2, y1: H - 2 }, true);
  assert.ok(line, `${text} in ${font}: no line`);
  return line;
}

/** A glyph from rows of '#' (ink) and '.', placed at (x0, y0). */
function maskGlyph(rows: string[], x0 = 0, y0 = 0): Glyph {
  const w = rows[0].length, h = rows.length;
  const mask = new Uint8Array(w * h);
  rows.forEach((r, y) => [...r].forEach((c, x) => { mask[y * w + x] = c === "#" ? 1 : 0; }));
  return { x0, y0, x1: x0 + w, y1: y0 + h, mask, n: mask.reduce((a, b) => a + b, 0) };
}

describe("data.scalebar: glyph_shapes", () => {
  it("a plain stroke with a flag (the bold '1' of EMPS 03a1d18cc6, drawn) is a '1'; the same with a foot to the right only is not", () => {
    // 10 columns × 20 rows, line top 0 and baseline 20: a 4-column stem on the right, a flag in the top rows.
    const one = ["......####", ".....#####", "...#######", "##########", "####..####", ...Array(15).fill("......####")];
    assert.equal(isPlainOne(maskGlyph(one), { top: 0, baseline: 20 }), true);
    // The stem with a foot reaching 6 columns to the right (an "L").
    const ell = [...Array(16).fill("####......"), ...Array(4).fill("##########")];
    assert.equal(isPlainOne(maskGlyph(ell), { top: 0, baseline: 20 }), false);
    // Too short for the line (x-height): not a digit "1".
    assert.equal(isPlainOne(maskGlyph(one.slice(6)), { top: 0, baseline: 20 }), false);
  });

  it("reads rendered '1's of several fonts as plain ones, and never a 4, 7, L, T, 0 or 2", async function () {
    this.timeout(20000);
    const fonts = ["DejaVu Sans", "Liberation Sans", "Lato", "DejaVu Sans Condensed", "Liberation Sans Narrow", "Liberation Mono", "cmr10"].filter(hasFont);
    if (fonts.length === 0) return this.skip();
    let ones = 0, tried = 0, unsplit = 0;
    for (const font of fonts) {
      for (const weight of ["normal", "bold"]) {
        for (const size of [14, 24, 40]) {
          const line = await glyphsOf("1 4 7 L T 0 2", font, size, weight);
          // A thin serif stroke broken at 14 px (cmr10) gives more glyphs: that rendering is not checked.
          if (line.glyphs.length !== 7) { unsplit++; continue; }
          tried++;
          if (isPlainOne(line.glyphs[0], line)) ones++;
          for (let i = 1; i < 7; i++) assert.equal(isPlainOne(line.glyphs[i], line), false, `${font} ${weight} ${size}: glyph ${"147LT02"[i]} taken for a 1`);
        }
      }
    }
    // Measured: every sans '1' (flag, with or without a foot) is a plain one; serif feet are wider than 0.3 line heights at small sizes.
    assert.ok(unsplit <= 2, `${unsplit} renderings did not split into 7 glyphs`);
    assert.ok(ones >= 0.6 * tried, `${ones}/${tried} rendered '1's are plain ones`);
  });

  it("an open-topped µ (upright or as the italic one of EMPS 2e4a3ab627) is not a p, n or 0", async function () {
    this.timeout(20000);
    // The italic µ as the reader cut it (rows of the real glyph, every other row).
    const mu = maskGlyph([".....###.......###.", "....#####.....#####", "....#####.....#####", "...####.....######.", "..#####.....#####..",
      "..######...######..", "##################.", "#####...#.......#..", "#####..............", "#####.............."]);
    assert.equal(isOpenTopped(mu), true);
    const fonts = ["DejaVu Sans", "Liberation Sans", "DejaVu Serif", "Liberation Serif", "cmr10"].filter(hasFont);
    if (fonts.length === 0) return this.skip();
    for (const font of fonts) {
      for (const size of [18, 30]) {
        // (A serif m's stem serif and arches may look open; only p competes with µ in the reader.)
        const line = await glyphsOf("µ p n 0", font, size);
        assert.equal(line.glyphs.length, 4, `${font} ${size}: ${line.glyphs.length} glyphs`);
        // cmr10 has no µ of its own (a fallback font draws it): only its p, n, 0 are checked.
        if (font !== "cmr10") assert.equal(isOpenTopped(line.glyphs[0]), true, `${font} ${size}: µ`);
        for (let i = 1; i < line.glyphs.length; i++) assert.equal(isOpenTopped(line.glyphs[i]), false, `${font} ${size}: ${"µpn0"[i]} open-topped`);
      }
    }
  });

  it("mayBeCutMm: a touching 'n' + 'm' with the m ≥ 1.75× the n's width may be a wrongly cut 'mm'", () => {
    // Box widths only matter: an n 10 wide, an m 16 (a true "nm") or 19 (the m holding an extra stem).
    const box = (x0: number, x1: number): Glyph => maskGlyph([".".repeat(x1 - x0)], x0, 0);
    assert.equal(mayBeCutMm(box(0, 10), box(11, 27)), false, "a true nm (ratio 1.6)");
    assert.equal(mayBeCutMm(box(0, 10), box(11, 30)), true, "ratio 1.9, one column apart");
    assert.equal(mayBeCutMm(box(0, 10), box(10, 28)), true, "ratio 1.8, touching");
    assert.equal(mayBeCutMm(box(0, 10), box(13, 32)), false, "ratio 1.9 but a real gap: two glyphs");
    // Small letters (under 4.5 source px tall): a touching nm is never sure, whatever the ratio.
    const tall = (x0: number, x1: number): Glyph => maskGlyph(Array(40).fill(".".repeat(x1 - x0)), x0, 0);
    assert.equal(mayBeCutMm(tall(0, 10), tall(11, 27), 10), true, "ratio 1.6, 4 source px tall");
    assert.equal(mayBeCutMm(tall(0, 10), tall(11, 27), 5), false, "ratio 1.6, 8 source px tall");
    assert.equal(mayBeCutMm(tall(0, 10), tall(13, 27), 10), false, "small but a real gap");
  });

  it("on rendered 'mm' cut where the reader cuts a blurred one, is true; on rendered 'nm' in the same fonts, false", async function () {
    this.timeout(20000);
    // At the small sizes where blur merges an "mm" (crisp, upscaled by splitLine): a true "nm" measured
    // 1.50–1.57 here; at 20–40 px up to 1.78 (DejaVu Sans), where the two never touch.
    const fonts = ["DejaVu Sans", "Liberation Sans", "Lato", "DejaVu Sans Condensed", "Lato Light", "Liberation Serif"].filter(hasFont);
    if (fonts.length === 0) return this.skip();
    for (const font of fonts) for (const size of [12, 14]) {
      const nm = await glyphsOf("n m", font, size);
      assert.equal(nm.glyphs.length, 2, `${font} ${size}`);
      const [n, m] = nm.glyphs;
      // The two crisp glyphs set side by side (touching): a true "nm".
      const shift = m.x0 - n.x1;
      assert.equal(mayBeCutMm(n, { ...m, x0: m.x0 - shift, x1: m.x1 - shift }), false, `${font} ${size}: nm`);
      // An m cut after its second stem, the rest joined to a second m: the "n" is the m's left 0.6, the
      // "m" its right 0.4 plus a whole m.
      const w = m.x1 - m.x0, c = Math.round(0.6 * w);
      assert.equal(mayBeCutMm({ ...m, x1: m.x0 + c }, { ...m, x0: m.x0 + c, x1: m.x1 + w }), true, `${font} ${size}: mm cut`);
    }
  });

  it("muShapeFits: a µ that is a solid blob, or closed at the top against a p, or a u not open at the top against an n, is unsure", () => {
    const mu = maskGlyph(["##....##", "##....##", "##....##", "##....##", "###..###", "########", "##......", "##......"]);
    const p = maskGlyph(["######..", "########", "##....##", "##....##", "##....##", "########", "##......", "##......"]);
    const blob = maskGlyph(["..####..", "########", "########", "########", "########", "########", "####....", "##......"]);
    assert.equal(isOpenTopped(mu), true);
    assert.equal(isClosedTopped(p), true);
    assert.equal(isClosedTopped(mu), false);
    assert.equal(muShapeFits(mu, { char: "µ", runnerUpChar: "p", confidence: 0.4 }), true);
    assert.equal(muShapeFits(p, { char: "µ", runnerUpChar: "p", confidence: 0.4 }), false, "closed top against p");
    assert.equal(muShapeFits(p, { char: "µ", runnerUpChar: "0", confidence: 0.4 }), true, "only p competes");
    assert.equal(muShapeFits(blob, { char: "µ", runnerUpChar: "0", confidence: 0.9 }), false, "solid blob");
    // A "u" (open-topped) keeps its reading; an n-like "u" (arch on top) is unsure against n when the margin is under 0.5.
    const n = maskGlyph(["######..", "########", "##....##", "##....##", "##....##", "##....##"]);
    const u = maskGlyph(["##....##", "##....##", "##....##", "##....##", "########", "..######"]);
    assert.equal(muShapeFits(u, { char: "u", runnerUpChar: "n", confidence: 0.35 }), true);
    assert.equal(muShapeFits(n, { char: "u", runnerUpChar: "n", confidence: 0.35 }), false);
    assert.equal(muShapeFits(n, { char: "u", runnerUpChar: "n", confidence: 0.6 }), true, "a clear margin stands");
  });

  it("labels whose unit alone is blurred (p, n read as µ, u on main) are never read surely as another length", async function () {
    this.timeout(30000);
    // Each read wrongly (sure, confidence 0.32–0.39) before muShapeFits (scripts/stress_small_labels.ts UNIT_BLUR=0.6,1,1.4).
    const cases: [string, string, string, number, number, number][] = [
      ["DejaVu Sans", "bold", "5 pm", 6, 0.6, 600], ["DejaVu Serif", "bold", "50 pm", 8, 0.6, 800],
      ["DejaVu Serif Condensed", "bold", "5 pm", 16, 1.4, 1602], ["cmr10", "normal", "0.5 mm", 10, 0.6, 1000], ["cmr10", "normal", "0.5 nm", 10, 0.6, 1000],
    ];
    let ran = 0;
    for (const [font, weight, text, size, sigma, seed] of cases) {
      if (!hasFont(font)) continue;
      ran++;
      const [num, unit] = text.split(" ");
      const { img, region } = await renderedBlurredUnit(num, unit, font, size, sigma, seed, weight);
      const r = readLineFast(img, region, true);
      const truth = Number(num) * ({ pm: 1e-3, nm: 1, mm: 1e6 } as Record<string, number>)[unit];
      const wrong = (r?.parts ?? []).filter((q) => q.confidence >= 0.3 && Math.abs(q.label.nm - truth) > 1e-9 * truth);
      assert.equal(wrong.length, 0, `${font} ${weight} '${text}' ${size} px σ ${sigma}: read '${r?.text}'`);
    }
    if (ran === 0) this.skip();
  });

  it("crisp µ labels are still read: '5 µm', '0.5 µm', '50 um' at 12 and 16 px", async function () {
    this.timeout(30000);
    const fonts = ["DejaVu Sans", "Liberation Sans", "DejaVu Serif", "Lato"].filter(hasFont);
    if (fonts.length === 0) return this.skip();
    for (const font of fonts) for (const [text, nm] of [["5 µm", 5000], ["0.5 µm", 500], ["50 um", 50000]] as [string, number][]) for (const size of [12, 16]) {
      const { img, region } = await rendered(text, font, size);
      const r = readLineFast(img, region, true);
      const sure = (r?.parts ?? []).filter((q) => q.confidence >= 0.3);
      assert.ok(sure.length === 1 && Math.abs(sure[0].label.nm - nm) < 1e-9 * nm, `${font} '${text}' ${size} px: read '${r?.text}' (${sure.map((q) => q.confidence.toFixed(2)).join(",")})`);
    }
  });

  it("isNmOrMm: merged x-height letters starting with an arch (n, m) are nm or mm; u, o, p, one letter, tall ink are not", () => {
    // Line: digits from row 0 to the baseline at row 12; the unit's letters 9 rows tall (x-height) from row 3.
    const line = { top: 0, baseline: 12 };
    // A blurred "nm": n's arch, its two legs open below, then an m's ink run together (20 columns ≈ 1.7 line heights).
    const nm = [".######.############", "########.###########", "##....##.##...##...#", "##....##.##...##...#", "##....##.##...##...#", "##....##.##...##...#", "##....##.##...##...#", "##....##.##...##...#", "##....##.##...##...#"];
    assert.equal(isNmOrMm(maskGlyph(nm, 0, 3), line), true);
    // "um": the first letter open at the top (u's arms), closed at the bottom (its bowl).
    const um = ["##....##.###########", "##....##.###########", "##....##.##...##...#", "##....##.##...##...#", "##....##.##...##...#", "##....##.##...##...#", "##....##.##...##...#", "########.##...##...#", ".######..##...##...#"];
    assert.equal(isNmOrMm(maskGlyph(um, 0, 3), line), false, "um");
    // "om": the gap closed at the bottom by a bowl.
    const om = [".######.############", "########.###########", "##....##.##...##...#", "##....##.##...##...#", "##....##.##...##...#", "##....##.##...##...#", "##....##.##...##...#", "########.##...##...#", ".######..##...##...#"];
    assert.equal(isNmOrMm(maskGlyph(om, 0, 3), line), false, "om");
    // The same "nm" ink reaching 3 rows below the baseline (a descender: "pm", "µm"), or from the digits' top (tall: "Å").
    assert.equal(isNmOrMm(maskGlyph([...nm, "##......", "##......", "##......"], 0, 3), line), false, "descender");
    assert.equal(isNmOrMm(maskGlyph([...Array(3).fill("##..................."), ...nm], 0, 0), line), false, "tall");
    // One letter's width (an "n" alone, 8 columns) is not a two-letter unit.
    assert.equal(isNmOrMm(maskGlyph(nm.map((r) => r.slice(0, 8)), 0, 3), line), false, "one letter");
  });

  it("millimetresPossible: mm only where the field of view stays within 100 mm", () => {
    // EMPS 3430b20071: "100 nm" over 82.2 px of a 514-px image: in mm the field would be 625 mm.
    assert.equal(millimetresPossible(100, 82.2, 514), false);
    // "1" over 100 px of 1000 px: 10 mm in millimetres (a low-magnification SEM), 10 nm in nanometres: both possible.
    assert.equal(millimetresPossible(1, 100, 1000), true);
    // Exactly at the limit: 10 × 1e6 nm / 100 px × 1000 px = 1e8 nm.
    assert.equal(millimetresPossible(10, 100, 1000), true);
    assert.equal(millimetresPossible(10, 99, 1000), false);
  });

  it("a number with its unit merged by a blur: '100 µm', '100 um', '100 pm' never come out as nm or mm, '100 nm' only as 100 nm", async function () {
    this.timeout(60000);
    const fonts = ["DejaVu Sans", "Liberation Sans", "Lato"].filter(hasFont);
    if (fonts.length === 0) return this.skip();
    for (const font of fonts) for (const size of [10, 12, 14]) for (const sigma of [1, 1.4]) {
      for (const unit of ["nm", "µm", "um", "pm"]) {
        const { img, region } = await renderedBlurredUnit("100", unit, font, size, sigma, size * 10 + sigma * 10);
        const r = readLineFast(img, region, true);
        const amb = (r?.nmOrMm ?? []).filter((q) => q.confidence >= 0.3);
        if (unit !== "nm") assert.equal(amb.length, 0, `${font} ${size} px σ ${sigma} '100 ${unit}': read '${r?.text}' as nm or mm`);
        else for (const q of amb) assert.equal(q.label.nm, 100, `${font} ${size} px σ ${sigma}: '${q.text}'`);
      }
    }
  });

  it("EMPS 3430b20071: '100' then a blurred 'nm' blob over an 82-px bar of a 514-px image is read as 100 nm (mm: a 625-mm field)", async function () {
    this.timeout(60000);
    const file = path.join(__dirname, "..", "..", "shared", "data", "emps-train", "images", "3430b20071.jpg");
    if (!fs.existsSync(file)) { console.log(`      (skipped: ${file} is absent)`); return this.skip(); }
    const img = toGrey8(await decodeImage(file, { channels: "native" }));
    const r = await findScaleBar(img);
    assert.ok(r.found, r.found ? "" : r.reason);
    if (!r.found) return;
    assert.equal(r.readBy, "templates");
    assert.equal(r.label.nm, 100);
    // By eye: 1.2136 nm/px (100 nm over 82.4 px).
    assert.ok(Math.abs(r.nmPerPx - 1.2136) <= 0.02 * 1.2136, `${r.nmPerPx} nm/px`);
  });

  it("a label cut by the image's right edge inside its unit: '50 nm' is read as nm or mm; '50 µm', 'um', 'pm' never as another length", async function () {
    this.timeout(120000);
    const fonts = ["DejaVu Sans", "Liberation Serif", "Lato"].filter(hasFont);
    if (fonts.length === 0) return this.skip();
    let nmRead = 0, nmCases = 0;
    for (const font of fonts) for (const size of [12, 16, 20]) for (const distort of [false, true]) for (const unit of ["nm", "µm", "um", "pm"]) {
      const { img: whole, region } = await rendered(`50 ${unit}`, font, size, distort, size + (distort ? 1 : 0));
      // The unit's ink columns: from the first ink column right of the number's to the last.
      const { img: num } = await rendered("50", font, size, false, size);
      const inkCols = (g: GreyImage): number[] => [...Array(g.width).keys()].filter((x) => [...Array(g.height).keys()].some((y) => g.data[y * g.width + x] < 128));
      const numEnd = Math.max(...inkCols(num)) + 1;
      const cols = inkCols(whole).filter((x) => x > numEnd + 1);
      const u0 = Math.min(...cols), u1 = Math.max(...cols) + 1;
      for (const frac of [0.55, 0.7, 0.85]) {
        const W = Math.round(u0 + frac * (u1 - u0));
        const data = new Uint8Array(W * whole.height);
        for (let y = 0; y < whole.height; y++) data.set(whole.data.subarray(y * whole.width, y * whole.width + W), y * W);
        const r = readLineFast({ data, width: W, height: whole.height }, region, true);
        const sure = [...(r?.parts ?? []), ...(r?.nmOrMm ?? [])].filter((p) => p.confidence >= 0.3);
        const what = `${font} ${size} px${distort ? " blurred" : ""} '50 ${unit}' cut at ${frac}: '${r?.text}'`;
        if (unit === "nm") {
          nmCases++;
          assert.ok(sure.every((p) => p.label.nm === 50), `${what} read ${sure.map((p) => p.text)}`);
          if (r?.nmOrMm.some((p) => p.confidence >= 0.3 && p.label.nm === 50)) nmRead++;
        } else {
          assert.deepEqual(sure.map((p) => p.label.nm), [], what);
        }
      }
    }
    // Most cut "nm" labels are read (all of them when the glyphs are sure): the rule does something.
    assert.ok(nmRead >= 0.5 * nmCases, `${nmRead} of ${nmCases} cut '50 nm' read`);
  });

  it("a 5–6 px label under a bar keeps its x-height unit (letters shorter than a glyph that counts) and is read: '50 nm' as 50 nm", async function () {
    this.timeout(60000);
    const fonts = ["Liberation Sans", "DejaVu Sans"].filter(hasFont);
    if (fonts.length === 0) return this.skip();
    // The OCR engine reads nothing here: only the template reader can read these.
    const reader: LabelReader = { read: async () => [], terminate: async () => undefined };
    let read = 0, cases = 0;
    for (const font of fonts) for (const size of [7, 8]) for (const seed of [1, 2]) {
      // A white panel, a 63-px black bar, the label under its left end (EMPS 1ecd5c901c's layout).
      const W = 240, H = 90, rng = new Rng(seed);
      const px = Buffer.alloc(W * H);
      for (let i = 0; i < px.length; i++) px[i] = 245 + Math.round(rng.uniform(-5, 5));
      const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}"><rect x="60" y="40" width="63" height="4" fill="black"/>` +
        `<text x="61" y="${46 + size}" font-family="${font}" font-size="${size}" fill="black">50 nm</text></svg>`;
      const jpg = await sharp(px, { raw: { width: W, height: H, channels: 1 } }).composite([{ input: Buffer.from(svg), top: 0, left: 0 }]).toColourspace("b-w").jpeg({ quality: 90 }).toBuffer();
      const raw = await sharp(jpg).greyscale().raw().toBuffer({ resolveWithObject: true });
      const data = new Uint8Array(W * H);
      for (let i = 0; i < data.length; i++) data[i] = raw.data[i * raw.info.channels];
      const img = { data, width: W, height: H };
      // The label's ink: its rightmost dark column under the bar.
      let inkEnd = 0;
      for (let y = 46; y < H; y++) for (let x = 0; x < W; x++) if (data[y * W + x] < 128) inkEnd = Math.max(inkEnd, x + 1);
      const c = findBarCandidates(img).find((b) => Math.abs(b.lengthPx - 63) <= 2);
      assert.ok(c, `${font} ${size} px: no 63-px bar`);
      const line = findTextLines(img, c, { near: true })[0];
      assert.ok(line && line.box.x1 >= inkEnd - 1, `${font} ${size} px: line ${JSON.stringify(line?.box)} stops before the unit's end ${inkEnd}`);
      const r = await findScaleBar(img, { reader });
      cases++;
      if (!r.found) continue;
      assert.equal(r.label.nm, 50, `${font} ${size} px: read '${r.label.matched}'`);
      assert.ok(Math.abs(r.nmPerPx - 50 / 63) <= 0.02 * 50 / 63, `${r.nmPerPx} nm/px`);
      read++;
    }
    // Before the short letters joined the line, the 7-px ones (digits 5 px, "nm" 4 px) were refused.
    assert.ok(read >= 0.75 * cases, `${read} of ${cases} read`);
  });

  it("isOneTwoFive knows 1, 2, 5 × 10^k only", () => {
    for (const nm of [1, 10, 100, 1000, 0.1, 2, 20, 5, 50, 500, 5000]) assert.equal(isOneTwoFive(nm), true, `${nm}`);
    for (const nm of [3, 7, 25, 250, 40, 15, 11, 0]) assert.equal(isOneTwoFive(nm), false, `${nm}`);
  });
});

/** A 2048² JEOL-style export (bar 491 × 28 px at (1334,1990), `label` left of it) as 8-bit grey, JPEG'd. */
async function jeolExport(label: string, font: string, fontPx: number, seed: number): Promise<GreyImage> {
  const S = 2048;
  const rng = new Rng(seed);
  const px = Buffer.alloc(S * S);
  for (let i = 0; i < px.length; i++) px[i] = 170 + Math.round(rng.uniform(-25, 25));
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${S}" height="${S}"><rect x="1334" y="1990" width="491" height="28" fill="black"/>` +
    `<text x="1310" y="${1990 + Math.round(0.72 * fontPx)}" font-family="${font}" font-size="${fontPx}" text-anchor="end" fill="black">${label}</text></svg>`;
  const jpg = await sharp(px, { raw: { width: S, height: S, channels: 1 } }).composite([{ input: Buffer.from(svg), top: 0, left: 0 }]).toColourspace("b-w").jpeg({ quality: 90 }).toBuffer();
  const raw = await sharp(jpg).greyscale().raw().toBuffer({ resolveWithObject: true });
  const d = new Uint8Array(S * S);
  for (let i = 0; i < d.length; i++) d[i] = raw.data[i * raw.info.channels];
  return { data: d, width: S, height: S };
}

describe("data.scalebar: an OCR reading without the decimal point the templates see", () => {
  it("is refused: '20.0 nm' in a thin font read by the engine as '200 nm' gives no number", async function () {
    this.timeout(30000);
    // DejaVu Sans Light is not among the template fonts; the engine (measured with tesseract on this very
    // layout) dropped its thin point: "20.0 nm" → "200 nm", "1.0 µm" → "10um". A stand-in engine returns
    // exactly those readings, so the test does not depend on the engine's version.
    const font = "DejaVu Sans Light";
    if (!hasFont(font)) return this.skip();
    for (const [label, misread] of [["20.0 nm", "200 nm"], ["1.0 µm", "10um"]]) {
      const img = await jeolExport(label, font, 36, 5);
      const engine: LabelReader = {
        async read(_img: GreyImage, region: Box): Promise<OcrLine[]> {
          // The ink's box, as the engine reports a word: the line crop (text_lines.ts lineCrop) without its padding.
          const lh = (region.y1 - region.y0) / 1.7;
          const box = { x0: region.x0 + 0.6 * lh, y0: region.y0 + 0.35 * lh, x1: region.x1 - 0.6 * lh, y1: region.y1 - 0.35 * lh };
          return [{ text: misread, confidence: 90, box, words: [{ text: misread, start: 0, confidence: 90, box }] }];
        },
        async terminate() { /* nothing to stop */ },
      };
      const c = findBarCandidates(img, { rowStep: 4 })[0];
      const lines = findTextLines(img, c);
      assert.ok(pointBetweenDigits(img, c, lines, lines[0].box), `${label}: no point seen`);
      const r = await findScaleBar(img, { reader: engine, fastReader: false });
      assert.equal(r.found, false, r.found ? `${label} read as ${r.labelText}` : "");
      assert.match(r.reason, /without a decimal point/);
      // The same engine reading of a whole-number label ("200 nm" drawn) is kept.
      const plain = await jeolExport("200 nm", font, 36, 5);
      const ok = await findScaleBar(plain, { reader: engine, fastReader: false });
      if (misread === "200 nm") assert.ok(ok.found && Math.abs(ok.nmPerPx - 200 / 491) < 0.02 * (200 / 491), ok.found ? `${ok.nmPerPx}` : ok.reason);
    }
  });
});

describe("data.scalebar: a bar whose length depends on the background level taken", () => {
  /** A black 32 × 8 bar at x 100…131 on grey `bg`, blurred with σ `sigma`; `leftBg` paints columns < 100 of rows 16…43 first. */
  async function blurredBar(sigma: number, bg = 90, leftBg = bg): Promise<GreyImage> {
    const W = 240, H = 60;
    const px = Buffer.alloc(W * H, bg);
    for (let y = 16; y < 44; y++) for (let x = 60; x < 100; x++) px[y * W + x] = leftBg;
    for (let y = 26; y < 34; y++) for (let x = 100; x < 132; x++) px[y * W + x] = 0;
    const raw = await sharp(px, { raw: { width: W, height: H, channels: 1 } }).blur(sigma).toColourspace("b-w").raw().toBuffer({ resolveWithObject: true });
    const img = { data: new Uint8Array(W * H), width: W, height: H };
    for (let i = 0; i < W * H; i++) img.data[i] = raw.data[i * raw.info.channels];
    return img;
  }
  const bar = (img: GreyImage) => findBarCandidates(img).find((k) => k.box.y0 >= 22 && k.box.y1 <= 38 && k.box.x0 >= 90);

  it("is measured within 2 % when a blur of σ 1.5 px leaves the rows beside it part edge", async () => {
    const c = bar(await blurredBar(1.5));
    assert.ok(c, "no candidate");
    assert.equal(c.endsUnclear, undefined);
    assert.ok(Math.abs(c.lengthPx - 32) < 0.02 * 32, `${c.lengthPx}`);
  });

  it("has unclear ends when the blur is wider (σ 2.5 px) or its left end lies on a brighter region", async () => {
    const wide = bar(await blurredBar(2.5));
    assert.ok(wide, "no candidate (σ 2.5)");
    assert.equal(wide.endsUnclear, true, `σ 2.5: ${wide.lengthPx}`);
    // Bright bar (white on 18) whose left end meets a region of grey 130, as EMPS dc20484021.
    const W = 240, H = 60;
    const px = new Uint8Array(W * H).fill(18);
    for (let y = 10; y < 50; y++) for (let x = 40; x < 100; x++) px[y * W + x] = 130;
    for (let y = 26; y < 33; y++) for (let x = 100; x < 256 - 100; x++) px[y * W + x] = 253;
    const raw = await sharp(Buffer.from(px), { raw: { width: W, height: H, channels: 1 } }).blur(1.2).toColourspace("b-w").raw().toBuffer({ resolveWithObject: true });
    const img = { data: new Uint8Array(W * H), width: W, height: H };
    for (let i = 0; i < W * H; i++) img.data[i] = raw.data[i * raw.info.channels];
    const c = bar(img);
    assert.ok(c, "no candidate (two regions)");
    assert.equal(c.endsUnclear, true, `two regions: ${c.lengthPx}`);
  });
});

describe("data.scalebar: real EMPS labels read by shape (skipped without ../shared/data)", () => {
  const DIR = path.join(__dirname, "..", "..", "shared", "data", "emps-train", "images");
  // Truth: test/fixtures/real_scalebars.json (label by eye, bar length by a half-level pixel check).
  // 2c6c108b4d: "50 n|" cut by the image's edge; 1ecd5c901c: 5-px digits, a 4-px "nm".
  const cases: [string, string, number, number][] = [["03a1d18cc6.jpg", "10 nm", 10, 57.8], ["2e4a3ab627.jpg", "1µm", 1000, 162.3], ["2c6c108b4d.jpg", "50 nm", 50, 73.0], ["1ecd5c901c.jpg", "50 nm", 50, 62.8]];
  for (const [file, label, nm, px] of cases) {
    it(`${file}: '${label}' by the template reader, nm/px within 2 %`, async function () {
      this.timeout(30000);
      const p = path.join(DIR, file);
      if (!fs.existsSync(p)) {
        console.log(`      (skipped: ${p} is absent)`);
        return this.skip();
      }
      const img = toGrey8(await decodeImage(p, { channels: "native" }));
      const reader: LabelReader = { read: async () => { throw new Error("the OCR engine must not be needed"); }, terminate: async () => undefined };
      const r = await findScaleBar(img, { reader });
      assert.ok(r.found, r.found ? "" : r.reason);
      assert.equal(r.readBy, "templates");
      assert.equal(r.label.nm, nm);
      assert.ok(Math.abs(r.nmPerPx - nm / px) / (nm / px) < 0.02, `${r.nmPerPx} vs ${nm / px}`);
    });
  }
});

describe("data.scalebar: 2048² JEOL-style exports in fonts the templates never saw", () => {
  it("reads '100.0nm', '50.0nm', '20.0 nm', '1.0 µm', '200.0nm' beside a black bar, or refuses: never a wrong length", async function () {
    this.timeout(120000);
    const fonts = ["DejaVu Sans Condensed", "Liberation Sans Narrow", "Lato Medium"].filter(hasFont);
    if (fonts.length === 0) return this.skip();
    // No OCR engine: what the template reader does not decide is refused.
    const none: LabelReader = { read: async () => [], terminate: async () => undefined };
    const labels: [string, number][] = [["100.0nm", 100], ["50.0nm", 50], ["20.0 nm", 20], ["1.0 µm", 1000], ["200.0nm", 200]];
    let read = 0, n = 0;
    for (const font of fonts) {
      for (const [label, nm] of labels) {
        const img = await jeolExport(label, font, 44, 7 + n++);
        const r = await findScaleBar(img, { reader: none });
        if (!r.found) continue;
        assert.ok(Math.abs(r.nmPerPx - nm / 491) / (nm / 491) < 0.02, `${font} '${label}' read as '${r.labelText}' (${r.nmPerPx} nm/px)`);
        read++;
      }
    }
    // Measured 2026-12-07: 10 of 15 by the templates alone; Liberation Sans Narrow's labels are read right
    // but under the 0.3 margin (narrower than every template), so they are left to the OCR engine.
    assert.ok(read >= Math.min(10, n - 5), `read ${read}/${n}`);
  });
});
