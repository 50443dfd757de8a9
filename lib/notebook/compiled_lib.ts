import * as path from "path";
import { spawnSync } from "child_process";

/**
 * Notebooks import the compiled library (`./dist/lib/…`: JavaScript with declaration files, built by
 * `npm ci` / `npm run build`), not lib/'s TypeScript sources. Why: tslab type-checks and compiles every
 * local .ts file a cell imports, transitively, in the kernel: the first cell of a notebook took 10–17 s
 * that way and 3 s against the declarations (measured on notebook 06's imports, 2 cores) — most of
 * a cold `reproduce --profile ci`.
 *
 * Make sure dist/ is current before kernels start: when a lib/ source is newer than the last build
 * (scripts/dist_current.js, the rule bin/nanomorph uses), compile again (scripts/build_dist.js).
 * @returns why it was rebuilt, or null when it was current
 * @throws naming the build command when the compile fails (a notebook would import stale code)
 */
export function ensureCompiledLib(root: string, log: (line: string) => void): string | null {
  // Plain-JS helpers under scripts/: resolved from the project root, so this works from lib/ and dist/lib/.
  const { distStaleReason } = require(path.join(root, "scripts", "dist_current.js")) as { distStaleReason(root: string): string | null };
  const stale = distStaleReason(root);
  if (!stale) return null;
  log(`compiling lib/ to dist/ for the notebooks (${stale})`);
  const r = spawnSync(process.execPath, [path.join(root, "scripts", "build_dist.js")], { cwd: root, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`reproduce: compiling lib/ to dist/ failed (exit ${r.status ?? r.signal}); run \`npm run build\` to see why\n${(r.stderr || r.stdout || "").slice(-2000)}`);
  return stale;
}
