/**
 * Notebook-level cache of `reproduce`: a notebook is executed again only when something it may depend
 * on changed. Its key hashes the project's code and settings (lib/, configs/, data-manifest.json,
 * package-lock.json, the Node version, which tfjs node packages are installed), the notebook itself,
 * the profile and every NANOMORPH_* setting, listings of the real-data folders notebooks read when
 * present, and the previous notebook's key: later notebooks read what earlier ones wrote (03 probes
 * the encoders 02 pretrained), so a re-run of one re-runs those after it.
 *
 * After a passing run the runner writes a record beside the executed copy: the key and every file the
 * run wrote under figures/ and results/ (size, mtime, sha256). A later run with the same key whose
 * executed copy and recorded files are all still there and unchanged reuses the run without starting
 * a kernel; otherwise it says what changed and executes the notebook.
 */
import * as fs from "fs";
import * as path from "path";
import * as crypto from "crypto";
import { readJson, writeJsonAtomic } from "../util/fsx";
import { contentHash } from "../util/hash";
import { externalDataLocations } from "../data/external";
import { resultVariables } from "../config/env";

/** Record format version; bump when what goes into a key changes meaning (2: parameters). */
const RECORD_VERSION = 2;

/** The NANOMORPH_* variables that can change a notebook's results (lib/config/env.ts): part of the key. */
const RESULT_VARS = new Set(resultVariables());

/** Size, modification time and content digest of a file. */
export interface FileStamp {
  size: number;
  mtimeMs: number;
  sha256: string;
}

/** What a passing notebook run left behind, written next to its executed copy. */
export interface RunRecord {
  version: number;
  /** Notebook file name, e.g. "03-label-sweep.ipynb". */
  notebook: string;
  key: string;
  /** The hashed inputs by name (to say which changed). */
  parts: Record<string, string>;
  ranAt: string;
  wallSec: number;
  cells: { number: number; seconds: number; status?: string; peakMb?: number | null }[];
  /** Parameter values injected into the run ({} = the notebook's defaults). */
  parameters?: Record<string, unknown>;
  /** The executed copy with outputs. */
  executed: FileStamp;
  /** Absolute path → stamp of every file the run wrote (figure specs, tables, checkpoints, summaries). */
  outputs: Record<string, FileStamp>;
}

/** Settings of a reproduce run that reach every notebook. */
export interface RunSettings {
  profile: string;
  inlinePng: boolean;
  /** The environment the kernels get. */
  env: NodeJS.ProcessEnv;
}

/** A notebook's cache key with the named parts it hashes. */
export interface NotebookKey {
  key: string;
  parts: Record<string, string>;
}

function sortedEntries(dir: string): fs.Dirent[] {
  return fs.readdirSync(dir, { withFileTypes: true })
    .filter((e) => !e.name.startsWith(".") && e.name !== "__pycache__" && e.name !== "node_modules")
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Files under `dir` (recursively, following the top-level symlink), sorted, hidden ones skipped. */
function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of sortedEntries(d)) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) out.push(p);
    }
  };
  if (fs.existsSync(dir) && fs.statSync(dir).isDirectory()) walk(dir);
  return out;
}

/** sha256 over relative paths and contents of a file or folder; "absent" when missing. */
export function contentDigest(target: string): string {
  if (!fs.existsSync(target)) return "absent";
  const h = crypto.createHash("sha256");
  if (fs.statSync(target).isFile()) return h.update(fs.readFileSync(target)).digest("hex");
  for (const f of filesUnder(target)) {
    h.update(`${path.relative(target, f)}\0`);
    h.update(fs.readFileSync(f));
    h.update("\0");
  }
  return h.digest("hex");
}

/** sha256 over relative paths, sizes and mtimes (no contents: real data sets may be large); "absent" when missing. */
export function listingDigest(target: string): string {
  if (!fs.existsSync(target)) return "absent";
  const st = fs.statSync(target);
  if (st.isFile()) return contentHash(`${st.size}:${Math.round(st.mtimeMs)}`, 64);
  return contentHash(filesUnder(target).map((f) => {
    const s = fs.statSync(f);
    return `${path.relative(target, f)}\t${s.size}\t${Math.round(s.mtimeMs)}`;
  }), 64);
}

