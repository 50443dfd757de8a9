import * as fs from "fs";
import type { Figure } from "./figure";
import { writeFileAtomic } from "../util/fsx";
import { figuresDir } from "../util/paths";
import { contentHash } from "../util/hash";
import { figureSize, plotlyJsPath } from "./render";
import { SyncPngRenderer } from "./sync_render";

/** The mimetype JupyterLab / VS Code render natively as an interactive Plotly figure. */
export const PLOTLY_MIME = "application/vnd.plotly.v1+json";

/** A Jupyter mime bundle: mimetype → data (strings, base64 strings, or JSON for `PLOTLY_MIME`). */
export type MimeBundle = Record<string, unknown>;

/** Options of `mimeBundle`. */
export interface BundleOptions {
  /** Inline the whole plotly.js (≈4.8 MB) in the HTML; done once per kernel session by `show`. */
  includePlotlyJs: boolean;
  /** Static PNG fallback (bytes), or undefined for none. */
  png?: Uint8Array;
  /** Unique DOM id of the plot's div. */
  divId: string;
  /** Figure name (figures/<name>.json), shown in text/plain. */
  name?: string;
}

/** Escape text for an inline <script>: no `</script` or `<!--` may appear verbatim. */
export function scriptSafe(js: string): string {
  return js.replace(/<(\/script|!--)/gi, "<\\$1");
}

/** One line describing a figure (its title, trace count and types), for text/plain. */
export function describeFigure(fig: Figure, name?: string): string {
  const title = (fig.layout?.title as { text?: string } | undefined)?.text;
  const types = [...new Set(fig.data.map((d) => (d as { type?: string }).type ?? "scatter"))];
  return `<Figure${name ? ` ${name}` : ""}${title ? `: "${title}"` : ""} — ${fig.data.length} trace(s): ${types.join(", ")}>`;
}

/**
 * The `text/html` of a figure: a div plus a script that draws it with `window.Plotly` once that is
 * defined (polling for up to 20 s, since the figure that inlined plotly.js may render just before).
 * With `includePlotlyJs` the library itself comes first in its own script tag (its UMD wrapper sets
 * `window.Plotly` and has no AMD branch, so require.js in classic Jupyter does not hide it).
 */
export function figureHtml(fig: Figure, divId: string, includePlotlyJs: boolean): string {
  const { height } = figureSize(fig);
  const spec = scriptSafe(JSON.stringify({ data: fig.data, layout: fig.layout }));
  const lib = includePlotlyJs ? `<script type="text/javascript">${scriptSafe(fs.readFileSync(plotlyJsPath(), "utf8"))}</script>\n` : "";
  const draw =
    `(function(){var fig=${spec};var el=document.getElementById(${JSON.stringify(divId)});` +
    `function draw(){window.Plotly.newPlot(el,fig.data,fig.layout,{responsive:true,displaylogo:false});}` +
    `if(window.Plotly){draw();return;}var n=0;var t=setInterval(function(){` +
    `if(window.Plotly){clearInterval(t);draw();}else if(++n>200){clearInterval(t);` +
    `el.textContent="plotly.js is not loaded: run this notebook's first figure cell (it inlines plotly.js), or trust the notebook.";}},100);})();`;
  return `${lib}<div id="${divId}" class="nanomorph-plot" style="width:100%;height:${height}px;"></div>\n<script type="text/javascript">${draw}</script>`;
}

/** Build the display bundle for a figure: Plotly JSON, HTML, optional PNG, text. Pure. */
export function mimeBundle(fig: Figure, opts: BundleOptions): MimeBundle {
  const bundle: MimeBundle = {
    [PLOTLY_MIME]: { data: fig.data, layout: fig.layout },
    "text/html": figureHtml(fig, opts.divId, opts.includePlotlyJs),
    "text/plain": describeFigure(fig, opts.name),
  };
  if (opts.png) bundle["image/png"] = Buffer.from(opts.png).toString("base64");
  return bundle;
}

/**
 * A JSON-safe copy of a figure: typed arrays (Float32Array …) become plain arrays (JSON.stringify
 * would turn them into {"0": …} objects), non-finite numbers become null (Plotly's gap value).
 */
export function plainFigure(fig: Figure): Figure {
  const conv = (v: unknown): unknown => {
    if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return Array.from(v as unknown as ArrayLike<number>, (x) => (Number.isFinite(x) ? x : null));
    if (Array.isArray(v)) return v.map(conv);
    if (typeof v === "number") return Number.isFinite(v) ? v : null;
    if (v && typeof v === "object") {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = conv(x);
      return out;
    }
    return v;
  };
  return conv(fig) as Figure;
}

