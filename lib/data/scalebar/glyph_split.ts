/**
 * Split one text line of a scale-bar label into glyphs: crop the line, upscale small text to a working
 * height, binarise with Otsu's threshold inside the crop (ink of the given polarity), take 8-connected
 * components, join parts stacked in one column (Å's ring, a broken µ), drop specks and texture cut by the
 * crop edge, and split glyphs that touch at their thinnest column. Used by the fast label reader
 * (read_line_fast.ts) and by the template builder (scripts/build_glyph_templates.ts), so both see glyphs
 * the same way.
 */
import type { Box, GreyImage } from "./find_bar";
import { blurGrey8, medianRunLength } from "./denoise";

/** One glyph: its box in the working crop's pixels and its ink mask. */
export interface Glyph {
  /** Box in the working (upscaled) crop, x0/y0 inclusive, x1/y1 exclusive. */
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  /** Ink mask of the box, (x1−x0)×(y1−y0), row-major, 1 = ink. */
  mask: Uint8Array;
  /** Ink pixel count. */
  n: number;
}

/** A split line: glyphs left to right plus the line's metrics (working-crop pixels). */
export interface SplitLine {
  glyphs: Glyph[];
  /** Top of the line's tallest ink (min glyph top, outliers aside). */
  top: number;
  /** Baseline: the median glyph bottom. */
  baseline: number;
  /** Working-crop pixels per source pixel. */
  scale: number;
  /** The source region the crop covers. */
  region: Box;
  /** Between-class contrast of Otsu's split, grey levels (how clearly ink stands out). */
  contrast: number;
  /**
   * Ink left out for touching the crop's edge that is glyph-tall (≥ 40 % of the tallest glyph) and reaches
   * into the line's span: a glyph may be hidden in it (a "00" merged with a particle), so the line may be
   * incomplete. Boxes in working-crop pixels.
   */
  cut: Glyph[];
  /** Small blobs set aside in a blurred crop (SplitOptions.smoothPx; empty otherwise), working-crop pixels. */
  specks: Glyph[];
}

/** Options for {@link splitLine}. Defaults in brackets. */
export interface SplitOptions {
  /** Small lines are upscaled (bilinear) so the crop is about this tall, pixels [40]; never downscaled. */
  workHeightPx?: number;
  /**
   * Move the ink threshold from Otsu's level towards the ink class's mean (> 0: stricter, thinner glyphs,
   * for blurred bold text whose counters fill) or towards the background's (< 0: for faint thin strokes),
   * as a fraction of the way [0].
   */
  bias?: number;
  /** Source-pixel boxes (e.g. a bar's end caps): a component lying wholly inside one is not text [none]. */
  dropInside?: Box[];
  /**
   * Blur the crop with this σ, source pixels, before thresholding (denoise.ts) [0: none]: for text on
   * speckled texture. Small blobs left then are set aside (SplitLine.specks), and the line is refused
   * (null) when its ink's median stroke is under `minStrokePx`, since the blur may then have erased a
   * thinner glyph ("1") whole.
   */
  smoothPx?: number;
  /** Least median stroke width of blurred ink, source pixels [3]. */
  minStrokePx?: number;
  /**
   * Ink threshold in working-crop grey levels (ink high: 255 − grey for dark ink) instead of Otsu's
   * level and `bias` [none]: text found at a level relative to the bar (TextLineOptions.smooth).
   */
  threshold?: number;
}

/**
 * Otsu's threshold of 8-bit samples: the level t maximising between-class variance of (< t, ≥ t), with
 * the two classes' means m0 < m1 and contrast = m1 − m0.
 */
export function otsuThreshold(v: Uint8Array): { t: number; contrast: number; m0: number; m1: number } {
  const hist = new Float64Array(256);
  for (let i = 0; i < v.length; i++) hist[v[i]]++;
  const n = v.length;
  let sum = 0;
  for (let i = 0; i < 256; i++) sum += i * hist[i];
  let w0 = 0, s0 = 0, best = -1, bt = 128, contrast = 0, bm0 = 0, bm1 = 0;
  for (let t = 1; t < 256; t++) {
    w0 += hist[t - 1];
    s0 += (t - 1) * hist[t - 1];
    const w1 = n - w0;
    if (w0 === 0 || w1 === 0) continue;
    const m0 = s0 / w0, m1 = (sum - s0) / w1;
    const between = w0 * w1 * (m0 - m1) * (m0 - m1);
    if (between > best) { best = between; bt = t; contrast = m1 - m0; bm0 = m0; bm1 = m1; }
  }
  return { t: bt, contrast, m0: bm0, m1: bm1 };
}

