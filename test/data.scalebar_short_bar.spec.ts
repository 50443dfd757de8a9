import { strict as assert } from "assert";
import sharp from "sharp";
import { findBarCandidates } from "../lib/data/scalebar/find_bar";
import type { GreyImage } from "../lib/data/scalebar/find_bar";
import { findScaleBar } from "../lib/data/scalebar/find_scale_bar";
import { measureShortBar } from "../lib/data/scalebar/short_bar";
import { renderSynthBar, synthBackground } from "../lib/data/scalebar/synth_bar";
import { createLabelReader } from "../lib/data/scalebar/read_label";
import { Rng } from "../lib/util/rng";
import { hasFont } from "./rendered_label";

/**
 * A bar of sub-pixel length `length` from x = 40.3 + frac (area-sampled ends), `thick` rows, on a plain
 * background, then blurred (σ px, none under 0.3), noisy (uniform ±noise, seeded) and JPEG'd (q80) when
 * asked. `inkAbove`: a dark/bright label-like block 5 rows above the bar over its middle (drags the
 * strips beside the bar towards the bar's level, as a label does on EMPS 406975041a).
 */
async function renderBar(o: { length: number; frac: number; thick: number; dark: boolean; sigma: number; noise: number; jpeg: boolean; inkAbove: boolean; seed: number }): Promise<{ img: GreyImage; x0: number }> {
  const W = 120, H = 40, bg = o.dark ? 225 : 35, bar = o.dark ? 10 : 245;
  const px = new Float64Array(W * H).fill(bg);
  const x0 = 40.3 + o.frac, x1 = x0 + o.length, y0 = 22;
  for (let y = y0; y < y0 + o.thick; y++) for (let x = 0; x < W; x++) {
    const cover = Math.max(0, Math.min(x + 1, x1) - Math.max(x, x0));
    px[y * W + x] = bg + cover * (bar - bg);
  }
  if (o.inkAbove) for (let y = y0 - 12; y < y0 - 5; y++) for (let x = Math.round(x0 + 3); x < Math.round(x1 - 3); x++) if ((x >> 1) % 2 === 0) px[y * W + x] = bar;
  let data = Uint8Array.from(px, (p) => Math.round(p));
  if (o.sigma >= 0.3) {
    const raw = await sharp(Buffer.from(data), { raw: { width: W, height: H, channels: 1 } }).blur(o.sigma).raw().toBuffer({ resolveWithObject: true });
    data = Uint8Array.from({ length: W * H }, (_, i) => raw.data[i * raw.info.channels]);
  }
  const rng = new Rng(o.seed);
  if (o.noise) data = data.map((p) => Math.max(0, Math.min(255, p + Math.round(rng.uniform(-o.noise, o.noise)))));
  if (o.jpeg) {
    const jpg = await sharp(Buffer.from(data), { raw: { width: W, height: H, channels: 1 } }).jpeg({ quality: 80 }).toBuffer();
    const raw = await sharp(jpg).greyscale().raw().toBuffer({ resolveWithObject: true });
    data = Uint8Array.from({ length: W * H }, (_, i) => raw.data[i * raw.info.channels]);
  }
  return { img: { data, width: W, height: H }, x0 };
}

