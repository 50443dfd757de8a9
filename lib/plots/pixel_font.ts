/**
 * A 5×7 bitmap font for the digits 0–9, for burning numbers (e.g. particle ids) into raster images
 * without a font library. Glyphs are drawn here by hand; one empty column separates characters.
 */

/** Glyph rows, top to bottom, `#` = ink. */
const GLYPHS: Record<string, readonly string[]> = {
  "0": [".###.", "#...#", "#..##", "#.#.#", "##..#", "#...#", ".###."],
  "1": ["..#..", ".##..", "..#..", "..#..", "..#..", "..#..", ".###."],
  "2": [".###.", "#...#", "....#", "...#.", "..#..", ".#...", "#####"],
  "3": ["#####", "...#.", "..#..", "...#.", "....#", "#...#", ".###."],
  "4": ["...#.", "..##.", ".#.#.", "#..#.", "#####", "...#.", "...#."],
  "5": ["#####", "#....", "####.", "....#", "....#", "#...#", ".###."],
  "6": ["..##.", ".#...", "#....", "####.", "#...#", "#...#", ".###."],
  "7": ["#####", "....#", "...#.", "..#..", ".#...", ".#...", ".#..."],
  "8": [".###.", "#...#", "#...#", ".###.", "#...#", "#...#", ".###."],
  "9": [".###.", "#...#", "#...#", ".####", "....#", "...#.", ".##.."],
};

/** Glyph width and height in font pixels (before scaling). */
export const GLYPH_WIDTH = 5;
export const GLYPH_HEIGHT = 7;

/** A rendered line of text: `on[y*width + x]` = 1 where ink falls. */
export interface TextBitmap {
  width: number;
  height: number;
  on: Uint8Array;
}

/**
 * Render `text` (digits only) with every font pixel drawn as a `scale`×`scale` block: width
 * `(6·n − 1)·scale`, height `7·scale`. Throws naming a character the font lacks or a bad scale.
 */
export function renderDigits(text: string, scale = 1): TextBitmap {
  if (!Number.isInteger(scale) || scale < 1) throw new Error(`renderDigits: scale must be a positive integer, got ${scale}`);
  for (const ch of text) if (!GLYPHS[ch]) throw new Error(`renderDigits: the bitmap font has only the digits 0-9, got '${ch}' in '${text}'`);
  const n = text.length;
  const width = Math.max(0, (n * (GLYPH_WIDTH + 1) - 1) * scale), height = GLYPH_HEIGHT * scale;
  const on = new Uint8Array(width * height);
  [...text].forEach((ch, k) => {
    const g = GLYPHS[ch];
    for (let gy = 0; gy < GLYPH_HEIGHT; gy++) for (let gx = 0; gx < GLYPH_WIDTH; gx++) {
      if (g[gy][gx] !== "#") continue;
      const x0 = (k * (GLYPH_WIDTH + 1) + gx) * scale, y0 = gy * scale;
      for (let dy = 0; dy < scale; dy++) for (let dx = 0; dx < scale; dx++) on[(y0 + dy) * width + x0 + dx] = 1;
    }
  });
  return { width, height, on };
}