/** Bilinear resample of the region of `img` (clipped) by factor `k`, polarity flipped so ink is high. */
function workCrop(img: GreyImage, r: Box, k: number, inkDark: boolean): { v: Uint8Array; w: number; h: number } {
  const w = Math.max(1, Math.round((r.x1 - r.x0) * k));
  const h = Math.max(1, Math.round((r.y1 - r.y0) * k));
  const v = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    const sy = Math.min(img.height - 1, Math.max(0, r.y0 + (y + 0.5) / k - 0.5));
    const y0 = Math.floor(sy), y1 = Math.min(img.height - 1, y0 + 1), fy = sy - y0;
    for (let x = 0; x < w; x++) {
      const sx = Math.min(img.width - 1, Math.max(0, r.x0 + (x + 0.5) / k - 0.5));
      const x0 = Math.floor(sx), x1 = Math.min(img.width - 1, x0 + 1), fx = sx - x0;
      const d = img.data;
      const g = (1 - fy) * ((1 - fx) * d[y0 * img.width + x0] + fx * d[y0 * img.width + x1]) + fy * ((1 - fx) * d[y1 * img.width + x0] + fx * d[y1 * img.width + x1]);
      v[y * w + x] = inkDark ? 255 - Math.round(g) : Math.round(g);
    }
  }
  return { v, w, h };
}

/** 8-connected components of `m` (w×h, 1 = ink) as glyphs. */
function components(m: Uint8Array, w: number, h: number): Glyph[] {
  const label = new Int32Array(w * h).fill(-1);
  const out: Glyph[] = [];
  const stack: number[] = [];
  const pix: number[] = [];
  for (let i = 0; i < w * h; i++) {
    if (!m[i] || label[i] >= 0) continue;
    const id = out.length;
    let x0 = w, y0 = h, x1 = 0, y1 = 0;
    pix.length = 0;
    label[i] = id;
    stack.push(i);
    while (stack.length) {
      const j = stack.pop() as number;
      pix.push(j);
      const x = j % w, y = (j - x) / w;
      if (x < x0) x0 = x;
      if (y < y0) y0 = y;
      if (x >= x1) x1 = x + 1;
      if (y >= y1) y1 = y + 1;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const nx = x + dx, ny = y + dy;
          if (nx < 0 || ny < 0 || nx >= w || ny >= h) continue;
          const q = ny * w + nx;
          if (m[q] && label[q] < 0) { label[q] = id; stack.push(q); }
        }
      }
    }
    const mask = new Uint8Array((x1 - x0) * (y1 - y0));
    for (const j of pix) { const x = j % w, y = (j - x) / w; mask[(y - y0) * (x1 - x0) + x - x0] = 1; }
    out.push({ x0, y0, x1, y1, mask, n: pix.length });
  }
  return out;
}

/** The union of two glyphs (masks OR-ed). */
export function joinGlyphs(a: Glyph, b: Glyph): Glyph {
  const x0 = Math.min(a.x0, b.x0), y0 = Math.min(a.y0, b.y0), x1 = Math.max(a.x1, b.x1), y1 = Math.max(a.y1, b.y1);
  const w = x1 - x0;
  const mask = new Uint8Array(w * (y1 - y0));
  for (const g of [a, b]) {
    const gw = g.x1 - g.x0;
    for (let y = g.y0; y < g.y1; y++) for (let x = g.x0; x < g.x1; x++) if (g.mask[(y - g.y0) * gw + x - g.x0]) mask[(y - y0) * w + x - x0] = 1;
  }
  return { x0, y0, x1, y1, mask, n: a.n + b.n };
}

/** The columns [c0, c1) of glyph `g` as a glyph, trimmed to its ink (null when empty). */
export function sliceColumns(g: Glyph, c0: number, c1: number): Glyph | null {
  const gw = g.x1 - g.x0, gh = g.y1 - g.y0;
  let y0 = gh, y1 = 0, n = 0;
  for (let y = 0; y < gh; y++) for (let x = c0; x < c1; x++) if (g.mask[y * gw + x]) { n++; if (y < y0) y0 = y; if (y + 1 > y1) y1 = y + 1; }
  if (n === 0) return null;
  const w = c1 - c0;
  const mask = new Uint8Array(w * (y1 - y0));
  for (let y = y0; y < y1; y++) for (let x = c0; x < c1; x++) mask[(y - y0) * w + x - c0] = g.mask[y * gw + x];
  return { x0: g.x0 + c0, y0: g.y0 + y0, x1: g.x0 + c1, y1: g.y0 + y1, mask, n };
}

