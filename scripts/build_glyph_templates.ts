/**
 * Build lib/data/scalebar/glyphs.bin, the fast label reader's templates (run once; needs the system fonts
 * named below, which the product itself never needs):
 *   node node_modules/.bin/ts-node --transpile-only scripts/build_glyph_templates.ts
 * Each character is rendered by sharp (librsvg) as dark text on white, in the context "100c0" (so its line
 * metrics come from digits, as in a label), in every font × weight × size below, crisp and blurred with
 * noise (seeded), then cut into glyphs by the same splitter the reader uses (glyph_split.ts); the 4th glyph
 * is the template. Renderings that do not split into exactly 5 glyphs are skipped (counted on stderr).
 * Then the label characters of MONO_FONTS the same way, and the unit pairs of UNIT_BLOBS in them (the pair
 * takes two cells; kept when it splits as one touching glyph, or as two, joined, in "100", pair, "0").
 * GLYPHS_OUT=file writes elsewhere (to compare template sets).
 */
import * as fs from "fs";
import * as path from "path";
import sharp from "sharp";
import { Rng } from "../lib/util/rng";
import { glyphFeatures } from "../lib/data/scalebar/glyph_features";
import { joinGlyphs, splitLine } from "../lib/data/scalebar/glyph_split";
import { encodeTemplates } from "../lib/data/scalebar/glyph_templates";
import type { GlyphTemplate } from "../lib/data/scalebar/glyph_templates";
import type { Box } from "../lib/data/scalebar/find_bar";

/** Fonts (families as fontconfig names them) used for templates; others are kept for tests. */
export const TEMPLATE_FONTS = ["DejaVu Sans", "DejaVu Serif", "Liberation Sans", "Liberation Serif", "Lato"];
/** Characters labels are made of: every size and variant. */
const LABEL_CHARS = [..."0123456789.,nmuµÅAp"];
/** Other characters that appear near bars (SEM data strips, panel letters): fewer sizes; they exist so a non-label glyph is not forced onto a label class. */
const OTHER_CHARS = [..."acehkrvwxyCEFHKLMNPRTVWXY=-+"];
const LABEL_SIZES = [11, 15, 22, 36];
/**
 * Monospaced fonts (SEM data strips, e.g. Zeiss's, write labels in one): each letter fills a cell, so
 * small letters touch, and the zero is often marked (Liberation Mono's has a dot inside; a small blurred
 * slashed or dotted zero looks alike). Rendered after the others (same seed), so the templates of
 * TEMPLATE_FONTS stay byte-identical.
 */
export const MONO_FONTS = ["DejaVu Sans Mono", "Liberation Mono"];
/** Label characters rendered in the monospaced fonts (every size and variant, as LABEL_CHARS). */
const MONO_CHARS = [..."0123456789.,nmuµp"];
/**
 * Units whose two letters touch in a small monospaced font (each letter fills its cell): templates of the
 * pair as one glyph. Only "µm" may decide a label (its µ's descender sets it apart from n, m and u pairs);
 * the others exist so such a blob has its own nearest class (read_line_fast.ts never lets them decide).
 */
export const UNIT_BLOBS = ["µm", "nm", "mm", "pm", "um"];
const OTHER_SIZES = [12, 20, 32];

function esc(c: string): string {
  return c === "&" ? "&amp;" : c === "<" ? "&lt;" : c === ">" ? "&gt;" : c;
}

