import * as fs from "fs";
import * as path from "path";
import * as crypto from "crypto";
import { readJson, writeJsonAtomic } from "../util/fsx";
import { projectRoot } from "../util/paths";
import { confinedPath } from "../util/confine";

/** Checksum of a downloaded file, as the source publishes it. */
export interface Checksum {
  algorithm: "sha256" | "md5";
  /** Lower-case hex digest. */
  value: string;
}

/** Where a package-provided artefact lives (installed by npm, not downloaded by us). */
export interface PackageProvider {
  /** npm package name and the exact version package.json pins. */
  npm: string;
  version: string;
  /** Folder inside the package holding the artefact. */
  path: string;
}

/**
 * One external artefact the paper uses. `checksum: null` means "not yet pinned": `nanomorph data lock
 * NAME` pins it from a completed download. `archive` says how the download unpacks: "zip", "tar.gz",
 * "none" (a single file kept as is), "package" (provided by an npm package), "manual" (no direct
 * download: `obtain` says how to get it).
 */
export interface ManifestEntry {
  name: string;
  description: string;
  citation: string;
  /** DOI of the data (or of the paper describing it). */
  doi?: string;
  licence: string;
  /** Download URLs, tried in order (mirrors). Empty for package/manual entries. */
  urls: string[];
  /** Download size in bytes, when known; null when not. */
  size: number | null;
  checksum: Checksum | null;
  archive: "zip" | "tar.gz" | "none" | "package" | "manual";
  /** Folder (relative to the destination root) the artefact unpacks to. */
  dest: string;
  /** What the unpacked folder holds. */
  layout: string;
  /** Which experiments use it. */
  usedBy: string;
  /** For archive "package". */
  provider?: PackageProvider;
  /** For an entry that is part of another entry's download: fetch that one. */
  partOf?: string;
  /** For archive "manual": how to obtain it. */
  obtain?: string;
  /** Free-text notes (what was verified, what is not known). */
  notes?: string;
}

/** The whole `data-manifest.json`. */
export interface DataManifest {
  version: 1;
  /** Default destination root for fetched data, relative to the project root. */
  defaultDest: string;
  entries: ManifestEntry[];
}

/** The project's manifest file. */
export function defaultManifestPath(): string {
  return path.join(projectRoot(), "data-manifest.json");
}

const ARCHIVES = ["zip", "tar.gz", "none", "package", "manual"];