/** Per-process state of the inline display (kept on globalThis so a second module copy shares it). */
interface KernelPlotState {
  plotlyInlined: boolean;
  count: number;
  renderer: SyncPngRenderer | null;
  pngError: string | null;
}
function state(): KernelPlotState {
  const g = globalThis as { __nanomorphPlots?: KernelPlotState };
  g.__nanomorphPlots ??= { plotlyInlined: false, count: 0, renderer: null, pngError: null };
  return g.__nanomorphPlots;
}

type WriteDisplayData = (msg: { data: MimeBundle; metadata: Record<string, unknown>; transient: Record<string, unknown> }, update: boolean) => void;

/**
 * tslab's display writer for the running cell, or null outside a tslab kernel. Looks only in the
 * module cache (never loads tslab, which would pull in zeromq in a plain CLI process).
 */
export function kernelDisplayWriter(): WriteDisplayData | null {
  let file: string;
  try {
    file = require.resolve("tslab/dist/jupyter");
  } catch {
    return null;
  }
  const mod = require.cache[file]?.exports as { lastWriteDisplayData?: WriteDisplayData | null } | undefined;
  return mod?.lastWriteDisplayData ?? null;
}

/** Whether `show` adds a PNG: env `NANOMORPH_INLINE_PNG` = 1/true/on (reproduce sets it to 1 by default). */
export function inlinePngEnabled(): boolean {
  return /^(1|true|on|yes)$/i.test(process.env.NANOMORPH_INLINE_PNG ?? "0");
}

/** Start the PNG renderer early (in a worker; non-blocking) when running in a kernel with PNG on. */
export function warmInlinePng(): void {
  const s = state();
  if (!s.renderer && !s.pngError && inlinePngEnabled() && kernelDisplayWriter()) {
    try {
      s.renderer = new SyncPngRenderer();
    } catch (e) {
      s.pngError = (e as Error).message;
    }
  }
}

/** Write a figure spec, leaving the file untouched when its content is the same (its renders stay up to date). */
function saveSpec(file: string, fig: Figure): void {
  const text = JSON.stringify(fig, null, 2) + "\n";
  try {
    if (fs.readFileSync(file, "utf8") === text) return;
  } catch { /* absent or unreadable: write it */ }
  writeFileAtomic(file, text);
}

/**
 * Display a figure inline in a tslab notebook as ONE display_data bundle (`application/vnd.plotly.v1+json`,
 * `text/html` that needs no server, `image/png` when `NANOMORPH_INLINE_PNG` is on and Chromium is
 * present, `text/plain`), and save its spec as `figures/<name>.json` (rendered to SVG/PNG later by
 * `npm run figures`). Outside a notebook only the spec is saved. Blocks while the PNG renders
 * (≈5 s for the first figure of a kernel, ≈0.1 s later). A failed PNG is reported once on stderr and
 * the bundle goes out without it.
 * @param name file-safe figure name, conventionally "NN-short-name"; throws on other characters.
 */
export function show(fig: Figure, name?: string): void {
  if (name !== undefined && !/^[A-Za-z0-9._-]+$/.test(name)) throw new Error(`show: figure name '${name}' must match [A-Za-z0-9._-]+`);
  if (!fig || !Array.isArray(fig.data)) throw new Error(`show(${name ?? ""}): not a Figure (expected {data: [], layout: {}})`);
  fig = plainFigure(fig);
  if (name) saveSpec(figuresDir(`${name}.json`), fig);
  const write = kernelDisplayWriter();
  if (!write) return;
  const s = state();
  let png: Buffer | undefined;
  if (inlinePngEnabled() && !s.pngError) {
    try {
      warmInlinePng();
      png = s.renderer?.renderPng(fig);
    } catch (e) {
      s.pngError = (e as Error).message;
      process.stderr.write(`show: no inline PNG (${s.pngError}); later figures skip it too\n`);
    }
  }
  const divId = `nanomorph-${contentHash({ name: name ?? "", n: s.count++, fig }, 10)}`;
  const bundle = mimeBundle(fig, { includePlotlyJs: !s.plotlyInlined, png, divId, name });
  const { width, height } = figureSize(fig);
  write({ data: bundle, metadata: png ? { "image/png": { width, height } } : {}, transient: {} }, false);
  s.plotlyInlined = true;
}
