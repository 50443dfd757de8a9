import type { Figure } from "./figure";
import { writeJsonAtomic } from "../util/fsx";
import { figuresDir } from "../util/paths";

/**
 * Display a figure inline in a tslab notebook and save its spec as figures/<name>.json
 * (rendered to SVG/PNG later by `npm run figures`). Outside a notebook only the spec is saved.
 * Minimal version; the plots work extends it to the full mime bundle.
 */
export function show(fig: Figure, name?: string): void {
  if (name) writeJsonAtomic(figuresDir(`${name}.json`), fig);
  let tslab: { display: { raw(mime: string, obj: unknown): void } } | null = null;
  try { tslab = require("tslab"); } catch { tslab = null; }
  try { tslab?.display.raw("application/vnd.plotly.v1+json", fig); } catch { /* not in a kernel */ }
}
