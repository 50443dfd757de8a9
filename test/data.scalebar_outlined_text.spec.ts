import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import sharp from "sharp";
import type { GreyImage } from "../lib/data/scalebar/find_bar";
import { findBarCandidates } from "../lib/data/scalebar/find_bar";
import { readLabelFast } from "../lib/data/scalebar/fast_label";
import { findScaleBar } from "../lib/data/scalebar/find_scale_bar";
import { readOutlinedLabel, topHatView } from "../lib/data/scalebar/outlined_text";
import { findTextLines } from "../lib/data/scalebar/text_lines";
import { decodeImage } from "../lib/data/decode";
import { toGrey8 } from "../lib/data/scalebar/calibrate";
import { hasFont } from "./rendered_label";

/**
 * An SEM-strip-like scene, 360×160: dark ground (35), a lit sphere (grey 150, a 1.5-px rim of grey `rim`)
 * under the label's right part, a white bar (240, 2 rows, 3.5 font sizes long) with a 1.5-px black shadow,
 * and the label in white (250) just below it with a black drop shadow offset 1.2 px down-right (and a
 * black outline of `outline` px), JPEG q80. Returns the image and the bar's length in px.
 */
async function shadowScene(label: string, font: string, size: number, outline = 0, rim = 215): Promise<{ img: GreyImage; barPx: number }> {
  const W = 360, H = 160, barX = 80, barY = 90, L = Math.round(3.5 * size);
  const tx = barX + 0.1 * L, ty = barY + 4 + size;
  const text = (d: number, fill: string, extra = ""): string => `<text x="${tx + d}" y="${ty + d}" font-family="${font}" font-size="${size}" fill="${fill}" ${extra}>${label}</text>`;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}"><rect width="${W}" height="${H}" fill="rgb(35,35,35)"/>` +
    `<circle cx="${tx + 2.2 * size}" cy="${ty + 0.7 * size}" r="${1.65 * size}" fill="rgb(150,150,150)" stroke="rgb(${rim},${rim},${rim})" stroke-width="1.5"/>` +
    `<rect x="${barX}" y="${barY}" width="${L}" height="2" fill="rgb(240,240,240)"/><rect x="${barX + 1}" y="${barY + 2}" width="${L}" height="1.5" fill="black"/>` +
    text(1.2, "black", `stroke="black" stroke-width="${outline}"`) + text(0, "rgb(250,250,250)") + "</svg>";
  const raw0 = await sharp(Buffer.from(svg)).greyscale().raw().toBuffer({ resolveWithObject: true });
  const jpg = await sharp(raw0.data, { raw: { width: W, height: H, channels: raw0.info.channels } }).jpeg({ quality: 80 }).toBuffer();
  const raw = await sharp(jpg).greyscale().raw().toBuffer({ resolveWithObject: true });
  const px = new Uint8Array(W * H);
  for (let i = 0; i < px.length; i++) px[i] = raw.data[i * raw.info.channels];
  return { img: { data: px, width: W, height: H }, barPx: L };
}

/** What the usual template passes of find_scale_bar (near lines, all lines, blurred lines) make of the bar. */
function usualTemplateReading(img: GreyImage): string | null {
  const c = findBarCandidates(img)[0];
  for (const opts of [{ near: true }, {}, { smooth: true }]) {
    const f = readLabelFast(img, c, findTextLines(img, c, opts).slice(0, 4), []);
    if (f) return f.text;
  }
  return null;
}

const FONT = "DejaVu Sans";

