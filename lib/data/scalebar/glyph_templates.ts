/**
 * The glyph templates the fast reader compares against: features of glyphs rendered from several fonts,
 * sizes and blurs (built once by scripts/build_glyph_templates.ts, shipped as glyphs.bin beside this
 * file; provenance in glyphs.md). No system font is needed at run time. A class is one character, or a
 * unit pair ("µm", "nm", "mm", "pm", "um") whose letters touch in a small monospaced font, kept as one
 * glyph; read_line_fast.ts lets only "µm" of those decide.
 *
 * glyphs.bin layout (little-endian): magic "NMGT", u8 version (1), u8 GRID_W, u8 GRID_H, u8 class count C,
 * C class strings (u8 byte length + UTF-8), u32 template count N, then N records of: u8 class index,
 * GRID_W×GRID_H/2 bytes of 4-bit grid values (two cells per byte, high nibble first, value/15),
 * u8 relH×100, u8 relW×100, i8 top×100, i8 bottom×100, u8 holes.
 */
import * as fs from "fs";
import * as path from "path";
import { projectRoot } from "../../util/paths";
import { GRID_H, GRID_W } from "./glyph_features";
import type { GlyphFeatures } from "./glyph_features";

/** One template: a class (the character it is) and its features. */
export interface GlyphTemplate {
  cls: string;
  f: GlyphFeatures;
}

const MAGIC = "NMGT";

/** Serialise templates to the glyphs.bin layout (see the file comment). Throws on more than 255 classes. */
export function encodeTemplates(ts: GlyphTemplate[]): Buffer {
  const classes = [...new Set(ts.map((t) => t.cls))];
  if (classes.length > 255) throw new Error(`encodeTemplates: ${classes.length} classes, at most 255`);
  const parts: Buffer[] = [Buffer.from(MAGIC, "ascii"), Buffer.from([1, GRID_W, GRID_H, classes.length])];
  for (const c of classes) { const b = Buffer.from(c, "utf8"); parts.push(Buffer.from([b.length]), b); }
  const n = Buffer.alloc(4);
  n.writeUInt32LE(ts.length);
  parts.push(n);
  const cells = GRID_W * GRID_H;
  const clamp8 = (v: number, lo: number, hi: number): number => Math.max(lo, Math.min(hi, Math.round(v)));
  for (const t of ts) {
    const r = Buffer.alloc(1 + cells / 2 + 5);
    r[0] = classes.indexOf(t.cls);
    for (let i = 0; i < cells; i += 2) r[1 + i / 2] = (clamp8(t.f.grid[i] * 15, 0, 15) << 4) | clamp8(t.f.grid[i + 1] * 15, 0, 15);
    let o = 1 + cells / 2;
    r[o++] = clamp8(t.f.relH * 100, 0, 255);
    r[o++] = clamp8(t.f.relW * 100, 0, 255);
    r.writeInt8(clamp8(t.f.top * 100, -128, 127), o++);
    r.writeInt8(clamp8(t.f.bottom * 100, -128, 127), o++);
    r[o] = clamp8(t.f.holes, 0, 255);
    parts.push(r);
  }
  return Buffer.concat(parts);
}

/** Parse the glyphs.bin layout. Throws naming the problem when the buffer is not one (or has another grid). */
export function decodeTemplates(buf: Buffer): GlyphTemplate[] {
  if (buf.length < 8 || buf.toString("ascii", 0, 4) !== MAGIC) throw new Error("glyph templates: not a glyphs.bin file (bad magic)");
  if (buf[4] !== 1 || buf[5] !== GRID_W || buf[6] !== GRID_H) throw new Error(`glyph templates: version ${buf[4]} grid ${buf[5]}×${buf[6]}, expected 1 and ${GRID_W}×${GRID_H} (rebuild with scripts/build_glyph_templates.ts)`);
  let o = 8;
  const classes: string[] = [];
  for (let i = 0; i < buf[7]; i++) { const l = buf[o++]; classes.push(buf.toString("utf8", o, o + l)); o += l; }
  const n = buf.readUInt32LE(o);
  o += 4;
  const cells = GRID_W * GRID_H;
  const size = 1 + cells / 2 + 5;
  if (buf.length !== o + n * size) throw new Error(`glyph templates: ${buf.length} bytes, expected ${o + n * size} for ${n} templates`);
  const out: GlyphTemplate[] = [];
  for (let k = 0; k < n; k++, o += size) {
    const grid = new Float32Array(cells);
    for (let i = 0; i < cells; i += 2) { const b = buf[o + 1 + i / 2]; grid[i] = (b >> 4) / 15; grid[i + 1] = (b & 15) / 15; }
    const p = o + 1 + cells / 2;
    out.push({ cls: classes[buf[o]], f: { grid, relH: buf[p] / 100, relW: buf[p + 1] / 100, top: buf.readInt8(p + 2) / 100, bottom: buf.readInt8(p + 3) / 100, holes: buf[p + 4] } });
  }
  return out;
}

let cached: GlyphTemplate[] | null = null;
const widestCache = new WeakMap<GlyphTemplate[], Map<string, number>>();

/** The widest template of each class, relative width (GlyphFeatures.relW); computed once per template set. */
export function widestOfClass(ts: GlyphTemplate[]): Map<string, number> {
  let m = widestCache.get(ts);
  if (!m) {
    m = new Map();
    for (const t of ts) m.set(t.cls, Math.max(m.get(t.cls) ?? 0, t.f.relW));
    widestCache.set(ts, m);
  }
  return m;
}

const withoutCache = new WeakMap<GlyphTemplate[], Map<string, GlyphTemplate[]>>();

/** `ts` without the templates of class `cls` (computed once per template set and class). */
export function withoutClass(ts: GlyphTemplate[], cls: string): GlyphTemplate[] {
  let m = withoutCache.get(ts);
  if (!m) { m = new Map(); withoutCache.set(ts, m); }
  let out = m.get(cls);
  if (!out) { out = ts.filter((t) => t.cls !== cls); m.set(cls, out); }
  return out;
}

/** Where the shipped templates are. */
export function templatesPath(): string {
  return path.join(projectRoot(), "lib", "data", "scalebar", "glyphs.bin");
}

/** The shipped templates (read once per process). Throws naming the file and the fix when it is missing. */
export function loadTemplates(): GlyphTemplate[] {
  if (cached) return cached;
  const p = templatesPath();
  if (!fs.existsSync(p)) throw new Error(`glyph templates: ${p} is missing (run scripts/build_glyph_templates.ts)`);
  cached = decodeTemplates(fs.readFileSync(p));
  return cached;
}
