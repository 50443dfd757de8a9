import * as fs from "fs";
import * as path from "path";
import * as http from "http";
import * as https from "https";
import * as crypto from "crypto";
import { Progress } from "../util/progress";
import { writeJsonAtomic, writeAllSync } from "../util/fsx";
import { cacheDir } from "../util/paths";
import { extractArchive } from "./archive";
import { DataManifest, entryStatus, FetchedMarker, findEntry, ManifestEntry, MARKER } from "./manifest";
import { fetchedTreeDigest } from "./verify";
import { confinedPath } from "../util/confine";

/** A failed fetch: the message names the entry and the cause. */
export class FetchError extends Error {
  constructor(readonly entry: string, cause: string) {
    super(`data fetch ${entry}: ${cause}`);
  }
}

/** Options for {@link fetchEntry}. */
export interface FetchOptions {
  /** Destination root; the entry lands in `<destRoot>/<entry.dest>`. */
  destRoot: string;
  /** Where partial downloads (`.part`) are kept for resuming. Default `cacheDir("downloads")`. */
  downloadsDir?: string;
  /** Replace an existing destination folder (only once the new copy is complete). Default false. */
  force?: boolean;
  /** Give up on a connection idle for this long, ms. Default 30000. */
  idleTimeoutMs?: number;
  /** Progress output stream (default stderr; NANOMORPH_QUIET=1 silences it). */
  progressStream?: NodeJS.WritableStream & { isTTY?: boolean };
}

/** What {@link fetchEntry} did. */
export interface FetchResult {
  name: string;
  dest: string;
  alreadyPresent: boolean;
  /** Bytes already on disk from an earlier, interrupted download. */
  resumedFrom: number;
  bytes: number;
  files: number;
  sha256: string;
  /** False when the manifest has no checksum for the entry (the download was not verified). */
  verified: boolean;
}

interface Downloaded {
  url: string;
  resumedFrom: number;
}

function get(url: string, headers: Record<string, string>, idleMs: number): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const lib = url.startsWith("https:") ? https : http;
    const req = lib.get(url, { headers: { "user-agent": "nanomorph-data-fetch", ...headers } }, resolve);
    req.setTimeout(idleMs, () => req.destroy(new Error(`no response for ${idleMs / 1000} s`)));
    req.on("error", reject);
  });
}

/** What the server said about the file a `.part` holds the start of (kept beside it as `<part>.json`). */
interface PartInfo { url: string; etag: string | null; lastModified: string | null; total: number | null }

function readPartInfo(part: string): PartInfo | null {
  try {
    return JSON.parse(fs.readFileSync(`${part}.json`, "utf8")) as PartInfo;
  } catch {
    return null;
  }
}

/** Remove a partial download and what is known about it. */
function removePart(part: string): void {
  fs.rmSync(part, { force: true });
  fs.rmSync(`${part}.json`, { force: true });
}

/** A weak ETag (W/"x") cannot be used with If-Range (RFC 9110 13.1.5). */
function strongEtag(etag: string | null): string | null {
  return etag && !etag.startsWith("W/") ? etag : null;
}

/**
 * Download `url` into `part`, resuming from its current size with an HTTP Range request. A resume
 * sends If-Range with the ETag (or Last-Modified) the first response carried, so a server whose file
 * changed sends the whole new file (200) and the download starts over; a 206 whose ETag or total size
 * differs from the first response's is refused and restarted too. Without a validator a resume is only
 * tried when the entry's checksum is pinned (the checksum then decides); otherwise it starts over, so
 * two versions of a file can never be stitched together.
 */
