/**
 * Labels rendered as the scale-bar tests and scripts/stress_small_labels.ts read them: text drawn by
 * librsvg through sharp in a fontconfig font, optionally blurred, noisy (seeded) and JPEG'd.
 */
import { execFileSync } from "child_process";
import sharp from "sharp";
import { Rng } from "../lib/util/rng";
import type { Box, GreyImage } from "../lib/data/scalebar/find_bar";

/** Whether fontconfig has a font of family `name` (a case whose font is absent is skipped). */
export function hasFont(name: string): boolean {
  try {
    return execFileSync("fc-list", [`:family=${name}`], { encoding: "utf8" }).trim() !== "";
  } catch {
    return false;
  }
}

/** `text` rendered dark on white at `size` px, optionally blurred, noisy (seeded) and JPEG'd; the ink's box padded as find_scale_bar pads a line. */
export async function rendered(text: string, font: string, size: number, distort = false, seed = size, weight = "normal"): Promise<{ img: GreyImage; region: Box }> {
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

/**
 * `number` + `unit` rendered as {@link rendered} does (space between when `space`), but with the unit
 * alone blurred by σ = `unitBlur` px (a label whose letters merged into one blob while its digits stayed
 * sharp, as on EMPS 3430b20071's `100 nm`), then noisy (seeded, ±`noise`) and JPEG q80 when `noise` > 0.
 * The columns right of the number's ink (+1 px) come from the blurred rendering.
 */
export async function renderedBlurredUnit(number: string, unit: string, font: string, size: number, unitBlur: number, seed = size, weight = "normal", space = true, noise = 20): Promise<{ img: GreyImage; region: Box }> {
  const text = `${number}${space ? " " : ""}${unit}`;
  const W = Math.ceil(size * text.length + 40), H = Math.ceil(2 * size + 10);
  const svgOf = (t: string): Buffer => Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}"><rect width="${W}" height="${H}" fill="white"/>` +
    `<text x="20" y="${Math.round(1.4 * size)}" font-family="${font}" font-weight="${weight}" font-size="${size}">${t}</text></svg>`);
  const grey = async (t: string, blur: number): Promise<Uint8Array> => {
    let s = sharp(svgOf(t)).greyscale();
    if (blur > 0) s = s.blur(blur);
    const raw = await s.raw().toBuffer({ resolveWithObject: true });
    const out = new Uint8Array(W * H);
    for (let i = 0; i < out.length; i++) out[i] = raw.data[i * raw.info.channels];
    return out;
  };
  const num = await grey(number, 0);
  let split = 0;
  for (let i = 0; i < num.length; i++) if (num[i] < 200) split = Math.max(split, (i % W) + 1);
  const crisp = await grey(text, 0), blurred = await grey(text, unitBlur);
  let px = new Uint8Array(W * H);
  const rng = new Rng(seed);
  for (let i = 0; i < px.length; i++) {
    const v = (i % W) > split ? blurred[i] : crisp[i];
    px[i] = Math.max(0, Math.min(255, v + (noise > 0 ? Math.round(rng.uniform(-noise, noise)) : 0)));
  }
  if (noise > 0) {
    const jpg = await sharp(Buffer.from(px), { raw: { width: W, height: H, channels: 1 } }).jpeg({ quality: 80 }).toBuffer();
    const raw = await sharp(jpg).greyscale().raw().toBuffer({ resolveWithObject: true });
    px = new Uint8Array(W * H);
    for (let i = 0; i < px.length; i++) px[i] = raw.data[i * raw.info.channels];
  }
  const img = { data: px, width: W, height: H };
  let x0 = W, y0 = H, x1 = 0, y1 = 0;
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) if (px[y * W + x] < 128) { x0 = Math.min(x0, x); y0 = Math.min(y0, y); x1 = Math.max(x1, x + 1); y1 = Math.max(y1, y + 1); }
  const lh = y1 - y0;
  return { img, region: { x0: x0 - 0.6 * lh, y0: y0 - 0.35 * lh, x1: x1 + 0.6 * lh, y1: y1 + 0.35 * lh } };
}