/** Name → version of the optional tfjs node packages that are installed (they change the backend). */
function nodeBackendPackages(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of ["@tensorflow/tfjs-node-gpu", "@tensorflow/tfjs-node"]) {
    const pj = path.join(root, "node_modules", p, "package.json");
    if (!fs.existsSync(pj)) { out[p] = "absent"; continue; }
    const meta = readJson<{ name: string; version: string }>(pj);
    out[p] = `${meta.name}@${meta.version}`;
  }
  return out;
}

/** The inputs every notebook shares, hashed by name. */
export function projectParts(root: string, settings: RunSettings): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(settings.env)) {
    if (RESULT_VARS.has(k) && v !== undefined) env[k] = v;
  }
  const data: Record<string, string> = {};
  for (const [name, dir] of Object.entries(externalDataLocations(settings.env, root))) data[name] = `${dir}:${listingDigest(dir)}`;
  return {
    lib: contentDigest(path.join(root, "lib")),
    configs: contentDigest(path.join(root, "configs")),
    manifest: contentDigest(path.join(root, "data-manifest.json")),
    lockfile: contentDigest(path.join(root, "package-lock.json")),
    runtime: contentHash({ node: process.version, platform: process.platform, arch: process.arch, packages: nodeBackendPackages(root) }, 64),
    settings: contentHash({ profile: settings.profile, inlinePng: settings.inlinePng, env }, 64),
    data: contentHash(data, 64),
    record: String(RECORD_VERSION),
  };
}

/**
 * Keys of `notebooks` (all of the project's, in run order), chained: each includes the previous
 * notebook's key. `parametersOf(nb)` gives the values injected into a notebook's parameters cell
 * (default none): they are a part of its key (`parameters`), so a run with other values is not reused.
 */
export function notebookKeys(root: string, notebooks: string[], settings: RunSettings, parametersOf: (nb: string) => Record<string, unknown> = () => ({})): Map<string, NotebookKey> {
  const shared = projectParts(root, settings);
  const out = new Map<string, NotebookKey>();
  let previous = "none";
  for (const nb of notebooks) {
    const parts = { ...shared, notebook: contentDigest(nb), parameters: contentHash(parametersOf(nb), 64), previous };
    const key = contentHash(parts, 32);
    out.set(nb, { key, parts });
    previous = key;
  }
  return out;
}

/** Where the record of the executed copy `output` lives: `<output without .ipynb>.run.json`. */
export function recordPath(output: string): string {
  return output.replace(/\.ipynb$/, "") + ".run.json";
}

/** Stamp of an existing file. */
export function stampFile(file: string): FileStamp {
  const st = fs.statSync(file);
  return { size: st.size, mtimeMs: st.mtimeMs, sha256: contentDigest(file) };
}

/** Why `file` no longer matches `stamp`, or null when it does (same size and mtime, or same content). */
function stampMismatch(file: string, stamp: FileStamp): string | null {
  if (!fs.existsSync(file)) return "missing";
  const st = fs.statSync(file);
  if (st.size !== stamp.size) return "changed";
  if (Math.abs(st.mtimeMs - stamp.mtimeMs) < 1) return null; // mtimes round-trip through JSON only to ~1 µs
  return contentDigest(file) === stamp.sha256 ? null : "changed";
}

/** The record of `output`, or null when there is none or it cannot be read. */
export function readRecord(output: string): RunRecord | null {
  const file = recordPath(output);
  if (!fs.existsSync(file)) return null;
  try {
    const r = readJson<RunRecord>(file);
    return r && r.version === RECORD_VERSION && typeof r.key === "string" ? r : null;
  } catch {
    return null;
  }
}

/** Result of checking a record: reusable, or why not. */
export type ReuseCheck = { reuse: true; record: RunRecord } | { reuse: false; reason: string };

/**
 * Whether the executed copy `output` can be reused for a run with key `k`: the record exists, has the
 * same key, and the executed copy and every recorded output are unchanged. The reason names what
 * differs (changed input parts, or the first missing/changed file).
 */
