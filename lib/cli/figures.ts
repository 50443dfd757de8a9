import * as path from "path";
import { defineCommand, opt } from "./options";
import { figuresDir } from "../util/paths";

/** `nanomorph figures`: render figures/*.json to PNG + SVG. */
export const command = defineCommand({
  name: "figures",
  summary: "render figures/*.json to PNG and SVG with headless Chromium",
  usage: "figures [--force] [--scale N] [--dir DIR] [NAME...]",
  description: `Render the figure specs that notebooks save (figures/<name>.json) to figures/<name>.png and
figures/<name>.svg with headless Chromium (Debian: /usr/lib/chromium/chromium; NANOMORPH_CHROMIUM overrides)
through playwright-core. Outputs newer than their spec are kept unless --force. NAME...: only these figures
(file names with or without .json).

Exit code: 0 all rendered, 1 a figure failed or Chromium is missing.`,
  positionals: true,
  options: {
    force: opt.flag("re-render everything"),
    scale: opt.number({ description: "PNG pixel ratio (PNG = layout size × N)", min: 0.25, max: 8, default: 2 }),
    dir: opt.string({ placeholder: "DIR", description: "figure folder", defaultText: "$NANOMORPH_FIGURES or <root>/figures" }),
  },
}, async ({ values: v, positionals }) => {
  const { listFigureSpecs, findChromium } = await import("../plots/render");
  const { renderFigureFiles } = await import("../plots/render_all");
  const dir = v.dir !== undefined ? path.resolve(v.dir) : figuresDir();
  let specs = listFigureSpecs(dir);
  if (positionals.length) {
    const want = new Set(positionals.map((n) => path.basename(n).replace(/\.json$/, "")));
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
  const res = await renderFigureFiles(specs, { force: v.force, scale: v.scale, log: (l) => console.log(l) });
  const count = (s: string) => res.filter((r) => r.status === s).length;
  console.log(`nanomorph figures: ${count("rendered")} rendered, ${count("up-to-date")} up to date, ${count("skipped")} not figures, ${count("failed")} failed in ${((Date.now() - t0) / 1000).toFixed(1)} s (${dir})`);
  return count("failed") ? 1 : 0;
});
