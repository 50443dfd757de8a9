import * as path from "path";
import type { Command } from "./args";
import { parse, UsageError } from "./args";
import { defaultManifestPath, entryStatus, loadManifest, lockEntry } from "../data/manifest";
import { fetchEntry, FetchError } from "../data/fetch";
import { formatInspectReport, inspectDir } from "../data/inspect";
import { verifyEntry } from "../data/verify";
import { projectRoot } from "../util/paths";
import { formatScaleBarReport, readScaleBars } from "../data/scalebar/report";

const HELP = `usage: nanomorph data list [--manifest FILE] [--dest DIR]
       nanomorph data fetch NAME [--manifest FILE] [--dest DIR] [--force]
       nanomorph data lock NAME [--manifest FILE] [--dest DIR]
       nanomorph data verify [NAME] [--manifest FILE] [--dest DIR]
       nanomorph data inspect DIR [--decode] [--json]
       nanomorph data scalebar FILE... [--json]

External data of the paper (data-manifest.json) and dataset checks.
  list     entries with licence, size, checksum state and local status
  fetch    download with progress (bytes, rate, ETA), resume an interrupted download (HTTP Range),
           verify the checksum, unpack zip / tar.gz into a temp folder and move it into place when complete;
           any failure exits non-zero naming the entry and the cause, with nothing written at the destination
  verify   re-hash fetched entries (all, or NAME) against what was recorded at fetch time; exits 1
           naming changed, missing or added files (restore with: data fetch NAME --force)
  lock     pin an entry's sha256 in the manifest from the local download (or installed package)
  inspect  classes, counts, formats, sizes, bit depths, the calibration (nm/px, x and y, and what the
           file states) found in each file's metadata, and problems of a dataset folder
           (--decode: fully decode every image to find truncated files); exits 1 when it lists problems
  scalebar find the burnt-in scale bar of each image, read its label (offline OCR) and print nm/px,
           confidence and the box to exclude; "no scale bar found: …" when there is none (exit 1)
  --manifest FILE   default: data-manifest.json in the project root
  --dest DIR        destination root; default: the manifest's defaultDest (data/) in the project root`;

function humanBytes(n: number | null): string {
  if (n === null) return "size ?";
  const u = ["B", "kB", "MB", "GB", "TB"];
  let i = 0;
  let x = n;
  while (x >= 1000 && i < u.length - 1) { x /= 1000; i++; }
  return `${x.toFixed(i ? 1 : 0)} ${u[i]}`;
}

/** `nanomorph data`: list, fetch, lock and inspect external data. */
export const command: Command = {
  name: "data",
  summary: "list, fetch (verified, resumable), lock and inspect the paper's external data; read scale bars",
  help: HELP,
  async run(argv: string[]): Promise<number> {
    const { values, positionals } = parse(argv, {
      manifest: { type: "string" }, dest: { type: "string" }, force: { type: "boolean" }, decode: { type: "boolean" }, json: { type: "boolean" },
    }, true);
    const [sub, arg] = positionals;
    if (!sub) throw new UsageError(`data needs a subcommand: list, fetch NAME, lock NAME, inspect DIR, scalebar FILE...\n\n${HELP}`);
    if (sub === "inspect") {
      if (!arg) throw new UsageError("data inspect needs a folder");
      const r = await inspectDir(path.resolve(arg), { decode: values.decode === true });
      console.log(values.json ? JSON.stringify(r, null, 2) : formatInspectReport(r));
      // Non-zero when anything is wrong, so scripts and CI can gate on it.
      return r.total > 0 && r.problems.length === 0 ? 0 : 1;
    }
    if (sub === "scalebar") {
      const files = positionals.slice(1);
      if (files.length === 0) throw new UsageError("data scalebar needs one or more image files");
      const rows = await readScaleBars(files.map((f) => path.resolve(f)));
      console.log(values.json ? JSON.stringify(rows, null, 2) : formatScaleBarReport(rows));
      return rows.every((r) => r.result?.found === true) ? 0 : 1;
    }
    const file = path.resolve((values.manifest as string | undefined) ?? defaultManifestPath());
    const m = loadManifest(file);
    const destRoot = path.resolve((values.dest as string | undefined) ?? path.join(projectRoot(), m.defaultDest));
    if (sub === "list") {
      for (const e of m.entries) {
        const st = entryStatus(m, e, destRoot);
        const sum = e.checksum ? `${e.checksum.algorithm} pinned` : "checksum not pinned";
        console.log(`${e.name.padEnd(20)} ${st.state.padEnd(16)} ${e.archive.padEnd(8)} ${humanBytes(e.size).padEnd(9)} ${sum}`);
        console.log(`${"".padEnd(20)} ${e.description}`);
        console.log(`${"".padEnd(20)} ${e.doi ? `doi:${e.doi}  ` : ""}licence: ${e.licence}`);
        console.log(`${"".padEnd(20)} ${st.where}: ${st.detail}`);
      }
      return 0;
    }
    if (sub === "fetch") {
      if (!arg) throw new UsageError("data fetch needs an entry NAME (see nanomorph data list)");
      try {
        const r = await fetchEntry(m, arg, { destRoot, force: values.force === true });
        if (r.alreadyPresent) console.log(`${arg}: already present at ${r.dest} (check its files with: nanomorph data verify ${arg}; --force fetches again)`);
        else console.log(`${arg}: ${r.files} files, ${humanBytes(r.bytes)} in ${r.dest}${r.resumedFrom ? ` (resumed at ${humanBytes(r.resumedFrom)})` : ""}; sha256 ${r.sha256}${r.verified ? " (verified)" : " (not pinned: nanomorph data lock " + arg + ")"}`);
        return 0;
      } catch (e) {
        if (e instanceof FetchError) {
          console.error(`nanomorph: ${e.message}`);
          return 1;
        }
        throw e;
      }
    }
    if (sub === "verify") {
      const names = arg ? [arg] : m.entries.filter((e) => e.archive !== "package" && e.archive !== "manual" && !e.partOf).map((e) => e.name);
      let bad = 0;
      for (const n of names) {
        const r = verifyEntry(m, n, destRoot);
        if (r.state === "changed" || (arg && r.state !== "ok")) bad++;
        if (arg || r.state !== "absent") console.log(`${n.padEnd(20)} ${r.state.padEnd(12)} ${r.detail}`);
      }
      return bad ? 1 : 0;
    }
    if (sub === "lock") {
      if (!arg) throw new UsageError("data lock needs an entry NAME");
      const c = lockEntry(file, arg, destRoot);
      console.log(`${arg}: pinned ${c.algorithm} ${c.value} in ${file}`);
      return 0;
    }
    throw new UsageError(`unknown data subcommand '${sub}' (list, fetch, verify, lock, inspect, scalebar)`);
  },
};
