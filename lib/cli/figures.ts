import * as path from "path";
import type { Command } from "./args";
import { parse, numberArg } from "./args";
import { figuresDir } from "../util/paths";
import { listFigureSpecs, findChromium } from "../plots/render";
import { renderFigureFiles } from "../plots/render_all";

const HELP = `usage: nanomorph figures [--force] [--scale N] [--dir DIR] [NAME...]

Render the figure specs that notebooks save (figures/<name>.json) to figures/<name>.png and
figures/<name>.svg with headless Chromium (Debian: /usr/lib/chromium/chromium; NANOMORPH_CHROMIUM
overrides) through playwright-core. Outputs newer than their spec are kept unless --force.

options:
  --force      re-render everything
  --scale N    PNG pixel ratio (PNG = layout size × N; default 2)
  --dir DIR    figure folder (default: $NANOMORPH_FIGURES or <root>/figures)
  NAME...      only these figures (file names with or without .json)

exit code: 0 all rendered, 1 a figure failed or Chromium is missing.`;

/** `nanomorph figures`: render figures/*.json to PNG + SVG. */
export const command: Command = {
  name: "figures",
  summary: "render figures/*.json to PNG and SVG with headless Chromium",
  help: HELP,
  async run(argv: string[]): Promise<number> {
    const a = parse(argv, { force: { type: "boolean" }, scale: { type: "string" }, dir: { type: "string" } }, true);
    const dir = typeof a.values.dir === "string" ? path.resolve(a.values.dir) : figuresDir();
    let specs = listFigureSpecs(dir);
    if (a.positionals.length) {
      const want = new Set(a.positionals.map((n) => path.basename(n).replace(/\.json$/, "")));
      const missing = [...want].filter((w) => !specs.some((s) => path.basename(s, ".json") === w));
      if (missing.length) {
        console.error(`nanomorph figures: no spec ${missing.map((m) => `${m}.json`).join(", ")} in ${dir}`);
        return 1;
      }
      specs = specs.filter((s) => want.has(path.basename(s, ".json")));
    }
    if (specs.length === 0) {
      console.log(`nanomorph figures: no figure specs in ${dir} (notebooks write them with show(fig, name))`);
      return 0;
    }
    if (!findChromium()) {
      console.error("nanomorph figures: Chromium not found. Install it: apt-get install --no-install-recommends chromium (or set NANOMORPH_CHROMIUM)");
      return 1;
    }
    const t0 = Date.now();
    const res = await renderFigureFiles(specs, { force: !!a.values.force, scale: numberArg("scale", a.values.scale as string | undefined, 2), log: (l) => console.log(l) });
    const count = (s: string) => res.filter((r) => r.status === s).length;
    console.log(`nanomorph figures: ${count("rendered")} rendered, ${count("up-to-date")} up to date, ${count("skipped")} not figures, ${count("failed")} failed in ${((Date.now() - t0) / 1000).toFixed(1)} s (${dir})`);
    return count("failed") ? 1 : 0;
  },
};
