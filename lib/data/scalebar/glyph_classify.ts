/**
 * Classify one glyph by its nearest template (glyph_templates.ts): the class of the nearest template wins,
 * and the confidence is the margin to the nearest template of another meaning.
 */
import { featureDistance, positionDistance } from "./glyph_features";
import type { GlyphFeatures } from "./glyph_features";
import type { GlyphTemplate } from "./glyph_templates";

/** A glyph's reading. */
export interface GlyphReading {
  /** The winning class: one character ("0", "µ", "."), or a unit pair read as one touching glyph ("µm", "nm", …; see glyph_templates.ts). */
  char: string;
  /** Squared feature distance to the nearest template. */
  distance: number;
  /** Squared distance to the nearest template of another meaning. */
  runnerUp: number;
  /** The runner-up's class. */
  runnerUpChar: string;
  /** (runnerUp − distance) / (runnerUp + distance), 0…1: 0 = a tie, 1 = nothing else is near. */
  confidence: number;
}

/** Classes that mean the same in a label: "u" and the two micro signs are all µ; "." and "," both separate decimals. */
export function meaning(c: string): string {
  return c === "u" || c === "μ" ? "µ" : c === "," ? "." : c;
}

/**
 * Nearest-template reading of features `f` against `templates`. Only the two nearest meanings matter, so
 * a template whose position features alone are already farther than the second-nearest meaning is
 * skipped (same answer, a fraction of the work). Throws when `templates` is empty.
 */
export function classifyGlyph(f: GlyphFeatures, templates: GlyphTemplate[]): GlyphReading {
  if (templates.length === 0) throw new Error("classifyGlyph: no templates");
  // Best two meanings so far: (distance, class), a.d ≤ b.d, a and b of different meanings.
  let a = { d: Infinity, cls: "" }, b = { d: Infinity, cls: "" };
  for (const t of templates) {
    if (positionDistance(f, t.f) >= b.d) continue;
    const d = featureDistance(f, t.f, b.d);
    if (d >= b.d) continue;
    const m = meaning(t.cls);
    if (a.cls && meaning(a.cls) === m) { if (d < a.d) a = { d, cls: t.cls }; }
    else if (d < a.d) { b = a; a = { d, cls: t.cls }; }
    else if (b.cls && meaning(b.cls) === m) { if (d < b.d) b = { d, cls: t.cls }; }
    else b = { d, cls: t.cls };
  }
  return {
    char: a.cls, distance: a.d, runnerUp: b.d, runnerUpChar: b.cls,
    confidence: Number.isFinite(b.d) ? (b.d - a.d) / (b.d + a.d + 1e-9) : 1,
  };
}