describe("data.scalebar: outlined_text (light text with a dark shadow over a lit particle)", () => {
  it("reads white labels with a drop shadow half over a bright sphere, which the usual template passes do not", async function () {
    this.timeout(60000);
    if (!hasFont(FONT)) return this.skip();
    // Measured: at 24 px these three are refused by the usual template passes and read here.
    for (const [label, nm] of [["100 nm", 100], ["500 nm", 500], ["10 µm", 1e4]] as [string, number][]) {
      const { img, barPx } = await shadowScene(label, FONT, 24);
      assert.equal(usualTemplateReading(img), null, `${label}: the usual passes read it already`);
      const c = findBarCandidates(img)[0];
      assert.ok(Math.abs(c.lengthPx - barPx) < 1, `${label}: bar ${c.lengthPx} px, drawn ${barPx}`);
      const seen: string[] = [];
      const f = readOutlinedLabel(img, c, seen);
      assert.ok(f, `${label}: not read (${seen.join(" | ")})`);
      assert.ok(Math.abs(f.label.nm - nm) <= 1e-9 * nm, `${label} read as ${f.text}`);
      assert.ok(f.confidence >= 0.3);
      // The label's box lies under the bar, on the text's rows (drawn from ty − size to ty).
      assert.ok(f.box.y0 >= 92 && f.box.y1 <= 90 + 4 + 24 + 8, `box ${JSON.stringify(f.box)}`);
    }
  });

  it("reads the same labels inverted (dark text with a light shadow by a dark bar, over a dark sphere)", async function () {
    this.timeout(60000);
    if (!hasFont(FONT)) return this.skip();
    for (const [label, nm] of [["100 nm", 100], ["500 nm", 500], ["10 µm", 1e4]] as [string, number][]) {
      const { img } = await shadowScene(label, FONT, 24);
      const inv: GreyImage = { ...img, data: img.data.map((v) => 255 - v) };
      const c = findBarCandidates(inv)[0];
      assert.equal(c.polarity, "dark");
      const f = readOutlinedLabel(inv, c, []);
      assert.ok(f && Math.abs(f.label.nm - nm) <= 1e-9 * nm, `${label}: ${f?.text}`);
    }
  });

  it("findScaleBar falls back to it and measures nm/px within 2 %", async function () {
    this.timeout(60000);
    if (!hasFont(FONT)) return this.skip();
    const { img, barPx } = await shadowScene("500 nm", FONT, 24);
    const r = await findScaleBar(img);
    assert.ok(r.found, r.found ? "" : r.reason);
    assert.equal(r.readBy, "templates");
    assert.ok(Math.abs(r.nmPerPx / (500 / barPx) - 1) < 0.02, `${r.nmPerPx} nm/px`);
  });

  it("never reads a wrong length on 144 rendered scenes (4 fonts × 6 labels × 14/18/24 px, the sphere with or without a bright rim)", async function () {
    this.timeout(120000);
    const fonts = ["DejaVu Sans", "Liberation Sans", "DejaVu Serif", "Lato"].filter(hasFont);
    if (fonts.length < 4) return this.skip();
    let read = 0;
    const wrongs: string[] = [];
    for (const font of fonts) {
      for (const [label, nm] of [["200 µm", 2e5], ["100 nm", 100], ["50 nm", 50], ["2 µm", 2000], ["500 nm", 500], ["10 µm", 1e4]] as [string, number][]) {
        for (const size of [14, 18, 24]) {
          for (const rim of [215, 150]) {
            const { img } = await shadowScene(label, font, size, 0, rim);
            const f = readOutlinedLabel(img, findBarCandidates(img)[0], []);
            if (!f) continue;
            read++;
            if (Math.abs(f.label.nm - nm) > 1e-9 * nm) wrongs.push(`${font} ${label} ${size}px rim ${rim}: ${f.text}`);
          }
        }
      }
    }
    assert.deepEqual(wrongs, []);
    // Measured 2026-12-07: 42 read (4 with the rim, 38 without); a regression floor.
    assert.ok(read >= 35, `only ${read} read`);
  });

  it("the OCR engine's sparse search gives no wrong length for outlined '100 nm' at 18 px over a lit sphere ('160 nm', '30 nm' before)", async function () {
    this.timeout(120000);
    const fonts = ["DejaVu Sans", "DejaVu Serif"].filter(hasFont);
    if (fonts.length < 2) return this.skip();
    for (const font of fonts) {
      const { img, barPx } = await shadowScene("100 nm", font, 18, 1.5);
      // The sparse search alone (method "sparse"): before, '160 nm' (DejaVu Sans; not a usual length, OCR
      // confidence 66) and '30 nm' (DejaVu Serif; the closer look read '1 401i') were taken.
      const r = await findScaleBar(img, { method: "sparse" });
      if (r.found) assert.ok(Math.abs(r.nmPerPx - 100 / barPx) <= 0.02 * (100 / barPx), `${font}: read '${r.labelText}' (${r.nmPerPx} nm/px)`);
    }
  });

  it("a serif label's own drop shadow is never measured as its bar ('1 um' beside a 26-px shadow for '10 µm', '100 nm' over a 31-px one before)", async function () {
    this.timeout(120000);
    const cases: [string, string, number, number][] = [["DejaVu Serif", "10 µm", 18, 1e4], ["Liberation Serif", "100 nm", 24, 100]];
    for (const [font, label, size, nm] of cases.filter(([f]) => hasFont(f))) {
      const { img, barPx } = await shadowScene(label, font, size, 1.5);
      const r = await findScaleBar(img);
      if (r.found) assert.ok(Math.abs(r.nmPerPx - nm / barPx) <= 0.02 * (nm / barPx), `${font} '${label}': read '${r.labelText}' over ${r.lengthPx.toFixed(1)} px`);
    }
  });

  it("on the real SEM strip of EMPS 0a55e7c93f the top-hat separates the label's rows from the sphere; the label stays refused", async function () {
    this.timeout(120000);
    const file = path.join(__dirname, "..", "..", "shared", "data", "emps-train", "images", "0a55e7c93f.jpg");
    if (!fs.existsSync(file)) {
      console.log(`      (skipped: ${file} not present)`);
      return this.skip();
    }
    const img = toGrey8(await decodeImage(file, { channels: "native" }));
    const c = findBarCandidates(img)[0];
    assert.deepEqual([c.box.x0, c.box.y0], [110, 476]);
    // The plain image: the nearest bar-coloured line runs from above the bar to the image's bottom (the sphere).
    const plain = findTextLines(img, c).filter((l) => l.ink === "bar")[0];
    assert.ok(plain.box.y1 - plain.box.y0 >= 40, `plain line ${JSON.stringify(plain.box)}`);
    // The top-hat view: a line below the bar starting on the text's top row (481 by eye, ±2 px) and
    // spanning "50x 200 µm" (x 62…200); the sphere's rim still joins it further down.
    const view = topHatView(img, c, 2);
    const lines = findTextLines(view.img, view.bar).filter((l) => l.ink === "bar");
    assert.ok(lines.some((l) => l.side === "below" && Math.abs(l.box.y0 - 481) <= 2 && l.box.x0 <= 64 && l.box.x1 >= 200), JSON.stringify(lines.map((l) => l.box)));
    // Its first "0" is fused with the sphere's bright rim and reads unsurely: no value, never a wrong one.
    const r = await findScaleBar(img);
    assert.equal(r.found, false);
  });
});