/**
 * Split a glyph wider than `maxW` at its thinnest column (ink count; ties: nearest the middle), searched
 * in the middle 70 %, recursively. Used on touching glyphs ("nm" joined by blur).
 */
function splitWide(g: Glyph, maxW: number, out: Glyph[]): void {
  const gw = g.x1 - g.x0, gh = g.y1 - g.y0;
  if (gw <= maxW || gw < 6) { out.push(g); return; }
  const col = new Float64Array(gw);
  for (let y = 0; y < gh; y++) for (let x = 0; x < gw; x++) col[x] += g.mask[y * gw + x];
  let best = -1, bv = Infinity;
  const lo = Math.max(2, Math.floor(0.15 * gw)), hi = Math.min(gw - 2, Math.ceil(0.85 * gw));
  for (let x = lo; x < hi; x++) {
    const v = col[x] + 0.01 * Math.abs(x - gw / 2);
    if (v < bv) { bv = v; best = x; }
  }
  // Only a real neck (under a third of the glyph's height in ink) is a place where two glyphs touch.
  if (best < 0 || col[best] > gh / 3) { out.push(g); return; }
  const a = sliceColumns(g, 0, best), b = sliceColumns(g, best + (col[best] > 0 ? 1 : 0), gw);
  if (!a || !b) { out.push(g); return; }
  splitWide(a, maxW, out);
  splitWide(b, maxW, out);
}

/**
 * Ways to cut glyph `g` in two at a thin column (local minimum of the column ink count, under half its
 * height, in the middle 20…80 % of its width), thinnest first, at most `max` [3]. For two touching glyphs
 * read as one ("00" joined by blur); the reader keeps a cut only when both parts read better than the whole.
 */
export function neckCuts(g: Glyph, max = 3): [Glyph, Glyph][] {
  const gw = g.x1 - g.x0, gh = g.y1 - g.y0;
  const col = new Float64Array(gw);
  for (let y = 0; y < gh; y++) for (let x = 0; x < gw; x++) col[x] += g.mask[y * gw + x];
  const at: number[] = [];
  for (let x = Math.max(1, Math.floor(0.2 * gw)); x < Math.min(gw - 1, Math.ceil(0.8 * gw)); x++) {
    if (col[x] <= col[x - 1] && col[x] <= col[x + 1] && col[x] < gh / 2) at.push(x);
  }
  at.sort((a, b) => col[a] - col[b] || Math.abs(a - gw / 2) - Math.abs(b - gw / 2));
  const out: [Glyph, Glyph][] = [];
  for (const x of at.slice(0, max)) {
    const a = sliceColumns(g, 0, x), b = sliceColumns(g, x, gw);
    if (a && b) out.push([a, b]);
  }
  return out;
}

/**
 * Glyph `g` without its rows above `y` (working-crop pixels), reduced to its largest 8-connected part and
 * trimmed; null when nothing is left. For a glyph joined to a blob above the line (a particle touching
 * an "m"): the reader compares it cut at the tops of the line's other glyphs with the whole.
 */
export function clipAbove(g: Glyph, y: number): Glyph | null {
  const gw = g.x1 - g.x0, gh = g.y1 - g.y0;
  const r0 = Math.max(0, Math.round(y) - g.y0);
  if (r0 <= 0 || r0 >= gh) return null;
  const parts = components(g.mask.subarray(r0 * gw), gw, gh - r0);
  if (parts.length === 0) return null;
  const p = parts.reduce((a, b) => (b.n > a.n ? b : a));
  return { ...p, x0: p.x0 + g.x0, x1: p.x1 + g.x0, y0: p.y0 + g.y0 + r0, y1: p.y1 + g.y0 + r0 };
}

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  return s.length ? s[(s.length - 1) >> 1] : NaN;
}

/**
 * Split the text in `region` of `img` into glyphs. `inkDark`: the text is darker than its background.
 * `blank` boxes (source pixels, e.g. the bar) count as background. Returns null when the crop is empty or
 * has no contrast (Otsu's classes closer than 30 grey levels). Never throws for a valid image.
 */