/** Check a manifest's structure; returns a list of problems, each naming the entry and field. */
export function validateManifest(m: DataManifest): string[] {
  const errs: string[] = [];
  if (m.version !== 1) errs.push(`version must be 1, got ${String(m.version)}`);
  if (!Array.isArray(m.entries)) return [...errs, "entries must be an array"];
  const names = new Set<string>();
  for (const [i, e] of m.entries.entries()) {
    const who = `entry ${e?.name ?? `#${i}`}`;
    for (const f of ["name", "description", "citation", "licence", "dest", "layout", "usedBy"] as const) {
      if (typeof e[f] !== "string" || e[f].length === 0) errs.push(`${who}: field '${f}' must be a non-empty string`);
    }
    if (!/^[a-z0-9][a-z0-9._-]*$/.test(e.name ?? "")) errs.push(`${who}: name must be lower-case letters, digits, . _ -`);
    if (names.has(e.name)) errs.push(`${who}: duplicate name`);
    names.add(e.name);
    if (typeof e.dest === "string" && e.dest.length > 0) {
      try {
        confinedPath("/dest-root", e.dest, `${who}: dest`);
      } catch (err) {
        errs.push(`${(err as Error).message.replace(/ \/dest-root/g, " the destination root")} (dest must be a relative path below --dest)`);
      }
    }
    if (!ARCHIVES.includes(e.archive)) errs.push(`${who}: archive must be one of ${ARCHIVES.join(", ")}`);
    if (!Array.isArray(e.urls)) errs.push(`${who}: urls must be an array`);
    else for (const u of e.urls) if (!/^https?:\/\//.test(u)) errs.push(`${who}: url '${u}' is not http(s)`);
    if (e.size !== null && !(Number.isInteger(e.size) && e.size > 0)) errs.push(`${who}: size must be a positive integer or null`);
    if (e.checksum !== null) {
      const c = e.checksum;
      const len = c?.algorithm === "sha256" ? 64 : c?.algorithm === "md5" ? 32 : -1;
      if (len < 0) errs.push(`${who}: checksum.algorithm must be sha256 or md5`);
      else if (!new RegExp(`^[0-9a-f]{${len}}$`).test(c.value)) errs.push(`${who}: checksum.value must be ${len} lower-case hex digits`);
    }
    if (["zip", "tar.gz", "none"].includes(e.archive) && !e.partOf && (e.urls ?? []).length === 0) errs.push(`${who}: a downloadable entry needs at least one url`);
    if (e.archive === "package" && !e.provider) errs.push(`${who}: archive 'package' needs a provider`);
    if (e.archive === "manual" && !e.obtain) errs.push(`${who}: archive 'manual' needs 'obtain'`);
  }
  for (const e of m.entries) if (e.partOf && !names.has(e.partOf)) errs.push(`entry ${e.name}: partOf '${e.partOf}' is not an entry`);
  return errs;
}

/** Read and validate a manifest. Throws listing every problem, naming the file. */
export function loadManifest(file: string = defaultManifestPath()): DataManifest {
  const m = readJson<DataManifest>(file);
  const errs = validateManifest(m);
  if (errs.length) throw new Error(`${file} is not a valid data manifest:\n  ${errs.join("\n  ")}`);
  return m;
}

/** The entry called `name`. Throws listing the known names. */
export function findEntry(m: DataManifest, name: string): ManifestEntry {
  const e = m.entries.find((x) => x.name === name);
  if (!e) throw new Error(`no data manifest entry '${name}'; entries: ${m.entries.map((x) => x.name).join(", ")}`);
  return e;
}

/** Written as `<dest>/.nanomorph-fetched.json` once an entry is completely in place. */
export interface FetchedMarker {
  name: string;
  url: string;
  /** Digest of the downloaded file, whatever the manifest said (used by `data lock`). */
  sha256: string;
  bytes: number;
  files: number;
  fetchedAt: string;
}

/** Marker file name inside a fetched entry's folder. */
export const MARKER = ".nanomorph-fetched.json";

/** Local state of an entry. */
export interface EntryStatus {
  name: string;
  /** present: fetched and complete; installed: package-provided and installed; absent; manual: not downloadable. */
  state: "present" | "installed" | "absent" | "manual" | "missing-package";
  where: string;
  detail: string;
}

/** Folder where a package-provided artefact lives. */
export function packagePath(p: PackageProvider): string {
  return path.join(projectRoot(), "node_modules", p.npm, p.path);
}

/** Where an entry is (or would be) under `destRoot`, and whether it is there. */
export function entryStatus(m: DataManifest, e: ManifestEntry, destRoot: string): EntryStatus {
  if (e.archive === "package" && e.provider) {
    const where = packagePath(e.provider);
    if (!fs.existsSync(where)) return { name: e.name, state: "missing-package", where, detail: `npm package ${e.provider.npm}@${e.provider.version} not installed (npm install)` };
    let version = "?";
    try {
      version = readJson<{ version: string }>(path.join(projectRoot(), "node_modules", e.provider.npm, "package.json")).version;
    } catch { /* keep ? */ }
    return { name: e.name, state: "installed", where, detail: `${e.provider.npm}@${version}` };
  }
  const owner = e.partOf ? findEntry(m, e.partOf) : e;
  const where = path.join(destRoot, e.dest);
  const marker = path.join(destRoot, owner.dest, MARKER);
  if (fs.existsSync(marker) && fs.existsSync(where)) {
    const mk = readJson<FetchedMarker>(marker);
    return { name: e.name, state: "present", where, detail: `${mk.files} files, ${mk.bytes} bytes, fetched ${mk.fetchedAt}` };
  }
  if (e.archive === "manual") {
    if (fs.existsSync(where) && fs.readdirSync(where).length > 0) return { name: e.name, state: "present", where, detail: "placed by hand (not verified)" };
    return { name: e.name, state: "manual", where, detail: e.obtain ?? "" };
  }
  return { name: e.name, state: "absent", where, detail: e.partOf ? `part of ${e.partOf}: nanomorph data fetch ${e.partOf}` : `nanomorph data fetch ${e.name}` };
}

/**
 * sha256 over a folder tree: the sorted list of `relative/path\tsha256-of-file` lines, hashed. Stable
 * across machines; used to pin package-provided artefacts.
 */
export function treeDigest(dir: string): string {
  const lines: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) lines.push(`${path.relative(dir, p).split(path.sep).join("/")}\t${crypto.createHash("sha256").update(fs.readFileSync(p)).digest("hex")}`);
    }
  };
  walk(dir);
  return crypto.createHash("sha256").update(lines.join("\n")).digest("hex");
}

/**
 * Pin an entry's checksum in the manifest file from local state: for a fetched entry, the sha256 of
 * the downloaded file recorded in its marker; for a package entry, the tree digest of the installed
 * folder. Writes the manifest atomically and returns the new checksum. Throws when the entry is not
 * present locally or the manifest already pins a different value (naming both).
 */
export function lockEntry(file: string, name: string, destRoot: string): Checksum {
  const m = loadManifest(file);
  const e = findEntry(m, name);
  if (e.partOf) throw new Error(`entry ${name} is part of ${e.partOf}; lock ${e.partOf}`);
  if (e.archive === "manual") throw new Error(`entry ${name} is obtained by hand; nothing to lock`);
  let value: string;
  if (e.archive === "package" && e.provider) {
    const where = packagePath(e.provider);
    if (!fs.existsSync(where)) throw new Error(`entry ${name}: ${where} is not installed`);
    value = treeDigest(where);
  } else {
    const marker = path.join(destRoot, e.dest, MARKER);
    if (!fs.existsSync(marker)) throw new Error(`entry ${name} has not been fetched to ${path.join(destRoot, e.dest)}; run nanomorph data fetch ${name} first`);
    value = readJson<FetchedMarker>(marker).sha256;
  }
  if (e.checksum && e.checksum.algorithm === "sha256" && e.checksum.value !== value) {
    throw new Error(`entry ${name}: the manifest pins sha256 ${e.checksum.value} but the local copy has ${value}; refusing to overwrite`);
  }
  e.checksum = { algorithm: "sha256", value };
  writeJsonAtomic(file, m);
  return e.checksum;
}
