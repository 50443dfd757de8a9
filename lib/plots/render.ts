import * as fs from "fs";
import * as path from "path";
import type { Figure } from "./figure";

/**
 * Static rendering of Plotly figure specs (PNG/SVG) in headless Chromium driven by playwright-core.
 * plotly.js cannot run in Node (`require("plotly.js-dist-min")` throws `self is not defined`), so a
 * browser page loads plotly.min.js once and `Plotly.toImage` renders every figure. Loading the
 * 4.8 MB library is the expensive part (≈3–6 s on 2 cores); one `PlotlyRenderer` serves many figures.
 */

/** Candidate Chromium executables, in order. `NANOMORPH_CHROMIUM` (if set) is tried first. */
export const CHROMIUM_CANDIDATES: readonly string[] = [
  "/usr/lib/chromium/chromium",
  "/usr/bin/chromium",
  "/usr/bin/chromium-browser",
  "/usr/bin/google-chrome",
];

/**
 * Flags for a quiet, server-free headless Chromium. `--no-sandbox` because CI runs as root;
 * the rest stop background services (network probes, updates, crash reports) that slow start-up.
 */
export const CHROMIUM_FLAGS: readonly string[] = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-dev-shm-usage",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-default-apps",
  "--disable-extensions",
  "--disable-sync",
  "--no-first-run",
  "--mute-audio",
  "--hide-scrollbars",
];

/** The Chromium executable to use, or null when none is installed. */
export function findChromium(): string | null {
  const env = process.env.NANOMORPH_CHROMIUM;
  for (const c of env ? [env, ...CHROMIUM_CANDIDATES] : CHROMIUM_CANDIDATES) {
    try {
      fs.accessSync(c, fs.constants.X_OK);
      return c;
    } catch { /* try the next one */ }
  }
  return null;
}

/** Path of the browser build of plotly.js shipped by `plotly.js-dist-min`. */
export function plotlyJsPath(): string {
  return require.resolve("plotly.js-dist-min");
}

/** Size and format of one static image. */
export interface RenderOptions {
  /** "png" or "svg". */
  format: "png" | "svg";
  /** CSS pixels; default `layout.width` or 800. */
  width?: number;
  /** CSS pixels; default `layout.height` or 500. */
  height?: number;
  /** Device pixel ratio for PNG (the PNG is width*scale × height*scale). Default 1. */
  scale?: number;
}

/** Resolved image size for a figure (CSS pixels before scaling). */
export function figureSize(fig: Figure, opts: Pick<RenderOptions, "width" | "height"> = {}): { width: number; height: number } {
  const lw = typeof fig.layout?.width === "number" ? fig.layout.width : undefined;
  const lh = typeof fig.layout?.height === "number" ? fig.layout.height : undefined;
  return { width: Math.round(opts.width ?? lw ?? 800), height: Math.round(opts.height ?? lh ?? 500) };
}

// Minimal structural types for the parts of playwright-core we use (its own types are large and
// resolve through package exports, which tslab ignores).
interface PwPage {
  setContent(html: string): Promise<void>;
  addScriptTag(o: { path: string }): Promise<unknown>;
  evaluate<R, A>(f: (a: A) => R | Promise<R>, arg: A): Promise<R>;
}
interface PwBrowser {
  newPage(): Promise<PwPage>;
  close(): Promise<void>;
}
interface PwChromium {
  launch(o: { executablePath: string; headless: boolean; args: string[]; timeout?: number; handleSIGINT?: boolean; handleSIGTERM?: boolean; handleSIGHUP?: boolean }): Promise<PwBrowser>;
}

/**
 * One headless Chromium with plotly.js loaded, rendering figures to PNG/SVG on demand.
 * Start it with `PlotlyRenderer.launch()`; always `close()` it (the CLI does in `finally`).
 */
export class PlotlyRenderer {
  private constructor(private readonly browser: PwBrowser, private readonly page: PwPage) {}

