/**
 * Faint ink just left of a number: a "0." the line's ink threshold (or the crop the line came in) lost.
 * Thin light fonts at small sizes (Lato Light at 10 px, DejaVu Sans Light at 16 px, blurred) draw the
 * round "0" and the point in grey while the straight "1" beside them reaches full ink, so "0.1 µm" can be
 * read surely as "1 µm", 10× off. The template reader (read_line_fast.ts) refuses a whole number with
 * such ink before it.
 */
import type { Box, GreyImage } from "./find_bar";

const inside = (x: number, y: number, b: Box): boolean => x >= b.x0 && x < b.x1 && y >= b.y0 && y < b.y1;

/**
 * Whether `img` holds a faint glyph in the band left of `first` (the box of a number's first glyph,
 * source pixels): rows from 0.3 line heights above `top` to 0.3 below `baseline` (the line's, source
 * pixels), columns from 2 line heights to 0.05 line heights before `first.x0`. The background is the
 * band's median; a pixel is ink-ward when it lies at least 30 % of the way from the background to the
 * first glyph's strongest ink and outside every `skip` box (the line's other glyphs, the bar). A glyph is
 * an 8-connected cluster of ≥ 3 such pixels (and ≥ 0.05 line heights²) spanning ≥ 0.6 line heights that
 * touches neither the band's left, top nor bottom edge. Texture specks beside a label are smaller (the
 * EMPS crop 3692286ecf, "20 nm" on speckled film, refused on a pixel count alone) and the micrograph
 * beyond a label's white box reaches the band's edges. `inkDark`: ink is darker than the background.
 * Never throws (false for an empty band).
 */
export function faintInkBefore(img: GreyImage, first: Box, top: number, baseline: number, inkDark: boolean, skip: Box[]): boolean {
  const H = Math.max(1, baseline - top);
  const ink = (v: number): number => (inkDark ? 255 - v : v);
  const y0 = Math.max(0, Math.floor(top - 0.3 * H)), y1 = Math.min(img.height, Math.ceil(baseline + 0.3 * H));
  const x0 = Math.max(0, Math.floor(first.x0 - 2 * H)), x1 = Math.min(img.width, Math.floor(first.x0 - 0.05 * H));
  if (y1 <= y0 || x1 <= x0) return false;
  const band: number[] = [];
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) band.push(ink(img.data[y * img.width + x]));
  const bg = band.sort((a, b) => a - b)[(band.length - 1) >> 1];
  let peak = 0;
  for (let y = Math.max(0, Math.floor(first.y0)); y < Math.min(img.height, Math.ceil(first.y1)); y++) {
    for (let x = Math.max(0, Math.floor(first.x0)); x < Math.min(img.width, Math.ceil(first.x1)); x++) peak = Math.max(peak, ink(img.data[y * img.width + x]));
  }
  if (peak <= bg) return false;
  const t = bg + 0.3 * (peak - bg);
  const w = x1 - x0, h = y1 - y0;
  const m = new Uint8Array(w * h);
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) if (ink(img.data[y * img.width + x]) >= t && !skip.some((b) => inside(x + 0.5, y + 0.5, b))) m[(y - y0) * w + x - x0] = 1;
  }
  // 8-connected clusters of such pixels: a glyph spans most of the line's height, texture specks do not.
  const stack: number[] = [];
  for (let i = 0; i < m.length; i++) {
    if (m[i] !== 1) continue;
    let n = 0, cTop = h, cBottom = 0, cLeft = w;
    m[i] = 2;
    stack.push(i);
    while (stack.length) {
      const j = stack.pop() as number;
      const x = j % w, y = (j - x) / w;
      n++;
      cTop = Math.min(cTop, y);
      cBottom = Math.max(cBottom, y + 1);
      cLeft = Math.min(cLeft, x);
      for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) {
        const nx = x + dx, ny = y + dy;
        if (nx >= 0 && ny >= 0 && nx < w && ny < h && m[ny * w + nx] === 1) { m[ny * w + nx] = 2; stack.push(ny * w + nx); }
      }
    }
    // A glyph lies inside the band; ink reaching its left, top or bottom edge is a wider thing (the
    // micrograph beyond a label's box, texture).
    if (n >= Math.max(3, 0.05 * H * H) && cBottom - cTop >= 0.6 * H && cLeft > 0 && cTop > 0 && cBottom < h) return true;
  }
  return false;
}
