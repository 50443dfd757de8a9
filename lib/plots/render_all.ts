import * as fs from "fs";
import { readJson, writeFileAtomic } from "../util/fsx";
import type { Figure } from "./figure";
import { PlotlyRenderer, findChromium, listFigureSpecs, outputsFor } from "./render";

/** Options of `renderFigureFiles`. Defaults: PNG scale 2, skip up-to-date outputs. */
export interface RenderFilesOptions {
  /** Device pixel ratio of the PNGs (PNG = width*scale × height*scale). Default 2. */
  scale?: number;
  /** Re-render even when both outputs are newer than the spec. Default false. */
  force?: boolean;
  /** Progress lines (one per figure). Default: none. */
  log?: (line: string) => void;
  /** Chromium executable. Default `findChromium()`. */
  chromium?: string | null;
}

/** What happened to one spec. */
export interface RenderedFigure {
  spec: string;
  png: string;
  svg: string;
  /** "rendered", "up-to-date", "skipped" (JSON that is not a figure) or "failed". */
  status: "rendered" | "up-to-date" | "skipped" | "failed";
  error?: string;
  ms: number;
}

function isFigureFile(spec: string): boolean {
  try {
    const fig = readJson<Figure>(spec);
    return !!fig && typeof fig === "object" && Array.isArray(fig.data);
  } catch {
    return true; // unreadable JSON: let the render loop report it as failed
  }
}

function upToDate(spec: string, outs: string[]): boolean {
  const t = fs.statSync(spec).mtimeMs;
  return outs.every((o) => fs.existsSync(o) && fs.statSync(o).mtimeMs >= t);
}

/**
 * Render figure spec files (`figures/<name>.json`, a `Figure`) to `<name>.png` and `<name>.svg`
 * beside them, written atomically, with one Chromium for all. A spec that fails is reported in its
 * entry (the others still render). Launches no browser when everything is up to date.
 * @throws when a figure needs rendering and no Chromium is found (with the install command).
 */
export async function renderFigureFiles(specs: string[], opts: RenderFilesOptions = {}): Promise<RenderedFigure[]> {
  const out: RenderedFigure[] = [];
  const todo: string[] = [];
  for (const spec of specs) {
    const { png, svg } = outputsFor(spec);
    if (!isFigureFile(spec)) out.push({ spec, png, svg, status: "skipped", error: `${spec}: not a figure spec (no data array)`, ms: 0 });
    else if (!opts.force && upToDate(spec, [png, svg])) out.push({ spec, png, svg, status: "up-to-date", ms: 0 });
    else todo.push(spec);
  }
  if (todo.length === 0) return out;
  const renderer = await PlotlyRenderer.launch(opts.chromium === undefined ? findChromium() : opts.chromium);
  try {
    for (const spec of todo) {
      const { png, svg } = outputsFor(spec);
      const t0 = Date.now();
      try {
        const fig = readJson<Figure>(spec);
        writeFileAtomic(png, await renderer.render(fig, { format: "png", scale: opts.scale ?? 2 }));
        writeFileAtomic(svg, await renderer.render(fig, { format: "svg" }));
        out.push({ spec, png, svg, status: "rendered", ms: Date.now() - t0 });
        opts.log?.(`rendered ${spec} -> .png .svg (${Date.now() - t0} ms)`);
      } catch (e) {
        out.push({ spec, png, svg, status: "failed", error: `${spec}: ${(e as Error).message}`, ms: Date.now() - t0 });
        opts.log?.(`FAILED ${spec}: ${(e as Error).message}`);
      }
    }
  } finally {
    await renderer.close();
  }
  return out;
}

/** Render every `*.json` spec in a folder (see `renderFigureFiles`). */
export async function renderFigureDir(dir: string, opts: RenderFilesOptions = {}): Promise<RenderedFigure[]> {
  return renderFigureFiles(listFigureSpecs(dir), opts);
}
