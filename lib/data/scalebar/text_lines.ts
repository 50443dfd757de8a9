/**
 * Where the text next to a scale bar is: glyph-sized connected components of "ink" around the bar,
 * grouped into text lines, nearest to the bar first. Only these tight line boxes go to OCR (one line
 * each, see read_label's "line" mode), never the whole neighbourhood.
 */
import type { BarCandidate, Box, GreyImage } from "./find_bar";
import { blurGrey8 } from "./denoise";

const IDENTITY = Uint8Array.from({ length: 256 }, (_, v) => v);

/** A text line near a bar. */
export interface TextLine {
  /** The line's pixels (union of its glyph components), x0/y0 inclusive, x1/y1 exclusive. */
  box: Box;
  /**
   * "bar": ink of the bar's own polarity (dark text by a dark bar); "other": the opposite polarity, beyond
   * the bar's surround; "surround": saturated ink of the surround's own colour (white text on the
   * micrograph above a white panel holding a black bar).
   */
  ink: "bar" | "other" | "surround";
  /** Where it sits relative to the bar. */
  side: "above" | "below" | "left" | "right" | "on";
  /** Gap between line and bar, pixels (0 when they touch or overlap). */
  gap: number;
  /** Number of glyph components. */
  glyphs: number;
  /** Found in the blurred window (TextLineOptions.smooth): read it blurred too. */
  smoothed?: boolean;
}

/** Options for {@link findTextLines}. Defaults in brackets. */
export interface TextLineOptions {
  /** Shortest glyph that counts, pixels [5]. */
  minGlyphPx?: number;
  /** How many lines to return, nearest first [6]. */
  maxLines?: number;
  /**
   * Search only close to the bar [false]: 0.6 bar lengths to each side and max(40 px, 0.2 bar lengths)
   * above and below, with the first ink level only (bar-coloured, 0.35 of the contrast). About a tenth of
   * the full search's cost; the fast label reader tries it first (see fast_label.ts).
   */
  near?: boolean;
  /**
   * Search for text on speckled texture instead [false]: one pass of bar-coloured ink at 0.65 of the
   * contrast in the window blurred with σ = 1 px (denoise.ts), so bright specks average down while strokes
   * a few pixels wide stay; its lines are marked `smoothed` and read the same way (fast_label.ts).
   */
  smooth?: boolean;
}

interface Comp {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  n: number;
}

/** `lut` applied to the pixels of window `win` of `img` (a small function of its own so the engine optimises the hot loop early). */
function lookupWindow(img: GreyImage, win: Box, lut: Uint8Array): Uint8Array {
  const w = win.x1 - win.x0, h = win.y1 - win.y0;
  const mask = new Uint8Array(w * h);
  const data = img.data, iw = img.width;
  for (let y = 0; y < h; y++) {
    const src = (win.y0 + y) * iw + win.x0;
    const dst = y * w;
    for (let x = 0; x < w; x++) mask[dst + x] = lut[data[src + x]];
  }
  return mask;
}

/** 8-connected components of `mask` (w×h, 1 = ink) with their boxes and pixel counts. */
function components(mask: Uint8Array, w: number, h: number): Comp[] {
  const seen = new Uint8Array(w * h);
  const out: Comp[] = [];
  const stack: number[] = [];
  for (let i = 0; i < w * h; i++) {
    if (!mask[i] || seen[i]) continue;
    const c: Comp = { x0: w, y0: h, x1: 0, y1: 0, n: 0 };
    seen[i] = 1;
    stack.push(i);
    while (stack.length) {
      const j = stack.pop() as number;
      const x = j % w;
      const y = (j - x) / w;
      c.n++;
      if (x < c.x0) c.x0 = x;
      if (y < c.y0) c.y0 = y;
      if (x + 1 > c.x1) c.x1 = x + 1;
      if (y + 1 > c.y1) c.y1 = y + 1;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const nx = x + dx;
          const ny = y + dy;
          if (nx < 0 || ny < 0 || nx >= w || ny >= h) continue;
          const q = ny * w + nx;
          if (mask[q] && !seen[q]) { seen[q] = 1; stack.push(q); }
        }
      }
    }
    out.push(c);
  }
  return out;
}

