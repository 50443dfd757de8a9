import * as fs from "fs";
import * as path from "path";
import * as crypto from "crypto";
import { readJson } from "../util/fsx";
import { MARKER, findEntry, entryStatus, type DataManifest, type FetchedMarker } from "./manifest";

/**
 * sha256 over a fetched entry's folder as unpacked: sorted `relative/path\tsha256` lines, the
 * fetch marker left out (it is written after the digest). Recorded in the marker at fetch time
 * (`treeSha256`) so `nanomorph data verify` can tell a changed, truncated or deleted file later.
 */
export function fetchedTreeDigest(dir: string): { digest: string; files: Map<string, string> } {
  const files = new Map<string, string>();
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      const rel = path.relative(dir, p).split(path.sep).join("/");
      if (rel === MARKER) continue;
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) files.set(rel, crypto.createHash("sha256").update(fs.readFileSync(p)).digest("hex"));
    }
  };
  walk(dir);
  const keys = [...files.keys()].sort();
  const digest = crypto.createHash("sha256").update(keys.map((k) => `${k}\t${files.get(k)}`).join("\n")).digest("hex");
  return { digest, files };
}

/** Outcome of {@link verifyEntry}. */
export interface VerifyResult {
  name: string;
  dest: string;
  /** ok: contents as fetched; changed: differs (see detail); absent; unverifiable: nothing recorded to compare with. */
  state: "ok" | "changed" | "absent" | "unverifiable";
  detail: string;
}

/** Re-hash a fetched entry's files and compare with what was recorded when it was fetched. */
export function verifyEntry(m: DataManifest, name: string, destRoot: string): VerifyResult {
  const e = findEntry(m, name);
  const st = entryStatus(m, e, destRoot);
  const dest = path.join(destRoot, (e.partOf ? findEntry(m, e.partOf) : e).dest);
  if (e.archive === "package" || e.archive === "manual") return { name, dest: st.where, state: "unverifiable", detail: `${e.archive} entries are not fetched by nanomorph` };
  if (st.state !== "present") return { name, dest, state: "absent", detail: `not fetched: nanomorph data fetch ${e.partOf ?? name}` };
  const mk = readJson<FetchedMarker & { treeSha256?: string; tree?: Record<string, string> }>(path.join(dest, MARKER));
  if (!mk.treeSha256) return { name, dest, state: "unverifiable", detail: `fetched before contents were recorded; re-fetch with: nanomorph data fetch ${e.partOf ?? name} --force` };
  const now = fetchedTreeDigest(dest);
  if (now.digest === mk.treeSha256) return { name, dest, state: "ok", detail: `${now.files.size} files match what was fetched ${mk.fetchedAt}` };
  let detail = `contents differ from the fetch of ${mk.fetchedAt}`;
  if (mk.tree) {
    const changed = Object.keys(mk.tree).filter((k) => now.files.has(k) && now.files.get(k) !== mk.tree![k]);
    const missing = Object.keys(mk.tree).filter((k) => !now.files.has(k));
    const added = [...now.files.keys()].filter((k) => !(k in mk.tree!));
    const list = (xs: string[]): string => xs.slice(0, 3).join(", ") + (xs.length > 3 ? ", …" : "");
    const parts = [changed.length ? `${changed.length} changed (${list(changed)})` : "", missing.length ? `${missing.length} missing (${list(missing)})` : "",
      added.length ? `${added.length} added (${list(added)})` : ""].filter(Boolean);
    detail += `: ${parts.join("; ")}`;
  }
  return { name, dest, state: "changed", detail: `${detail}; restore it with: nanomorph data fetch ${e.partOf ?? name} --force` };
}
