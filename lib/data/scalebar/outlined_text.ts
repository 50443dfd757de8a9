/**
 * Labels in light text outlined or drop-shadowed in dark (or the reverse) over an uneven background, as
 * SEM data strips draw them over the specimen: part of the text lies on dark ground, part on a lit
 * particle, so no single grey level separates the text from both (the particle's bright rim is as light
 * as the text's anti-aliased edges). Ink is found with a LOCAL criterion instead: the white top-hat
 * (lib/image/top_hat.ts), each pixel's height above the opening of its (2r+1)² neighbourhood, which keeps
 * strokes narrower than the square and flattens the particle and the ground alike (the dark outline makes
 * the strokes stand out further), divided by the bar's level above that opening, so text on the particle
 * reaches the level of text on the ground. The lines and glyphs are then found and read in that image exactly as
 * the template reader reads any line (text_lines.ts, fast_label.ts, with the same gates). Tried only when
 * every usual reading of a bar failed (find_scale_bar.ts).
 */
import type { BarCandidate, GreyImage } from "./find_bar";
import { readLabelFast } from "./fast_label";
import type { FastLabel, FastLabelOptions } from "./fast_label";
import { findTextLines, textSearchWindow } from "./text_lines";
import { whiteTopHat8 } from "../../image/top_hat";

/** Options for {@link readOutlinedLabel}. Defaults in brackets. */
export interface OutlinedLabelOptions extends FastLabelOptions {
  /**
   * Half-widths r of the top-hat's square, pixels, tried in turn [[2, 4]]: a stroke narrower than 2r+1 px
   * is kept whole (2: strokes to 4 px, text up to ~25 px tall; 4: strokes to 8 px).
   */
  radii?: number[];
  /** How many text lines to read per radius, nearest the bar first [4]. */
  maxLines?: number;
}

/**
 * The normalised top-hat view of bar `c`'s text search window (textSearchWindow) in `img`, same size as
 * `img`, 0 outside the window: text of the bar's own polarity as bright ink (a dark bar's window is
 * inverted first), each pixel v at min(255, contrast × (v − open) / max(bar − open, max(30, contrast / 4)))
 * grey levels (open: the opening by the (2r+1)² square; bar, contrast: the bar's level and contrast, so
 * text as light as the bar sits at about the contrast); with the candidate as seen in it (bright, at its
 * contrast above a 0 surround). Throws as whiteTopHat8 for a negative or fractional r.
 */
export function topHatView(img: GreyImage, c: BarCandidate, r: number): { img: GreyImage; bar: BarCandidate } {
  const win = textSearchWindow(c, img);
  const w = win.x1 - win.x0, h = win.y1 - win.y0;
  const sub = new Uint8Array(w * h);
  const invert = c.polarity === "dark";
  for (let y = 0; y < h; y++) {
    const src = (win.y0 + y) * img.width + win.x0;
    for (let x = 0; x < w; x++) sub[y * w + x] = invert ? 255 - img.data[src + x] : img.data[src + x];
  }
  const th = whiteTopHat8(sub, w, h, r);
  // Each pixel's height above its opening as a share of the bar's (the text's) level above it: text on
  // the lit particle then reaches the same level as text on the dark ground.
  const bar = invert ? 255 - c.barLevel : c.barLevel;
  const floor = Math.max(30, 0.25 * c.contrast);
  for (let i = 0; i < th.length; i++) th[i] = Math.min(255, Math.round((c.contrast * th[i]) / Math.max(floor, bar - (sub[i] - th[i]))));
  const data = new Uint8Array(img.width * img.height);
  for (let y = 0; y < h; y++) data.set(th.subarray(y * w, (y + 1) * w), (win.y0 + y) * img.width + win.x0);
  // Text's top-hat is at most its contrast with the surround; the bar's own may be 0 (a bar thicker than
  // the square is flattened too), so the levels come from the bar's contrast, not from its pixels here.
  return { img: { data, width: img.width, height: img.height }, bar: { ...c, polarity: "bright", barLevel: c.contrast, contrast: c.contrast } };
}

/**
 * Read bar `c`'s label as light-on-dark-outline text (see the file comment): for each radius, the text
 * lines of bar-coloured ink in the top-hat image, read by the template reader (readLabelFast, the same
 * gates: every glyph of a usual length sure, nothing else there reading another length). Boxes are in
 * `img`'s pixels. null when no line qualifies; `seen` collects what was read. Throws only as
 * readLabelFast (templates missing).
 */
export function readOutlinedLabel(img: GreyImage, c: BarCandidate, seen: string[], opts: OutlinedLabelOptions = {}): FastLabel | null {
  for (const r of opts.radii ?? [2, 4]) {
    const view = topHatView(img, c, r);
    const lines = findTextLines(view.img, view.bar).filter((l) => l.ink === "bar").slice(0, opts.maxLines ?? 4);
    const read: string[] = [];
    const f = readLabelFast(view.img, view.bar, lines, read, opts);
    if (read.length) seen.push(`[top-hat r ${r}] ${read.join(" | ")}`);
    if (f) return f;
  }
  return null;
}