/**
 * The window searched around a bar: one bar length to each side (`wide`: 1.5), 0.5 above and below
 * (≥ 60 px); `near`: 0.6 bar lengths to each side, max(40 px, 0.2 bar lengths) above and below.
 */
export function textSearchWindow(c: BarCandidate, img: GreyImage, near = false, wide = false): Box {
  const L = c.box.x1 - c.box.x0;
  const dy = near ? Math.max(40, 0.2 * L) : Math.max(60, 0.5 * L);
  const dx = near ? 0.6 * L : wide ? 1.5 * L : 1.0 * L;
  return {
    x0: Math.max(0, Math.floor(c.box.x0 - dx)),
    y0: Math.max(0, Math.floor(c.box.y0 - dy)),
    x1: Math.min(img.width, Math.ceil(c.box.x1 + dx)),
    y1: Math.min(img.height, Math.ceil(c.box.y1 + dy)),
  };
}

/**
 * Text lines near bar `c` in `img`, nearest first. Ink is searched in both polarities: grey levels nearer
 * the bar's than its surround's ("bar"), and levels as far beyond the surround on the other side ("other",
 * e.g. white text on a black data strip holding a white bar). The bar's own rows (and 2 px around) are
 * not ink. Glyphs are components 5…min(120, 1.2·bar length) px tall that are not solid bands; they join
 * a line when their rows overlap by ≥ 60 % of the shorter and the horizontal gap is ≤ 1.2× the taller.
 * A line must lie within 3 line heights (or 0.6 bar lengths) of the bar, beside or above/below it.
 * Words join into a line up to 4 times each other's height (a glyph touching a particle makes its word
 * taller); the words of a line more than 2.2 times shorter than its tallest word (a label beside a logo
 * on an SEM data strip) are also returned as a line of their own, when no taller word lies between them.
 * Never throws for a valid image and candidate.
 */