/** Render "100c0" glyph by glyph and return the target glyph's features, or null when it did not split into 5. */
async function render(c: string, font: string, bold: boolean, size: number, blur: number, noise: number, rng: Rng): Promise<GlyphTemplate | null> {
  const blob = UNIT_BLOBS.includes(c);
  const chars = ["1", "0", "0", c, "0"];
  const pitch = Math.ceil(1.15 * size);
  // A unit pair takes two cells: the last zero moves one cell right.
  const xAt = (i: number): number => size + i * pitch + (blob && i === 4 ? pitch : 0);
  const W = pitch * (chars.length + (blob ? 1 : 0)) + 2 * size, H = Math.ceil(2.2 * size);
  const base = Math.round(1.4 * size);
  const texts = chars.map((ch, i) => `<text x="${xAt(i)}" y="${base}" font-family="${font}" font-size="${size}"${bold ? ' font-weight="bold"' : ""} fill="black">${esc(ch)}</text>`).join("");
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}"><rect width="${W}" height="${H}" fill="white"/>${texts}</svg>`;
  let s = sharp(Buffer.from(svg)).greyscale();
  if (blur > 0) s = s.blur(blur);
  const { data, info } = await s.raw().toBuffer({ resolveWithObject: true });
  const px = new Uint8Array(info.width * info.height);
  for (let i = 0; i < px.length; i++) px[i] = Math.max(0, Math.min(255, data[i * info.channels] + (noise ? Math.round(rng.uniform(-noise, noise)) : 0)));
  const img = { data: px, width: info.width, height: info.height };
  // The crop the reader would take: the ink's box, padded like find_scale_bar pads a text line.
  let x0 = W, y0 = H, x1 = 0, y1 = 0;
  for (let y = 0; y < info.height; y++) for (let x = 0; x < info.width; x++) if (px[y * info.width + x] < 128) { x0 = Math.min(x0, x); y0 = Math.min(y0, y); x1 = Math.max(x1, x + 1); y1 = Math.max(y1, y + 1); }
  const lh = y1 - y0;
  const region: Box = { x0: x0 - 0.6 * lh, y0: y0 - 0.35 * lh, x1: x1 + 0.6 * lh, y1: y1 + 0.35 * lh };
  const line = splitLine(img, region, true);
  if (blob && line && line.glyphs.length === 6) return { cls: c, f: glyphFeatures(joinGlyphs(line.glyphs[3], line.glyphs[4]), line) };
  if (!line || line.glyphs.length !== 5) return null;
  return { cls: c, f: glyphFeatures(line.glyphs[3], line) };
}

async function main(): Promise<void> {
  const rng = new Rng(2207);
  const out: GlyphTemplate[] = [];
  let skipped = 0;
  const skippedWhat: string[] = [];
  for (const font of TEMPLATE_FONTS) {
    for (const bold of [false, true]) {
      for (const [chars, sizes, variants] of [[LABEL_CHARS, LABEL_SIZES, 2], [OTHER_CHARS, OTHER_SIZES, 1]] as [string[], number[], number][]) {
        for (const c of chars) {
          for (const size of sizes) {
            for (let v = 0; v < variants; v++) {
              const t = await render(c, font, bold, size, v === 0 ? 0 : 0.35 + 0.04 * size, v === 0 ? 0 : 18, rng);
              if (t) out.push(t);
              else { skipped++; skippedWhat.push(`${c}/${font}${bold ? " bold" : ""}/${size}/${v}`); }
            }
          }
        }
      }
    }
  }
  for (const font of MONO_FONTS) {
    for (const bold of [false, true]) {
      for (const c of [...MONO_CHARS, ...UNIT_BLOBS]) {
        for (const size of LABEL_SIZES) {
          for (let v = 0; v < 2; v++) {
            const t = await render(c, font, bold, size, v === 0 ? 0 : 0.35 + 0.04 * size, v === 0 ? 0 : 18, rng);
            if (t) out.push(t);
            else { skipped++; skippedWhat.push(`${c}/${font}${bold ? " bold" : ""}/${size}/${v}`); }
          }
        }
      }
    }
  }
  const file = process.env.GLYPHS_OUT ?? path.join(__dirname, "..", "lib", "data", "scalebar", "glyphs.bin");
  const buf = encodeTemplates(out);
  fs.writeFileSync(file, buf);
  console.error(`${out.length} templates, ${buf.length} bytes → ${file}; skipped ${skipped}: ${skippedWhat.slice(0, 40).join(", ")}`);
}

if (require.main === module) main().catch((e) => { console.error(e); process.exit(1); });