describe("data.scalebar.short_bar: short bars measured with an error bound", () => {
  it("the bound holds on rendered bars of known length 15–30 px (crisp to blurred σ 1.2, noise ±20, JPEG q80, ink above); crisp bars ≥ 20 px pass 2 %", async function () {
    this.timeout(120000);
    let cases = 0, found = 0, bounded = 0, within2 = 0, crispWithin2 = 0, crispCases = 0;
    let worstRatio = 0;
    const misses: string[] = [];
    let seed = 1;
    for (const sigma of [0, 0.5, 0.8, 1.2]) for (const distort of [false, true]) for (const dark of [true, false]) for (const inkAbove of [false, true]) for (const thick of [2, 4]) {
      for (const length of [15.4, 17.75, 20.2, 23.5, 26.1, 29.6]) {
        const frac = (seed * 0.37) % 1;
        const { img } = await renderBar({ length, frac, thick, dark, sigma, noise: distort ? 20 : 0, jpeg: distort, inkAbove, seed: seed++ });
        cases++;
        const c = findBarCandidates(img).find((b) => b.box.y0 >= 17 && b.box.y1 <= 32 && b.box.x1 - b.box.x0 >= 10);
        // (The finder's flat-row test misses some bars under ±20 noise: not this file's concern.)
        if (!c) continue;
        found++;
        const m = measureShortBar(img, c);
        if (m.unsure) continue;
        bounded++;
        const err = Math.abs(m.lengthPx - length);
        worstRatio = Math.max(worstRatio, err / m.boundPx);
        const tag = `σ ${sigma}${distort ? " noise+JPEG" : ""} ${dark ? "dark" : "bright"}${inkAbove ? " ink above" : ""} ${thick} rows, ${length} px: ${m.lengthPx.toFixed(3)} ± ${m.boundPx.toFixed(3)}`;
        // The bound holds wherever a length is given, accepted or not.
        if (err > m.boundPx) misses.push(tag);
        if (m.boundPx <= 0.02 * m.lengthPx) {
          within2++;
          // Accepted: the reading is within 2 % of the truth.
          assert.ok(err <= 0.02 * length, `accepted yet ${(100 * err / length).toFixed(2)} % off: ${tag}`);
        }
        if (sigma <= 0.5 && !distort && length >= 20) { crispCases++; if (m.boundPx <= 0.02 * m.lengthPx) crispWithin2++; }
      }
    }
    console.log(`      ${cases} rendered bars: ${found} found, ${bounded} measured, ${within2} within a 2 % bound (${crispWithin2}/${crispCases} crisp ≥ 20 px); worst error / bound ${worstRatio.toFixed(2)}`);
    assert.deepEqual(misses, []);
    assert.ok(found >= 0.75 * cases, `only ${found} of ${cases} bars found`);
    assert.ok(bounded >= 0.8 * found, `only ${bounded} of ${found} bars measured`);
    // Crisp bars of 20 px and more are measured well enough to read (it is not a rule that refuses all).
    assert.ok(crispWithin2 >= 0.9 * crispCases, `only ${crispWithin2}/${crispCases} crisp bars ≥ 20 px bounded within 2 %`);
    // A heavy blur on a 15-px bar is not (the bound grows with the blur).
    assert.ok(within2 < bounded);
  });

  it("refuses a bar with something joined to an end, and one too near the image edge", async () => {
    const { img } = await renderBar({ length: 24, frac: 0.2, thick: 4, dark: true, sigma: 0, noise: 0, jpeg: false, inkAbove: false, seed: 3 });
    // A grey blob touching the right end, rows of the bar only.
    for (let y = 22; y < 26; y++) for (let x = 65; x < 69; x++) img.data[y * img.width + x] = 120;
    const c = findBarCandidates(img).find((b) => b.box.y0 >= 20 && b.box.y1 <= 28);
    assert.ok(c);
    const m = measureShortBar(img, c!);
    assert.ok(m.unsure || m.boundPx > 0.02 * m.lengthPx, `measured ${m.lengthPx} ± ${m.boundPx}`);
    const near = { ...c!, box: { ...c!.box, x0: 4 } };
    assert.match(measureShortBar(img, near).unsure ?? "", /image edge/);
  });

  it("findScaleBar reads a 22-px bar labelled '20 nm' (nm/px within 2 %, the bound in its warnings); with minShortBarPx 30 it is refused, saying why", async function () {
    this.timeout(60000);
    if (!hasFont("DejaVu Sans")) return this.skip();
    const spec = { lengthPx: 22, thicknessPx: 3, barNm: 20, text: "20 nm", font: "DejaVu Sans", bold: false, fontPx: 14, corner: "bottom-right" as const, labelSide: "above" as const, ink: 10, panel: 255 };
    const { image, truth } = await renderSynthBar(synthBackground(new Rng(7), 256), spec);
    const reader = await createLabelReader();
    try {
      const r = await findScaleBar(image, { reader });
      assert.ok(r.found, r.found ? "" : r.reason);
      assert.ok(Math.abs(r.nmPerPx - truth.nmPerPx) <= 0.02 * truth.nmPerPx, `${r.nmPerPx} vs ${truth.nmPerPx}`);
      assert.ok(Math.abs(r.lengthPx - 22) <= 0.44, `${r.lengthPx}`);
      assert.ok(r.warnings.some((w) => /^short bar: [0-9.]+ ± [0-9.]+ px$/.test(w)), r.warnings.join("; "));
      const refused = await findScaleBar(image, { reader, minShortBarPx: 30 });
      assert.equal(refused.found, false);
      assert.match(refused.found ? "" : refused.reason, /'20 nm' but the bar is only 2[0-9.]+ px/);
    } finally {
      await reader.terminate();
    }
  });

  it("an unread short bar comes back measured by short_bar.ts, or with lengthUnsure when its length is not bounded (for --scale-bar)", async function () {
    this.timeout(60000);
    const spec = { lengthPx: 24, thicknessPx: 3, barNm: 20, text: " ", font: "DejaVu Sans", bold: false, fontPx: 14, corner: "bottom-right" as const, labelSide: "above" as const, ink: 10, panel: 255 };
    const { image } = await renderSynthBar(synthBackground(new Rng(8), 256), spec);
    const reader = await createLabelReader();
    try {
      const r = await findScaleBar(image, { reader });
      assert.equal(r.found, false);
      if (r.found) return;
      assert.ok(r.bar, r.reason);
      assert.equal(r.lengthUnsure, undefined);
      assert.ok(Math.abs(r.bar!.lengthPx - 24) <= 0.48, `${r.bar!.lengthPx}`);
      // Blurred (σ 1.6) and noisy, the same bar's length is not known to 2 %.
      const raw = await sharp(Buffer.from(image.data), { raw: { width: 256, height: 256, channels: 1 } }).blur(1.6).raw().toBuffer({ resolveWithObject: true });
      const rng = new Rng(9);
      const data = Uint8Array.from({ length: 256 * 256 }, (_, i) => Math.max(0, Math.min(255, raw.data[i * raw.info.channels] + Math.round(rng.uniform(-12, 12)))));
      const b = await findScaleBar({ data, width: 256, height: 256 }, { reader });
      assert.equal(b.found, false);
      if (b.found || !b.bar) return assert.fail(`no bar: ${b.found ? "" : b.reason}`);
      assert.ok(b.bar.endsUnclear || /known to ±[0-9.]+ px, [0-9.]+ % > 2 %|cannot be bounded/.test(b.lengthUnsure ?? ""), `${b.bar.lengthPx} ${b.lengthUnsure}`);
    } finally {
      await reader.terminate();
    }
  });
});
