/**
 * The feature vector of one glyph, shared by the template builder and the fast reader: its ink sampled on
 * a GRID_W×GRID_H grid (aspect kept, centred, then blurred), plus where it sits in its line (height and width relative
 * to the line's digit height, top and bottom offsets from the line's top and baseline) and its number of
 * holes (0 for "1", 1 for "0", 2 for "8").
 */
import type { Glyph, SplitLine } from "./glyph_split";

/** Grid columns and rows. */
export const GRID_W = 12;
export const GRID_H = 16;

/** A glyph's features. */
export interface GlyphFeatures {
  /** GRID_W×GRID_H ink fractions 0…1, row-major. */
  grid: Float32Array;
  /** Height / line height (line height = baseline − top of the line's digits). */
  relH: number;
  /** Width / line height. */
  relW: number;
  /** (glyph top − line top) / line height: ~0 for digits, ~0.25 for "n", ~0.7 for ".". */
  top: number;
  /** (glyph bottom − baseline) / line height: ~0, > 0 for descenders ("µ", "p", ","). */
  bottom: number;
  /** Enclosed background regions. */
  holes: number;
}

/** Enclosed background regions of a glyph mask (4-connected background not reaching the box edge). */
export function countHoles(g: Glyph): number {
  const w = g.x1 - g.x0, h = g.y1 - g.y0;
  const seen = new Uint8Array(w * h);
  const stack: number[] = [];
  let holes = 0;
  const fill = (i: number): number => {
    let n = 0;
    let edge = false;
    seen[i] = 1;
    stack.push(i);
    while (stack.length) {
      const j = stack.pop() as number;
      n++;
      const x = j % w, y = (j - x) / w;
      if (x === 0 || y === 0 || x === w - 1 || y === h - 1) edge = true;
      for (const q of [x > 0 ? j - 1 : -1, x < w - 1 ? j + 1 : -1, y > 0 ? j - w : -1, y < h - 1 ? j + w : -1]) {
        if (q >= 0 && !seen[q] && !g.mask[q]) { seen[q] = 1; stack.push(q); }
      }
    }
    return edge ? -n : n;
  };
  const minArea = Math.max(2, 0.01 * w * h);
  for (let i = 0; i < w * h; i++) {
    if (g.mask[i] || seen[i]) continue;
    const n = fill(i);
    if (n >= minArea) holes++;
  }
  return holes;
}

/**
 * The grid blurred by [1 2 1]/4 along rows and columns (zero outside): once (σ ≈ 0.7 cell), it
 * makes the distance forgiving of a stroke one cell off or a little thicker (font weight, blur).
 */
function smoothGrid(g: Float32Array): Float32Array {
  const t = new Float32Array(g.length), out = new Float32Array(g.length);
  const at = (a: Float32Array, x: number, y: number): number => (x < 0 || y < 0 || x >= GRID_W || y >= GRID_H ? 0 : a[y * GRID_W + x]);
  for (let y = 0; y < GRID_H; y++) for (let x = 0; x < GRID_W; x++) t[y * GRID_W + x] = (at(g, x - 1, y) + 2 * at(g, x, y) + at(g, x + 1, y)) / 4;
  for (let y = 0; y < GRID_H; y++) for (let x = 0; x < GRID_W; x++) out[y * GRID_W + x] = (at(t, x, y - 1) + 2 * at(t, x, y) + at(t, x, y + 1)) / 4;
  return out;
}

/** Features of glyph `g` of `line` (see {@link GlyphFeatures}). Never throws. */
export function glyphFeatures(g: Glyph, line: Pick<SplitLine, "top" | "baseline">): GlyphFeatures {
  const gw = g.x1 - g.x0, gh = g.y1 - g.y0;
  const H = Math.max(1, line.baseline - line.top);
  const s = Math.min(GRID_W / gw, GRID_H / gh);
  const ox = (GRID_W - gw * s) / 2, oy = (GRID_H - gh * s) / 2;
  const grid = new Float32Array(GRID_W * GRID_H);
  // 3×3 samples per cell, each the nearest mask pixel.
  for (let cy = 0; cy < GRID_H; cy++) {
    for (let cx = 0; cx < GRID_W; cx++) {
      let sum = 0;
      for (let sy = 0; sy < 3; sy++) {
        for (let sx = 0; sx < 3; sx++) {
          const x = Math.floor((cx + (sx + 0.5) / 3 - ox) / s), y = Math.floor((cy + (sy + 0.5) / 3 - oy) / s);
          if (x >= 0 && y >= 0 && x < gw && y < gh) sum += g.mask[y * gw + x];
        }
      }
      grid[cy * GRID_W + cx] = sum / 9;
    }
  }
  return { grid: smoothGrid(grid), relH: gh / H, relW: gw / H, top: (g.y0 - line.top) / H, bottom: (g.y1 - line.baseline) / H, holes: countHoles(g) };
}

/**
 * Weights of the position features and holes against the (blurred) grid's squared distance: with 150 a
 * cap-height vs x-height difference (0.3) weighs as much as a different digit's grid (measured on
 * rendered lines and the EMPS labels).
 */
const W_POS = 150;
const W_HOLES = 4;

/** The position-and-holes part of {@link featureDistance} (a lower bound of it). */
export function positionDistance(a: GlyphFeatures, b: GlyphFeatures): number {
  const p = (a.relH - b.relH) ** 2 + (a.relW - b.relW) ** 2 + (a.top - b.top) ** 2 + (a.bottom - b.bottom) ** 2;
  return W_POS * p + W_HOLES * (a.holes - b.holes) ** 2;
}

/**
 * Squared distance between two glyphs' features: grid squared difference + W_POS × (squared differences
 * of relH, relW, top and bottom) + W_HOLES × squared difference of hole counts. Stops summing once the
 * distance reaches `bound` and returns a value ≥ `bound` then (callers that only keep nearer ones).
 */
export function featureDistance(a: GlyphFeatures, b: GlyphFeatures, bound = Infinity): number {
  let d = positionDistance(a, b);
  const ga = a.grid, gb = b.grid;
  for (let i = 0; i < ga.length && d < bound; i += GRID_W) {
    for (let j = i; j < i + GRID_W; j++) { const e = ga[j] - gb[j]; d += e * e; }
  }
  return d;
}