export function splitLine(img: GreyImage, region: Box, inkDark: boolean, blank: Box[] = [], opts: SplitOptions = {}): SplitLine | null {
  const r: Box = { x0: Math.max(0, Math.floor(region.x0)), y0: Math.max(0, Math.floor(region.y0)), x1: Math.min(img.width, Math.ceil(region.x1)), y1: Math.min(img.height, Math.ceil(region.y1)) };
  if (r.x1 - r.x0 < 3 || r.y1 - r.y0 < 3) return null;
  const k = Math.max(1, (opts.workHeightPx ?? 40) / (r.y1 - r.y0));
  const crop = workCrop(img, r, k, inkDark);
  const { w, h } = crop;
  const smooth = (opts.smoothPx ?? 0) > 0;
  const v = smooth ? blurGrey8(crop.v, w, h, (opts.smoothPx as number) * k) : crop.v;
  for (const b of blank) {
    for (let y = Math.max(0, Math.floor((b.y0 - r.y0) * k)); y < Math.min(h, Math.ceil((b.y1 - r.y0) * k)); y++) {
      for (let x = Math.max(0, Math.floor((b.x0 - r.x0) * k)); x < Math.min(w, Math.ceil((b.x1 - r.x0) * k)); x++) v[y * w + x] = 0;
    }
  }
  const o = otsuThreshold(v);
  const contrast = o.contrast;
  if (contrast < 30) return null;
  const bias = opts.bias ?? 0;
  const t = opts.threshold ?? (bias >= 0 ? o.t + bias * (o.m1 - o.t) : o.t + bias * (o.t - o.m0));
  const m = new Uint8Array(w * h);
  for (let i = 0; i < w * h; i++) m[i] = v[i] >= t ? 1 : 0;
  if (smooth && medianRunLength(m, w, h) < (opts.minStrokePx ?? 3) * k) return null;
  const inBox = (c: Glyph, b: Box): boolean => r.x0 + c.x0 / k >= b.x0 && r.x0 + c.x1 / k <= b.x1 && r.y0 + c.y0 / k >= b.y0 && r.y0 + c.y1 / k <= b.y1;
  let comps = components(m, w, h).filter((c) => !(opts.dropInside ?? []).some((b) => inBox(c, b)));
  const tallest = Math.max(0, ...comps.filter((c) => c.x0 > 0 && c.y0 > 0 && c.x1 < w && c.y1 < h).map((c) => c.y1 - c.y0));
  // Specks (fewer pixels than 0.4 % of the tallest's height squared) go, a decimal point stays; texture
  // cut by the crop's edge goes (the crop has a margin around the line, so glyphs never touch it).
  const inside = (c: Glyph): boolean => c.x0 > 0 && c.y0 > 0 && c.x1 < w && c.y1 < h;
  const edge = comps.filter((c) => !inside(c) && c.y1 - c.y0 >= 0.4 * tallest);
  comps = comps.filter((c) => c.n >= Math.max(3, 0.004 * tallest * tallest) && inside(c));
  // Blurred texture leaves blobs; small ones (under 0.4 of the tallest both ways) go, set aside: one
  // may be a decimal point (see SplitLine.specks).
  const specks: Glyph[] = [];
  if (smooth) {
    const small = (c: Glyph): boolean => c.y1 - c.y0 < 0.4 * tallest && c.x1 - c.x0 < 0.4 * tallest;
    specks.push(...comps.filter(small));
    comps = comps.filter((c) => !small(c));
  }
  // Parts stacked in one column (Å's ring over A, a µ broken at its tail, ':' '=') are one glyph.
  comps.sort((a, b) => a.x0 - b.x0);
  for (let merged = true; merged;) {
    merged = false;
    for (let i = 0; i < comps.length && !merged; i++) {
      for (let j = i + 1; j < comps.length; j++) {
        const a = comps[i], b = comps[j];
        const ov = Math.min(a.x1, b.x1) - Math.max(a.x0, b.x0);
        if (ov >= 0.6 * Math.min(a.x1 - a.x0, b.x1 - b.x0) && (Math.max(a.y0, b.y0) - Math.min(a.y1, b.y1)) < 0.3 * tallest) {
          comps[i] = joinGlyphs(a, b);
          comps.splice(j, 1);
          merged = true;
          break;
        }
      }
    }
  }
  if (comps.length === 0) return null;
  const big = comps.filter((c) => c.y1 - c.y0 >= 0.5 * tallest);
  const baseline = median(big.map((c) => c.y1));
  const top = median(big.map((c) => c.y0).sort((a, b) => a - b).slice(0, Math.max(1, Math.ceil(big.length / 2))));
  const lineH = Math.max(1, baseline - top);
  const glyphs: Glyph[] = [];
  for (const c of comps) splitWide(c, 1.6 * lineH, glyphs);
  glyphs.sort((a, b) => a.x0 - b.x0);
  const gx0 = glyphs[0].x0, gx1 = glyphs[glyphs.length - 1].x1;
  const cut = edge.filter((c) => c.x1 > gx0 - 0.5 * lineH && c.x0 < gx1 + 0.5 * lineH && c.y1 > top && c.y0 < baseline);
  return { glyphs, top, baseline, scale: k, region: r, contrast, cut, specks };
}