export function checkReuse(output: string, k: NotebookKey, root: string): ReuseCheck {
  const r = readRecord(output);
  if (!r) return { reuse: false, reason: "no earlier run recorded" };
  if (r.key !== k.key) {
    const changed = Object.keys({ ...k.parts, ...r.parts }).filter((p) => k.parts[p] !== r.parts[p]);
    const names = changed.map((p) => (p === "previous" ? "an earlier notebook re-ran" : p));
    return { reuse: false, reason: `inputs changed: ${names.join(", ")}` };
  }
  const e = stampMismatch(output, r.executed);
  if (e) return { reuse: false, reason: `executed copy ${e}` };
  for (const [file, stamp] of Object.entries(r.outputs)) {
    const m = stampMismatch(file, stamp);
    if (m) return { reuse: false, reason: `output ${path.relative(root, file) || file} ${m}` };
  }
  return { reuse: true, record: r };
}

/** Path → size and mtime of every file under `dirs`. */
export type Snapshot = Map<string, { size: number; mtimeMs: number }>;

/** Snapshot the files under `dirs` (missing folders are empty). */
export function snapshot(dirs: string[]): Snapshot {
  const out: Snapshot = new Map();
  for (const d of dirs) {
    for (const f of filesUnder(d)) {
      const st = fs.statSync(f);
      out.set(f, { size: st.size, mtimeMs: st.mtimeMs });
    }
  }
  return out;
}

/** Files that are new or changed in `after` compared with `before`. */
export function writtenBetween(before: Snapshot, after: Snapshot): string[] {
  const out: string[] = [];
  for (const [f, s] of after) {
    const b = before.get(f);
    if (!b || b.size !== s.size || b.mtimeMs !== s.mtimeMs) out.push(f);
  }
  return out.sort();
}

/** What `recordRun` needs. */
export interface RunToRecord {
  notebook: string;
  output: string;
  key: NotebookKey;
  wallSec: number;
  cells: RunRecord["cells"];
  /** Parameter values injected into the run (absent: defaults). */
  parameters?: Record<string, unknown>;
  /** Files the run wrote (from `writtenBetween`). */
  written: string[];
  /** Files or folders the run declared it reused (lib/util/outputs). */
  declared?: string[];
  /** The figure specs folder: specs named `<NN>-*.json` belong to notebook NN even when a re-run left them untouched. */
  figuresDir: string;
}

/**
 * Write the record of a passing run. Besides the files it wrote, the run owns what it declared
 * (folders expanded), its `NN-*.json` figure specs, and whatever the previous record listed that is
 * still there (a re-run that reads back earlier results did not rewrite them but still stands on them).
 */
export function recordRun(r: RunToRecord): RunRecord {
  const prefix = `${path.basename(r.notebook).slice(0, 2)}-`;
  const owned = new Set(r.written);
  for (const d of r.declared ?? []) {
    if (fs.existsSync(d) && fs.statSync(d).isDirectory()) for (const f of filesUnder(d)) owned.add(f);
    else owned.add(d);
  }
  if (fs.existsSync(r.figuresDir)) {
    for (const f of fs.readdirSync(r.figuresDir)) if (f.startsWith(prefix) && f.endsWith(".json")) owned.add(path.join(r.figuresDir, f));
  }
  for (const f of Object.keys(readRecord(r.output)?.outputs ?? {})) if (fs.existsSync(f)) owned.add(f);
  const outputs: Record<string, FileStamp> = {};
  for (const f of [...owned].sort()) if (fs.existsSync(f)) outputs[f] = stampFile(f);
  const rec: RunRecord = {
    version: RECORD_VERSION,
    notebook: path.basename(r.notebook),
    key: r.key.key,
    parts: r.key.parts,
    ranAt: new Date().toISOString(),
    wallSec: r.wallSec,
    cells: r.cells,
    parameters: r.parameters ?? {},
    executed: stampFile(r.output),
    outputs,
  };
  writeJsonAtomic(recordPath(r.output), rec);
  return rec;
}

/** Drop the record of `output` (after a failed run, so nothing stale is reused). */
export function forgetRun(output: string): void {
  fs.rmSync(recordPath(output), { force: true });
}
