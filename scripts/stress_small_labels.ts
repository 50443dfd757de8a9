/**
 * Stress the template reader (read_line_fast.ts) on small rendered labels, as fast_label.ts takes them (a
 * part read with confidence ≥ 0.3 at a usual bar length): every label of LABELS in 15 fonts (those
 * fontconfig has), normal and bold, at SIZES px, crisp and blurred (σ 0.7) + noise (±20, SEEDS seeds) +
 * JPEG q80 as test/data.scalebar_fast.spec.ts renders them. Prints the sure readings and every wrong one
 * (font|weight|label|size|seed). Issue 22: a wrong sure reading must never happen.
 * Usage: ts-node --transpile-only scripts/stress_small_labels.ts   (env LABELS="1 mm=1e6;0.1 µm=100",
 * SIZES=10,11,12, SEEDS=3, OUT=file for the list of right readings, SHOW=font|weight|label|size|seed to
 * print one case's glyphs and pixels)
 */
import * as fs from "fs";
import sharp from "sharp";
import { Rng } from "../lib/util/rng";
import type { Box, GreyImage } from "../lib/data/scalebar/find_bar";
import { readLineFast } from "../lib/data/scalebar/read_line_fast";
import { isOneTwoFive } from "../lib/data/scalebar/fast_label";
import { isRoundLength } from "../lib/data/scalebar/parse_label";

async function rendered(text: string, font: string, size: number, distort: boolean, seed: number, weight = "normal"): Promise<{ img: GreyImage; region: Box }> {
  const W = Math.ceil(size * text.length + 40), H = Math.ceil(2 * size + 10);
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}"><rect width="${W}" height="${H}" fill="white"/>` +
    `<text x="20" y="${Math.round(1.4 * size)}" font-family="${font}" font-weight="${weight}" font-size="${size}">${text}</text></svg>`;
  let s = sharp(Buffer.from(svg)).greyscale();
  if (distort) s = s.blur(0.7);
  let raw = await s.raw().toBuffer({ resolveWithObject: true });
  const px = new Uint8Array(raw.info.width * raw.info.height);
  const rng = new Rng(seed);
  for (let i = 0; i < px.length; i++) px[i] = Math.max(0, Math.min(255, raw.data[i * raw.info.channels] + (distort ? Math.round(rng.uniform(-20, 20)) : 0)));
  if (distort) {
    const jpg = await sharp(Buffer.from(px), { raw: { width: raw.info.width, height: raw.info.height, channels: 1 } }).jpeg({ quality: 80 }).toBuffer();
    raw = await sharp(jpg).greyscale().raw().toBuffer({ resolveWithObject: true });
    for (let i = 0; i < px.length; i++) px[i] = raw.data[i * raw.info.channels];
  }
  const img = { data: px, width: raw.info.width, height: raw.info.height };
  let x0 = W, y0 = H, x1 = 0, y1 = 0;
  for (let y = 0; y < img.height; y++) for (let x = 0; x < img.width; x++) if (px[y * img.width + x] < 128) { x0 = Math.min(x0, x); y0 = Math.min(y0, y); x1 = Math.max(x1, x + 1); y1 = Math.max(y1, y + 1); }
  const lh = y1 - y0;
  return { img, region: { x0: x0 - 0.6 * lh, y0: y0 - 0.35 * lh, x1: x1 + 0.6 * lh, y1: y1 + 0.35 * lh } };
}

const FONTS = ["DejaVu Sans", "DejaVu Sans Mono", "DejaVu Sans Condensed", "DejaVu Sans Light", "DejaVu Serif", "DejaVu Serif Condensed", "Lato", "Lato Light", "Lato Medium", "Lato Semibold", "Liberation Mono", "Liberation Sans", "Liberation Sans Narrow", "Liberation Serif", "cmr10"];
const LABELS: [string, number][] = (process.env.LABELS ?? "1 mm=1e6;0.1 µm=100;1 nm=1;1 µm=1000;100 nm=100;10 nm=10;0.5 µm=500;5 mm=5e6;2 nm=2;20 nm=20;200 nm=200;50 nm=50;1mm=1e6;1nm=1;0.1µm=100;5 nm=5;0.2 µm=200;10 µm=1e4")
  .split(";").map((s) => { const [t, v] = s.split("="); return [t, Number(v)]; });
const SIZES = (process.env.SIZES ?? "10,11,12,13,14,16").split(",").map(Number);
const SEEDS = Number(process.env.SEEDS ?? 3);
(async () => {
  let total = 0, sure = 0, wrong = 0;
  const wrongs: string[] = []; const reads: string[] = [];
  for (const font of FONTS) for (const [text, nm] of LABELS) for (const size of SIZES) for (let d = 0; d <= SEEDS; d++) for (const weight of ["normal", "bold"]) {
    const { img, region } = await rendered(text, font, size, d > 0, size * 100 + d, weight);
    const r = readLineFast(img, region, true);
    if (process.env.SHOW && `${font}|${weight}|${text}|${size}|${d}` === process.env.SHOW) {
      console.log(JSON.stringify(region), r?.text, JSON.stringify(r?.glyphs.map((g, i) => [g.char, g.confidence.toFixed(2), g.runnerUpChar, r.boxes[i]])));
      for (let y = Math.floor(region.y0); y < region.y1; y++) { let s = ""; for (let x = Math.floor(region.x0); x < region.x1; x++) { const v = img.data[y * img.width + x]; s += v < 80 ? "#" : v < 128 ? "+" : v < 180 ? "." : " "; } console.log(String(y).padStart(3), s); }
    }
    total++;
    const ok = r ? r.parts.filter((p) => p.confidence >= 0.3 && isRoundLength(p.label.nm) && (p.shapeOnes === 0 || isOneTwoFive(p.label.nm))) : [];
    if (ok.length === 0) continue;
    sure++;
    const key = `${font}|${weight}|${text}|${size}|${d}`;
    if (Math.abs(ok[0].label.nm - nm) > 1e-9 * nm) { wrong++; wrongs.push(`${key} → '${r!.text}' ${ok[0].confidence.toFixed(2)}`); }
    else reads.push(key);
  }
  console.log(`total ${total} sure ${sure} wrong ${wrong}`);
  for (const w of wrongs) console.log("WRONG", w);
  if (process.env.OUT) fs.writeFileSync(process.env.OUT, reads.join("\n") + "\n");
})();