  /**
   * Launch Chromium and load plotly.js into a blank page.
   * @throws when no Chromium is installed (message says how to install it) or it fails to start.
   */
  static async launch(executable: string | null = findChromium()): Promise<PlotlyRenderer> {
    if (!executable) {
      throw new Error(
        "PlotlyRenderer.launch: no Chromium found (looked at $NANOMORPH_CHROMIUM, " + CHROMIUM_CANDIDATES.join(", ") +
          "). Install it: `apt-get install --no-install-recommends chromium` (Debian/Ubuntu).",
      );
    }
    const { chromium } = require("playwright-core") as { chromium: PwChromium };
    const browser = await chromium.launch({
      executablePath: executable,
      headless: true,
      args: [...CHROMIUM_FLAGS],
      timeout: 60_000,
      // The owner decides when to close; never intercept the host process's signals (tslab kernels).
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
    });
    try {
      const page = await browser.newPage();
      await page.setContent("<!doctype html><html><body></body></html>");
      await page.addScriptTag({ path: plotlyJsPath() });
      const ok = await page.evaluate(() => typeof (globalThis as { Plotly?: unknown }).Plotly === "object", null);
      if (!ok) throw new Error("plotly.js did not define window.Plotly in the page");
      return new PlotlyRenderer(browser, page);
    } catch (e) {
      await browser.close().catch(() => undefined);
      throw new Error(`PlotlyRenderer.launch: ${(e as Error).message}`);
    }
  }

  /**
   * Render a figure. PNG comes back as bytes, SVG as UTF-8 bytes of the SVG document.
   * @throws naming the figure title when Plotly rejects the spec.
   */
  async render(fig: Figure, opts: RenderOptions): Promise<Buffer> {
    const { width, height } = figureSize(fig, opts);
    const scale = opts.scale ?? 1;
    const arg = { fig: JSON.parse(JSON.stringify(fig)) as Figure, format: opts.format, width, height, scale };
    let url: string;
    try {
      url = await this.page.evaluate(async (a) => {
        const P = (globalThis as unknown as { Plotly: { toImage(f: unknown, o: unknown): Promise<string> } }).Plotly;
        return P.toImage({ data: a.fig.data, layout: a.fig.layout, config: { staticPlot: true } }, {
          format: a.format, width: a.width, height: a.height, scale: a.scale,
        });
      }, arg);
    } catch (e) {
      const t = (fig.layout?.title as { text?: string } | undefined)?.text ?? "(untitled)";
      throw new Error(`PlotlyRenderer.render(${opts.format}) of figure '${t}': ${(e as Error).message.split("\n")[0]}`);
    }
    return decodeDataUrl(url);
  }

  /** Close the browser (idempotent). */
  async close(): Promise<void> {
    await this.browser.close().catch(() => undefined);
  }
}

/** Decode a `data:` URL (base64 or percent-encoded, as Plotly.toImage returns) to bytes. */
export function decodeDataUrl(url: string): Buffer {
  const comma = url.indexOf(",");
  if (!url.startsWith("data:") || comma < 0) throw new Error(`decodeDataUrl: not a data URL: '${url.slice(0, 40)}'`);
  const meta = url.slice(5, comma);
  const body = url.slice(comma + 1);
  return meta.endsWith(";base64") ? Buffer.from(body, "base64") : Buffer.from(decodeURIComponent(body), "utf8");
}

/** Output paths for a figure spec `figures/<name>.json`: `<name>.png` and `<name>.svg` beside it. */
export function outputsFor(specFile: string): { png: string; svg: string } {
  const base = specFile.replace(/\.json$/, "");
  return { png: `${base}.png`, svg: `${base}.svg` };
}

/** Every figure spec in a folder (sorted `*.json` files). */
export function listFigureSpecs(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).filter((f) => f.endsWith(".json")).sort().map((f) => path.join(dir, f));
}