export function findTextLines(img: GreyImage, c: BarCandidate, opts: TextLineOptions = {}): TextLine[] {
  // The blurred search looks 1.5 bar lengths to each side: a label beside a short bar may be longer than it.
  const win = textSearchWindow(c, img, opts.near, opts.smooth);
  const w = win.x1 - win.x0;
  const h = win.y1 - win.y0;
  if (w < 4 || h < 4) return [];
  const L = c.box.x1 - c.box.x0;
  const minH = opts.minGlyphPx ?? 5;
  const maxH = Math.min(120, Math.max(12, 1.2 * L));
  const sign = c.polarity === "bright" ? 1 : -1;
  // In "bar-up" units (the bar is +contrast above its surround at 0).
  const bg = c.barLevel - sign * c.contrast;
  const out: TextLine[] = [];
  // Bar-coloured ink at two levels: faint thin strokes need the low one, text on bright-speckled
  // texture the high one (the speckles then stop joining the glyphs).
  const passes: [TextLine["ink"], number][] = [["bar", 0.35], ["bar", 0.65], ["other", 0]];
  // A surround already near white (dark bar) or black (bright bar): its own colour may be the text's.
  if (sign * (bg - (sign > 0 ? 0 : 255)) <= 60) passes.push(["surround", 0]);
  if (opts.near) passes.length = 1;
  if (opts.smooth) passes.splice(0, passes.length, ["bar", 0.65]);
  const src: GreyImage = opts.smooth ? { data: blurGrey8(lookupWindow(img, win, IDENTITY), w, h, 1), width: w, height: h } : img;
  const srcWin: Box = opts.smooth ? { x0: 0, y0: 0, x1: w, y1: h } : win;
  for (const [ink, level] of passes) {
    // Ink or not depends on the grey level alone: one table lookup per pixel.
    const lut = new Uint8Array(256);
    for (let v = 0; v < 256; v++) {
      const u = sign * (v - bg);
      lut[v] = ink === "bar" ? Number(u > level * c.contrast)
        : ink === "other" ? Number(u < -Math.max(40, 0.35 * c.contrast))
          : Number(sign > 0 ? v <= 50 : v >= 205);
    }
    const mask = lookupWindow(src, srcWin, lut);
    // The bar itself (and its caps' rows nearby) is not text.
    const bx0 = Math.max(0, c.box.x0 - 2 - win.x0), bx1 = Math.min(w, c.box.x1 + 2 - win.x0);
    for (let y = Math.max(0, c.box.y0 - 2 - win.y0); y < Math.min(h, c.box.y1 + 2 - win.y0); y++) {
      if (bx1 > bx0) mask.fill(0, y * w + bx0, y * w + bx1);
    }
    const comps = components(mask, w, h);
    const glyphs = comps.filter((k) => {
      const gw = k.x1 - k.x0;
      const gh = k.y1 - k.y0;
      if (gh < minH || gh > maxH || gw > 6 * gh || gw > 1.5 * L + 10) return false;
      const fill = k.n / (gw * gh);
      // Solid bands (another bar, a panel edge) and solid blocks are not glyphs.
      if (fill > 0.85 && (gw >= 2.5 * gh || gw * gh > 400)) return false;
      return true;
    });
    // Small marks (decimal points, commas) join a line they sit inside; take them separately.
    const dots = comps.filter((k) => k.y1 - k.y0 < minH && k.y1 - k.y0 >= 1 && k.x1 - k.x0 <= minH && k.n >= 2);
    glyphs.sort((a, b) => a.x0 - b.x0);
    const parent = glyphs.map((_, i) => i);
    const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i])));
    for (let i = 0; i < glyphs.length; i++) {
      for (let j = i + 1; j < glyphs.length; j++) {
        const a = glyphs[i];
        const b = glyphs[j];
        // Sorted by x0: once b starts too far right of a (for any glyph height), so do all after it.
        if (b.x0 - a.x1 > 1.2 * maxH) break;
        const ha = a.y1 - a.y0;
        const hb = b.y1 - b.y0;
        const gap = b.x0 - a.x1;
        if (gap > 1.2 * Math.max(ha, hb)) continue;
        const ov = Math.min(a.y1, b.y1) - Math.max(a.y0, b.y0);
        if (ov < 0.6 * Math.min(ha, hb) || Math.max(ha, hb) > 2.2 * Math.min(ha, hb)) continue;
        parent[find(j)] = find(i);
      }
    }
    const groups = new Map<number, Comp[]>();
    glyphs.forEach((g, i) => {
      const r = find(i);
      const gs = groups.get(r);
      if (gs) gs.push(g);
      else groups.set(r, [g]);
    });
    // Words of one label ("20" + "nm", "100" + "nm") join when their rows overlap by half the shorter
    // and the gap is at most 1.5× the taller; a glyph touching a particle only makes its word taller.
    const boxOf = (gs: Comp[]): Box => ({ x0: Math.min(...gs.map((g) => g.x0)), y0: Math.min(...gs.map((g) => g.y0)), x1: Math.max(...gs.map((g) => g.x1)), y1: Math.max(...gs.map((g) => g.y1)) });
    const lines: { gs: Comp[]; box: Box; words: Box[] }[] = [...groups.values()].map((gs) => ({ gs, box: boxOf(gs), words: [boxOf(gs)] }));
    for (let merged = true; merged;) {
      merged = false;
      lines.sort((a, b) => a.box.x0 - b.box.x0);
      for (let i = 0; i < lines.length; i++) {
        for (let j = i + 1; j < lines.length; j++) {
          const a = lines[i].box;
          const b = lines[j].box;
          if (b.x0 - a.x1 > 1.5 * maxH) break;
          const ha = a.y1 - a.y0;
          const hb = b.y1 - b.y0;
          const ov = Math.min(a.y1, b.y1) - Math.max(a.y0, b.y0);
          const gap = b.x0 - a.x1;
          if (ov >= 0.5 * Math.min(ha, hb) && gap <= 1.5 * Math.max(ha, hb) && Math.max(ha, hb) <= 4 * Math.min(ha, hb)) {
            lines[i] = { gs: [...lines[i].gs, ...lines[j].gs], box: { x0: Math.min(a.x0, b.x0), y0: Math.min(a.y0, b.y0), x1: Math.max(a.x1, b.x1), y1: Math.max(a.y1, b.y1) }, words: [...lines[i].words, ...lines[j].words] };
            lines.splice(j, 1);
            j--;
            merged = true;
          }
        }
      }
    }
    // A word joined to one over 2.2 times its height (a logo, a panel's edge, another field's larger text:
    // the glyph rule above would not have joined them) is also a line of its own, with the other such
    // words of that line when no taller word lies between them.
    const apart: { gs: Comp[]; box: Box }[] = [];
    for (const l of lines) {
      const tallest = Math.max(...l.words.map((b) => b.y1 - b.y0));
      const small = l.words.filter((b) => 2.2 * (b.y1 - b.y0) < tallest);
      if (small.length === 0) continue;
      const sb = small.reduce((a, b) => ({ x0: Math.min(a.x0, b.x0), y0: Math.min(a.y0, b.y0), x1: Math.max(a.x1, b.x1), y1: Math.max(a.y1, b.y1) }));
      if (l.words.some((b) => !small.includes(b) && b.x1 > sb.x0 && b.x0 < sb.x1)) continue;
      apart.push({ gs: l.gs.filter((g) => g.x0 >= sb.x0 && g.x1 <= sb.x1 && g.y0 >= sb.y0 && g.y1 <= sb.y1), box: sb });
    }
    for (const { gs, box: b0 } of [...lines, ...apart]) {
      const box: Box = { ...b0 };
      const lh = box.y1 - box.y0;
      // A lone glyph is a line only when it is word-like (e.g. "100nm" merged by blur): wider than tall.
      if (gs.length === 1 && box.x1 - box.x0 < 1.5 * lh) continue;
      for (const d of dots) {
        if (d.y0 >= box.y0 && d.y1 <= box.y1 + 1 && d.x0 >= box.x0 - lh && d.x1 <= box.x1 + lh) {
          box.x0 = Math.min(box.x0, d.x0);
          box.x1 = Math.max(box.x1, d.x1);
        }
      }
      // Letters shorter than a glyph that counts (the 3–4 px "nm" of 5-px text, EMPS 1ecd5c901c, one
      // blob) continue the line to either side, one after another, when they stand on its baseline (within
      // 1 px), reach at least half its height, are at most 3 heights wide and follow it within 0.8 of its height.
      const letters = comps.filter((d) => d.y1 - d.y0 < minH && d.y0 >= box.y0 && Math.abs(d.y1 - box.y1) <= 1 && d.y1 - d.y0 >= 0.5 * lh && d.x1 - d.x0 <= 3 * lh);
      for (let grown = true; grown;) {
        grown = false;
        for (const d of letters) {
          if (d.x0 >= box.x0 && d.x1 <= box.x1) continue;
          if ((d.x0 >= box.x1 - 1 && d.x0 - box.x1 <= 0.8 * lh) || (d.x1 <= box.x0 + 1 && box.x0 - d.x1 <= 0.8 * lh)) {
            box.x0 = Math.min(box.x0, d.x0);
            box.x1 = Math.max(box.x1, d.x1);
            grown = true;
          }
        }
      }
      // Texture and panels joined into one huge "line" are not text: a label is one line, shorter than 3 bar lengths.
      if (lh > maxH || box.x1 - box.x0 > 3 * L + 20) continue;
      const abs: Box = { x0: box.x0 + win.x0, y0: box.y0 + win.y0, x1: box.x1 + win.x0, y1: box.y1 + win.y0 };
      const place = where(abs, c.box, lh, L);
      // The same line found at both levels is kept once.
      const dup = out.some((o) => o.ink === ink && Math.abs(o.box.x0 - abs.x0) <= 2 && Math.abs(o.box.x1 - abs.x1) <= 2 && Math.abs(o.box.y0 - abs.y0) <= 2 && Math.abs(o.box.y1 - abs.y1) <= 2);
      if (place && !dup) out.push({ box: abs, ink, side: place.side, gap: place.gap, glyphs: gs.length, ...(opts.smooth ? { smoothed: true } : {}) });
    }
  }
  out.sort((a, b) => a.gap / (a.box.y1 - a.box.y0) - b.gap / (b.box.y1 - b.box.y0) || Number(a.ink !== "bar") - Number(b.ink !== "bar"));
  return out.slice(0, opts.maxLines ?? 6);
}

