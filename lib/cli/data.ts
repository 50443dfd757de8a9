import * as path from "path";
import { UsageError } from "./args";
import { defineCommand, opt } from "./options";

const SUBCOMMANDS = ["list", "fetch", "verify", "lock", "inspect", "scalebar"] as const;

function humanBytes(n: number | null): string {
  if (n === null) return "size ?";
  const u = ["B", "kB", "MB", "GB", "TB"];
  let i = 0;
  let x = n;
  while (x >= 1000 && i < u.length - 1) { x /= 1000; i++; }
  return `${x.toFixed(i ? 1 : 0)} ${u[i]}`;
}

/** `nanomorph data`: list, fetch, lock and inspect external data (lib/data). */
export const command = defineCommand({
  name: "data",
  summary: "list, fetch (verified, resumable), lock and inspect the paper's external data; read scale bars",
  usage: `data list|fetch NAME|verify [NAME]|lock NAME [--manifest FILE] [--dest DIR] [--force]
       nanomorph data inspect DIR [--decode] [--json]
       nanomorph data scalebar FILE... [--json]`,
  description: `External data of the paper (data-manifest.json) and dataset checks.

list: entries with licence, size, checksum state and local status. fetch: download with progress (bytes, rate,
ETA), resume an interrupted download (HTTP Range), verify the checksum, unpack zip / tar.gz into a temp folder
and move it into place when complete; any failure exits non-zero naming the entry and the cause, with nothing
written at the destination. verify: re-hash fetched entries (all, or NAME) against what was recorded at fetch
time; exits 1 naming changed, missing or added files (restore with: data fetch NAME --force). lock: pin an
entry's sha256 in the manifest from the local download (or installed package).

inspect: classes, counts, formats, sizes, bit depths, the calibration (nm/px, x and y, and where it came from)
of each file, and problems of a dataset folder; exits 1 when it lists problems. scalebar: find the burnt-in
scale bar of each image, read its label (offline OCR) and print nm/px, confidence and the box to exclude; "no
scale bar found: …" when there is none (exit 1).`,
  positionals: true,
  options: {
    manifest: opt.string({ placeholder: "FILE", description: "the data manifest", defaultText: "data-manifest.json in the project root" }),
    dest: opt.string({ placeholder: "DIR", description: "destination root", defaultText: "the manifest's defaultDest (data/) in the project root" }),
    force: opt.flag("fetch again even when the entry is present"),
    decode: opt.flag("inspect: fully decode every image to find truncated files"),
    json: opt.flag("inspect, scalebar: print JSON"),
  },
}, async ({ values, positionals }) => {
  const [sub, arg] = positionals;
  if (!sub) throw new UsageError(`data needs a subcommand: ${SUBCOMMANDS.join(", ")}`);
  if (!(SUBCOMMANDS as readonly string[]).includes(sub)) throw new UsageError(`unknown data subcommand '${sub}' (${SUBCOMMANDS.join(", ")})`);
  if (sub === "inspect") {
    if (!arg) throw new UsageError("data inspect needs a folder");
    const { formatInspectReport, inspectDir } = await import("../data/inspect");
    const r = await inspectDir(path.resolve(arg), { decode: values.decode });
    console.log(values.json ? JSON.stringify(r, null, 2) : formatInspectReport(r));
    // Non-zero when anything is wrong, so scripts and CI can gate on it.
    return r.total > 0 && r.problems.length === 0 ? 0 : 1;
  }
  if (sub === "scalebar") {
    const files = positionals.slice(1);
    if (files.length === 0) throw new UsageError("data scalebar needs one or more image files");
    const { formatScaleBarReport, readScaleBars } = await import("../data/scalebar/report");
    const rows = await readScaleBars(files.map((f) => path.resolve(f)));
    console.log(values.json ? JSON.stringify(rows, null, 2) : formatScaleBarReport(rows));
    return rows.every((r) => r.result?.found === true) ? 0 : 1;
  }
  const { defaultManifestPath, entryStatus, loadManifest, lockEntry } = await import("../data/manifest");
  const { projectRoot } = await import("../util/paths");
  const file = path.resolve(values.manifest ?? defaultManifestPath());
  const m = loadManifest(file);
  const destRoot = path.resolve(values.dest ?? path.join(projectRoot(), m.defaultDest));
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
    const { fetchEntry, FetchError } = await import("../data/fetch");
    try {
      const r = await fetchEntry(m, arg, { destRoot, force: values.force });
      if (r.alreadyPresent) console.log(`${arg}: already present at ${r.dest} (check its files with: nanomorph data verify ${arg}; --force fetches again)`);
      else console.log(`${arg}: ${r.files} files, ${humanBytes(r.bytes)} in ${r.dest}${r.resumedFrom ? ` (resumed at ${humanBytes(r.resumedFrom)})` : ""}; sha256 ${r.sha256}${r.verified ? " (verified)" : " (not pinned: nanomorph data lock " + arg + ")"}`);
      return 0;
    } catch (e) {
      if (e instanceof FetchError) {
        console.error(`nanomorph data: ${e.message}`);
        return 1;
      }
      throw e;
    }
  }
  if (sub === "verify") {
    const { verifyEntry } = await import("../data/verify");
    const names = arg ? [arg] : m.entries.filter((e) => e.archive !== "package" && e.archive !== "manual" && !e.partOf).map((e) => e.name);
    let bad = 0;
    for (const n of names) {
      const r = verifyEntry(m, n, destRoot);
      if (r.state === "changed" || (arg && r.state !== "ok")) bad++;
      if (arg || r.state !== "absent") console.log(`${n.padEnd(20)} ${r.state.padEnd(12)} ${r.detail}`);
    }
    return bad ? 1 : 0;
  }
  if (!arg) throw new UsageError("data lock needs an entry NAME");
  const c = lockEntry(file, arg, destRoot);
  console.log(`${arg}: pinned ${c.algorithm} ${c.value} in ${file}`);
  return 0;
});