async function download(entry: ManifestEntry, url: string, part: string, opts: FetchOptions): Promise<Downloaded> {
  const idle = opts.idleTimeoutMs ?? 30000;
  let target = url;
  for (let hop = 0; hop < 8; hop++) {
    let offset = fs.existsSync(part) ? fs.statSync(part).size : 0;
    const known = offset > 0 ? readPartInfo(part) : null;
    const validator = known ? strongEtag(known.etag) ?? known.lastModified : null;
    if (offset > 0 && !validator && !entry.checksum) {
      process.stderr.write(`data fetch ${entry.name}: the partial download cannot be checked against the server's file (no ETag/Last-Modified, no pinned checksum); starting over\n`);
      removePart(part);
      offset = 0;
    }
    const headers: Record<string, string> = offset > 0 ? { range: `bytes=${offset}-`, ...(validator ? { "if-range": validator } : {}) } : {};
    const res = await get(target, headers, idle);
    const status = res.statusCode ?? 0;
    if (status >= 300 && status < 400 && res.headers.location) {
      res.resume();
      target = new URL(res.headers.location, target).toString();
      continue;
    }
    if (status === 416 && offset > 0) {
      res.resume();
      if (known?.total !== null && known?.total !== undefined && known.total === offset) return { url: target, resumedFrom: offset };
      removePart(part); // the part is longer than the file is now: it changed
      continue;
    }
    if (status !== 200 && status !== 206) {
      res.resume();
      throw new Error(`HTTP ${status} ${res.statusMessage ?? ""} from ${target}`.trim());
    }
    const etag = typeof res.headers.etag === "string" ? res.headers.etag : null;
    const lastModified = typeof res.headers["last-modified"] === "string" ? res.headers["last-modified"] : null;
    let start = 0;
    let total: number | null = null;
    const length = Number(res.headers["content-length"] ?? NaN);
    if (status === 206) {
      const m = /bytes (\d+)-(\d+)\/(\d+|\*)/.exec(String(res.headers["content-range"] ?? ""));
      if (!m || Number(m[1]) !== offset) {
        res.resume();
        removePart(part);
        throw new Error(`server answered the resume request with a different range (${res.headers["content-range"]}); partial file discarded, run again`);
      }
      total = m[3] === "*" ? null : Number(m[3]);
      // A server that ignores If-Range: compare what it says now with what it said first.
      const changed = (known?.etag && etag && known.etag !== etag) || (known?.lastModified && lastModified && known.lastModified !== lastModified) ||
        (known?.total !== null && known?.total !== undefined && total !== null && known.total !== total);
      if (changed) {
        res.resume();
        process.stderr.write(`data fetch ${entry.name}: the file on the server changed since the partial download (${known?.etag ?? known?.lastModified ?? "size"} → ${etag ?? lastModified ?? total}); starting over\n`);
        removePart(part);
        continue;
      }
      start = offset;
    } else {
      if (offset > 0) {
        process.stderr.write(`data fetch ${entry.name}: the server sent the whole file (it changed, or it cannot resume); starting over\n`);
        removePart(part);
      }
      total = Number.isFinite(length) ? length : null;
      const info: PartInfo = { url: target, etag, lastModified, total };
      writeJsonAtomic(`${part}.json`, info);
    }
    const expected = total ?? (Number.isFinite(length) ? start + length : entry.size ?? 0);
    const bar = new Progress({ label: `fetch ${entry.name}`, total: expected || 1, unit: "B", stream: opts.progressStream });
    bar.resumeFrom(start);
    let got = 0;
    res.setTimeout(idle, () => res.destroy(new Error(`connection idle for ${idle / 1000} s`)));
    // Each chunk is written synchronously as it arrives: a stream pipeline would drop the chunks still
    // buffered in the file stream when the connection breaks, leaving less on disk than was received.
    const fd = fs.openSync(part, start > 0 ? "a" : "w");
    let failure: Error | null = null;
    try {
      for await (const chunk of res as AsyncIterable<Buffer>) {
        writeAllSync(fd, chunk);
        got += chunk.length;
        bar.tick(chunk.length);
      }
    } catch (e) {
      failure = e as Error;
    } finally {
      fs.closeSync(fd);
    }
    if (failure) {
      if ((failure as NodeJS.ErrnoException).code === "ENOSPC") {
        removePart(part);
        throw new Error(`disk full while writing ${part} (partial download removed)`);
      }
      throw new Error(`connection broke after ${start + got} of ${expected || "?"} bytes (${failure.message}); run the same command again to resume`);
    }
    bar.finish();
    const have = fs.statSync(part).size;
    if (total !== null && have < total) {
      throw new Error(`connection closed after ${have} of ${total} bytes; run the same command again to resume`);
    }
    if (total !== null && have > total) {
      removePart(part);
      throw new Error(`the download is ${have} bytes, the server said ${total} (partial file removed); run again`);
    }
    return { url: target, resumedFrom: start };
  }
  throw new Error(`too many redirects or restarts from ${url}`);
}

async function digest(file: string, algorithm: "sha256" | "md5"): Promise<string> {
  const h = crypto.createHash(algorithm);
  for await (const c of fs.createReadStream(file)) h.update(c as Buffer);
  return h.digest("hex");
}

/**
 * Fetch one manifest entry: download (resuming a `.part` file left by an interrupted run), check the
 * size and the checksum, unpack zip / tar.gz into a temporary folder beside the destination, write a
 * marker, and rename into place only when everything succeeded. A wrong checksum, an HTTP error, a
 * truncated or corrupt archive or a full disk throws {@link FetchError} naming the entry and the cause,
 * and leaves the destination untouched (only a resumable `.part` may remain in the downloads folder).
 * An entry that is already present (marker found) is not fetched again unless `force`.
 */
