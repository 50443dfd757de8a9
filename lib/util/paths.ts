import * as fs from "fs";
import * as path from "path";

/** The nanomorph project root: the nearest ancestor of this file holding package.json named "nanomorph". */
export function projectRoot(): string {
  let dir = __dirname;
  for (;;) {
    const pj = path.join(dir, "package.json");
    if (fs.existsSync(pj)) {
      try {
        if (JSON.parse(fs.readFileSync(pj, "utf8")).name === "nanomorph") return dir;
      } catch { /* keep walking */ }
    }
    const up = path.dirname(dir);
    if (up === dir) throw new Error("projectRoot: no package.json named nanomorph above " + __dirname);
    dir = up;
  }
}

/** Cache for decoded datasets, features, encoders, grid results: $NANOMORPH_CACHE or <root>/.cache. */
export function cacheDir(...sub: string[]): string {
  const base = process.env.NANOMORPH_CACHE ?? path.join(projectRoot(), ".cache");
  return path.join(base, ...sub);
}

/** Where figures go: $NANOMORPH_FIGURES or <root>/figures. */
export function figuresDir(...sub: string[]): string {
  return path.join(process.env.NANOMORPH_FIGURES ?? path.join(projectRoot(), "figures"), ...sub);
}

/** Where run results (CSV/JSON tables) go: $NANOMORPH_RESULTS or <root>/results. */
export function resultsDir(...sub: string[]): string {
  return path.join(process.env.NANOMORPH_RESULTS ?? path.join(projectRoot(), "results"), ...sub);
}