/** Side and gap of a line box relative to the bar box, or null when it is too far to be the bar's label. */
function where(t: Box, b: Box, lh: number, L: number): { side: TextLine["side"]; gap: number } | null {
  const ox = Math.min(t.x1, b.x1) - Math.max(t.x0, b.x0);
  const oy = Math.min(t.y1, b.y1) - Math.max(t.y0, b.y0);
  const reach = Math.max(3 * lh, 0.6 * L);
  // On the bar's rows but not over it: beside (a label inside a split bar "|— 200 nm —|" is beside a part).
  if (oy > 0 && ox <= 0) {
    if (t.x1 <= b.x0) { const gap = b.x0 - t.x1; return gap <= reach ? { side: "left", gap } : null; }
    const gap = t.x0 - b.x1;
    return gap <= reach ? { side: "right", gap } : null;
  }
  if (ox > 0 || (t.x1 > b.x0 - 0.5 * L && t.x0 < b.x1 + 0.5 * L)) {
    if (oy > 0) return { side: "on", gap: 0 };
    if (t.y1 <= b.y0) { const gap = b.y0 - t.y1; return gap <= reach && ox > -0.5 * L ? { side: "above", gap } : null; }
    const gap = t.y0 - b.y1;
    if (gap <= reach && ox > -0.5 * L) return { side: "below", gap };
  }
  // Beside: the line's rows must reach the bar's rows (within one line height).
  if (t.y1 + lh < b.y0 || t.y0 - lh > b.y1) return null;
  if (t.x1 <= b.x0) { const gap = b.x0 - t.x1; return gap <= reach ? { side: "left", gap } : null; }
  if (t.x0 >= b.x1) { const gap = t.x0 - b.x1; return gap <= reach ? { side: "right", gap } : null; }
  return { side: "on", gap: 0 };
}

/**
 * The crop a text line is read from (source pixels, not clipped): its box padded by 0.6 line heights
 * left/right and 0.35 above/below, without the bar's own edge rows (they would read as an underline),
 * and for a line above/below the bar no further than max(0.3 bar lengths, 3 line heights) beyond the
 * bar's ends (texture that joined the line further out is cut off).
 */
export function lineCrop(c: BarCandidate, line: TextLine): Box {
  const lh = line.box.y1 - line.box.y0;
  const L = c.box.x1 - c.box.x0;
  const region: Box = { x0: line.box.x0 - 0.6 * lh, y0: line.box.y0 - 0.35 * lh, x1: line.box.x1 + 0.6 * lh, y1: line.box.y1 + 0.35 * lh };
  if (line.side === "above") region.y1 = Math.min(region.y1, c.box.y0 - 1);
  if (line.side === "below") region.y0 = Math.max(region.y0, c.box.y1 + 1);
  if (line.side === "above" || line.side === "below") {
    const reach = Math.max(0.3 * L, 3 * lh);
    region.x0 = Math.max(region.x0, c.box.x0 - reach);
    region.x1 = Math.min(region.x1, c.box.x1 + reach);
  }
  return region;
}
