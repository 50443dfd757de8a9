/**
 * Stress the template reader (read_line_fast.ts) on small rendered labels, as fast_label.ts takes them (a
 * part read with confidence ≥ 0.3 at a usual bar length): every label of LABELS in 15 fonts (those
 * fontconfig has), normal and bold, at SIZES px, crisp and blurred (σ 0.7) + noise (±20, SEEDS seeds) +
 * JPEG q80 as test/data.scalebar_fast.spec.ts renders them. Prints the sure readings and every wrong one
 * (font|weight|label|size|seed). Issue 22: a wrong sure reading must never happen.
 * Usage: ts-node --transpile-only scripts/stress_small_labels.ts   (env LABELS="1 mm=1e6;0.1 µm=100",
 * SIZES=6,7,8,10,11,12,13,14,16 (default), SEEDS=3, OUT=file for the list of right readings, SHOW=font|weight|label|size|seed to
 * print one case's glyphs and pixels; UNIT_BLUR=0.6,1,1.4 renders each label instead with its unit alone blurred by each σ,
 * noisy and JPEG'd (renderedBlurredUnit, one seed per σ; the seed field is then the σ's index: letters that merged while
 * the digits stayed sharp, as EMPS 3430b20071's "100 nm").)
 * Labels holding an 8 (an 8 read as a dotted or slashed monospaced 0 would give a usual length: "18 µm" →
 * "10 µm"), as issue 22 ran them: LABELS="18 µm=18000;180 nm=180;1.8 µm=1800;28 nm=28;58 nm=58;800 nm=800;
 * 0.8 µm=800;80 nm=80;18 nm=18;8 µm=8000" (no right reading of these counts as sure: only wrong ones can).
 */
import * as fs from "fs";
import { rendered, renderedBlurredUnit } from "../test/rendered_label";
import { readLineFast } from "../lib/data/scalebar/read_line_fast";
import { isOneTwoFive } from "../lib/data/scalebar/fast_label";
import { isRoundLength } from "../lib/data/scalebar/parse_label";


const FONTS = ["DejaVu Sans", "DejaVu Sans Mono", "DejaVu Sans Condensed", "DejaVu Sans Light", "DejaVu Serif", "DejaVu Serif Condensed", "Lato", "Lato Light", "Lato Medium", "Lato Semibold", "Liberation Mono", "Liberation Sans", "Liberation Sans Narrow", "Liberation Serif", "cmr10"];
const LABELS: [string, number][] = (process.env.LABELS ?? "1 mm=1e6;0.1 µm=100;1 nm=1;1 µm=1000;100 nm=100;10 nm=10;0.5 µm=500;5 mm=5e6;2 nm=2;20 nm=20;200 nm=200;50 nm=50;1mm=1e6;1nm=1;0.1µm=100;5 nm=5;0.2 µm=200;10 µm=1e4")
  .split(";").map((s) => { const [t, v] = s.split("="); return [t, Number(v)]; });
const SIZES = (process.env.SIZES ?? "6,7,8,10,11,12,13,14,16").split(",").map(Number);
const SEEDS = Number(process.env.SEEDS ?? 3);
const UNIT_BLUR = process.env.UNIT_BLUR ? process.env.UNIT_BLUR.split(",").map(Number) : null;
(async () => {
  let total = 0, sure = 0, wrong = 0, nmOrMmRight = 0, nmOrMmOfMm = 0;
  const wrongs: string[] = []; const reads: string[] = [];
  for (const font of FONTS) for (const [text, nm] of LABELS) for (const size of SIZES) for (let d = 0; d <= (UNIT_BLUR ? UNIT_BLUR.length - 1 : SEEDS); d++) for (const weight of ["normal", "bold"]) {
    const split = /^([0-9.,]+)( ?)(.+)$/.exec(text);
    const { img, region } = UNIT_BLUR && split ? await renderedBlurredUnit(split[1], split[3], font, size, UNIT_BLUR[d], size * 100 + d, weight, split[2] === " ")
      : await rendered(text, font, size, d > 0, size * 100 + d, weight);
    const r = readLineFast(img, region, true);
    if (process.env.SHOW && `${font}|${weight}|${text}|${size}|${d}` === process.env.SHOW) {
      console.log(JSON.stringify(region), r?.text, JSON.stringify(r?.glyphs.map((g, i) => [g.char, g.confidence.toFixed(2), g.runnerUpChar, r.boxes[i]])));
      for (let y = Math.floor(region.y0); y < region.y1; y++) { let s = ""; for (let x = Math.floor(region.x0); x < region.x1; x++) { const v = img.data[y * img.width + x]; s += v < 80 ? "#" : v < 128 ? "+" : v < 180 ? "." : " "; } console.log(String(y).padStart(3), s); }
    }
    total++;
    // An nm-or-mm part is read as nm where millimetres are impossible (fast_label.ts): right only for an
    // nm label (and an mm one, refused on any real micrograph); any other label is a wrong reading.
    for (const p of r?.nmOrMm ?? []) {
      if (p.confidence < 0.3 || !isRoundLength(p.label.nm) || (p.shapeOnes > 0 && !isOneTwoFive(p.label.nm))) continue;
      const key = `${font}|${weight}|${text}|${size}|${d}`;
      if (Math.abs(p.label.nm - nm) <= 1e-9 * nm) nmOrMmRight++;
      else if (Math.abs(1e6 * p.label.nm - nm) <= 1e-9 * nm) nmOrMmOfMm++;
      else { wrong++; wrongs.push(`${key} → nm or mm '${p.text}' ${p.confidence.toFixed(2)}`); }
    }
    const ok = r ? r.parts.filter((p) => p.confidence >= 0.3 && isRoundLength(p.label.nm) && (p.shapeOnes === 0 || isOneTwoFive(p.label.nm))) : [];
    if (ok.length === 0) continue;
    sure++;
    const key = `${font}|${weight}|${text}|${size}|${d}`;
    if (Math.abs(ok[0].label.nm - nm) > 1e-9 * nm) { wrong++; wrongs.push(`${key} → '${r!.text}' ${ok[0].confidence.toFixed(2)}`); }
    else reads.push(key);
  }
  console.log(`total ${total} sure ${sure} wrong ${wrong}; nm-or-mm readings: ${nmOrMmRight} of nm labels, ${nmOrMmOfMm} of mm labels (refused on real micrographs)`);
  for (const w of wrongs) console.log("WRONG", w);
  if (process.env.OUT) fs.writeFileSync(process.env.OUT, reads.join("\n") + "\n");
})();