export async function fetchEntry(m: DataManifest, name: string, opts: FetchOptions): Promise<FetchResult> {
  const e = findEntry(m, name);
  if (e.partOf) throw new FetchError(name, `is part of '${e.partOf}'; run nanomorph data fetch ${e.partOf}`);
  if (e.archive === "package") {
    const st = entryStatus(m, e, opts.destRoot);
    if (st.state !== "installed") throw new FetchError(name, `is provided by npm package ${e.provider?.npm}@${e.provider?.version}, which is not installed: run npm install`);
    return { name, dest: st.where, alreadyPresent: true, resumedFrom: 0, bytes: 0, files: 0, sha256: "", verified: false };
  }
  if (e.archive === "manual" || e.urls.length === 0) throw new FetchError(name, `has no direct download: ${e.obtain ?? "no URL in the manifest"}`);
  // Confined again here (the manifest may not have gone through loadManifest): a dest of ../../x or a
  // symlink inside --dest must never let --force replace a folder elsewhere.
  let dest: string;
  try {
    dest = confinedPath(path.resolve(opts.destRoot), e.dest, `entry ${name}: dest`);
  } catch (err) {
    throw new FetchError(name, (err as Error).message);
  }
  if (fs.existsSync(dest) && !opts.force) {
    if (fs.existsSync(path.join(dest, MARKER))) {
      return { name, dest, alreadyPresent: true, resumedFrom: 0, bytes: 0, files: 0, sha256: "", verified: e.checksum !== null };
    }
    throw new FetchError(name, `${dest} exists and was not written by nanomorph data fetch; move it away or use --force`);
  }
  const dlDir = opts.downloadsDir ?? cacheDir("downloads");
  fs.mkdirSync(dlDir, { recursive: true });
  const base = e.archive === "none" ? path.basename(new URL(e.urls[0]).pathname) || e.name : `${e.name}.${e.archive}`;
  const part = path.join(dlDir, `${e.name}-${crypto.createHash("sha256").update(e.urls.join("\n")).digest("hex").slice(0, 8)}-${base}.part`);
  const failures: string[] = [];
  let got: Downloaded | null = null;
  for (const url of e.urls) {
    try {
      got = await download(e, url, part, opts);
      break;
    } catch (err) {
      failures.push((err as Error).message);
      if (/run the same command again to resume/.test((err as Error).message)) break; // keep the partial file for this mirror
    }
  }
  if (!got) throw new FetchError(name, failures.join("; "));
  const size = fs.statSync(part).size;
  if (e.size !== null && size !== e.size) {
    if (size > e.size) removePart(part);
    throw new FetchError(name, `downloaded ${size} bytes, the manifest says ${e.size}${size < e.size ? "; run again to resume" : " (partial file removed)"}`);
  }
  const sha256 = await digest(part, "sha256");
  if (e.checksum) {
    const have = e.checksum.algorithm === "sha256" ? sha256 : await digest(part, e.checksum.algorithm);
    if (have !== e.checksum.value) {
      removePart(part);
      throw new FetchError(name, `checksum mismatch: ${e.checksum.algorithm} of the download is ${have}, the manifest expects ${e.checksum.value} (download removed)`);
    }
  } else {
    process.stderr.write(`data fetch ${name}: checksum not pinned in the manifest; the download's sha256 is ${sha256} (pin it with: nanomorph data lock ${name})\n`);
  }
  const parent = path.dirname(dest);
  fs.mkdirSync(parent, { recursive: true });
  const tmp = path.join(parent, `.${path.basename(dest)}.tmp-${process.pid}-${crypto.randomBytes(4).toString("hex")}`);
  fs.mkdirSync(tmp);
  let files = 0;
  let bytes = 0;
  try {
    if (e.archive === "none") {
      fs.copyFileSync(part, path.join(tmp, base));
      files = 1;
      bytes = size;
    } else {
      const bar = new Progress({ label: `unpack ${name}`, total: size, unit: "B", stream: opts.progressStream });
      const r = await extractArchive(part, e.archive, tmp, (n) => bar.tick(n));
      bar.finish();
      files = r.files;
      bytes = r.bytes;
    }
    // Per-file hashes of what was unpacked, so `data verify` can later name a changed or cut file.
    const tree = fetchedTreeDigest(tmp);
    const marker: FetchedMarker & { treeSha256: string; tree: Record<string, string> } = {
      name, url: got.url, sha256, bytes, files, fetchedAt: new Date().toISOString(), treeSha256: tree.digest, tree: Object.fromEntries(tree.files),
    };
    writeJsonAtomic(path.join(tmp, MARKER), marker);
    if (fs.existsSync(dest)) {
      const old = `${tmp}.old`;
      fs.renameSync(dest, old);
      fs.renameSync(tmp, dest);
      fs.rmSync(old, { recursive: true, force: true });
    } else fs.renameSync(tmp, dest);
  } catch (err) {
    fs.rmSync(tmp, { recursive: true, force: true });
    const code = (err as NodeJS.ErrnoException).code;
    const cause = code === "ENOSPC" ? `disk full while unpacking into ${parent}` : (err as Error).message;
    if (!(code === "ENOSPC")) removePart(part); // a corrupt archive will not get better by resuming
    throw new FetchError(name, `unpacking failed: ${cause}; nothing was written to ${dest}`);
  }
  removePart(part);
  return { name, dest, alreadyPresent: false, resumedFrom: got.resumedFrom, bytes, files, sha256, verified: e.checksum !== null };
}
