/**
 * Synthetic scale bars for tests and measurement: a bar and its label rendered with sharp from SVG text
 * (real system fonts through fontconfig) over a synthetic micrograph, with the truth.
 */
import sharp from "sharp";
import type { Rng } from "../../util/rng";
import { generateNanowire, NANOWIRE_CLASSES } from "../synth/nanowire";
import type { Box, GreyImage } from "./find_bar";

/** Where and how a synthetic bar is drawn. */
export interface SynthBarSpec {
  /** Bar length, pixels (integer). */
  lengthPx: number;
  /** Bar thickness, pixels (integer ≥ 1). */
  thicknessPx: number;
  /** The length the label states, nm. */
  barNm: number;
  /** Label text as drawn, e.g. "0.5 µm". */
  text: string;
  /** fontconfig family, e.g. "DejaVu Sans". */
  font: string;
  bold: boolean;
  /** Font size (em), pixels. */
  fontPx: number;
  corner: "top-left" | "top-right" | "bottom-left" | "bottom-right";
  /** Label above or below the bar. */
  labelSide: "above" | "below";
  /** Grey level of bar and text, 0…255. */
  ink: number;
  /** A solid panel of this grey behind bar and label, or null for none. */
  panel: number | null;
}

/** What was drawn: the truth a detector is scored against. */
export interface SynthBarTruth {
  spec: SynthBarSpec;
  /** barNm / lengthPx. */
  nmPerPx: number;
  /** The bar's rectangle, x0/y0 inclusive, x1/y1 exclusive. */
  bar: Box;
}

/** Families the random specs use (Debian fonts-dejavu-core and fonts-liberation). */
export const SYNTH_BAR_FONTS = ["DejaVu Sans", "DejaVu Serif", "DejaVu Sans Mono", "Liberation Sans", "Liberation Serif", "Liberation Mono"];

// (nm, text variants): the spellings instruments and figure makers use.
const LABELS: [number, string[]][] = [
  [5, ["50 Å", "5 nm"]], [10, ["10 nm", "10nm"]], [20, ["20 nm"]], [50, ["50 nm", "50nm"]], [100, ["100 nm", "100nm"]],
  [200, ["200 nm"]], [250, ["250 nm"]], [500, ["500 nm", "0.5 µm", "0.5 μm"]], [1000, ["1 µm", "1 μm", "1 um"]],
  [2000, ["2 µm", "2 μm"]], [5000, ["5 µm", "5 um"]],
];

function pick<T>(rng: Rng, xs: readonly T[]): T {
  return xs[rng.int(xs.length)];
}

/** A random but plausible bar for a `size`×`size` image (deterministic in the rng's seed). */
export function randomSynthBarSpec(rng: Rng, size: number): SynthBarSpec {
  const [barNm, texts] = pick(rng, LABELS);
  const dark = rng.bernoulli(0.5);
  const panel = rng.bernoulli(0.25) ? (dark ? 255 : 0) : null;
  return {
    lengthPx: Math.round(size * rng.uniform(0.12, 0.33)),
    thicknessPx: Math.max(2, Math.round(size * rng.uniform(0.006, 0.02))),
    barNm,
    text: pick(rng, texts),
    font: pick(rng, SYNTH_BAR_FONTS),
    bold: rng.bernoulli(0.4),
    fontPx: Math.round(size * rng.uniform(0.045, 0.075)),
    corner: pick(rng, ["top-left", "top-right", "bottom-left", "bottom-right"] as const),
    labelSide: rng.bernoulli(0.5) ? "above" : "below",
    ink: dark ? Math.round(rng.uniform(0, 40)) : Math.round(rng.uniform(215, 255)),
    panel,
  };
}

/** A synthetic micrograph without any bar: one of the nanowire generator's classes, 8-bit grey. */
export function synthBackground(rng: Rng, size: number): GreyImage {
  const cls = pick(rng, NANOWIRE_CLASSES);
  return { data: generateNanowire(cls, size, rng.fork("bg")).image, width: size, height: size };
}

function escapeXml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/**
 * Draw `spec` over `bg` (a copy; `bg` is not changed). The bar sits in its corner at a margin of 4 % of
 * the width, the label centred on it. Throws naming the spec when bar and label do not fit.
 */
export async function renderSynthBar(bg: GreyImage, spec: SynthBarSpec): Promise<{ image: GreyImage; truth: SynthBarTruth }> {
  const { width, height } = bg;
  const m = Math.round(0.04 * width);
  const gap = Math.round(0.3 * spec.fontPx);
  const block = spec.thicknessPx + gap + spec.fontPx;
  if (spec.lengthPx + 2 * m > width || block + 2 * m > height) throw new Error(`renderSynthBar: bar '${spec.text}' (${spec.lengthPx} px) does not fit ${width}×${height}`);
  const left = spec.corner.endsWith("left");
  const top = spec.corner.startsWith("top");
  const x0 = left ? m : width - m - spec.lengthPx;
  const blockY = top ? m : height - m - block;
  const barY = spec.labelSide === "above" ? blockY + spec.fontPx + gap : blockY;
  // Text baseline: descender-free labels sit ~0.8 em below the top of their em box.
  const baseline = spec.labelSide === "above" ? blockY + Math.round(0.8 * spec.fontPx) : barY + spec.thicknessPx + gap + Math.round(0.8 * spec.fontPx);
  const ink = `rgb(${spec.ink},${spec.ink},${spec.ink})`;
  const pad = Math.round(0.4 * spec.fontPx);
  const panel = spec.panel === null ? "" : `<rect x="${x0 - pad}" y="${blockY - pad}" width="${spec.lengthPx + 2 * pad}" height="${block + 2 * pad}" fill="rgb(${spec.panel},${spec.panel},${spec.panel})"/>`;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${panel}` +
    `<rect x="${x0}" y="${barY}" width="${spec.lengthPx}" height="${spec.thicknessPx}" fill="${ink}" shape-rendering="crispEdges"/>` +
    `<text x="${x0 + spec.lengthPx / 2}" y="${baseline}" font-family="${spec.font}" font-size="${spec.fontPx}" font-weight="${spec.bold ? "bold" : "normal"}" text-anchor="middle" fill="${ink}">${escapeXml(spec.text)}</text></svg>`;
  const out = await sharp(Buffer.from(bg.data), { raw: { width, height, channels: 1 } })
    .composite([{ input: Buffer.from(svg), top: 0, left: 0 }])
    .greyscale()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const data = new Uint8Array(width * height);
  const c = out.info.channels;
  for (let i = 0; i < width * height; i++) data[i] = out.data[i * c];
  return {
    image: { data, width, height },
    truth: { spec, nmPerPx: spec.barNm / spec.lengthPx, bar: { x0, y0: barY, x1: x0 + spec.lengthPx, y1: barY + spec.thicknessPx } },
  };
}
