import * as fs from "fs";
import * as path from "path";
import * as zlib from "zlib";
import { pipeline } from "stream/promises";
import { Writable } from "stream";

/**
 * Archive readers written on node's zlib: ZIP (stored and deflated entries, ZIP64) and tar.gz
 * (ustar, PAX and GNU long names). Both extract into an existing empty folder, refuse entries that
 * would escape it, and throw an {@link ArchiveError} that names the archive and the cause for a
 * truncated or corrupt archive.
 */
export class ArchiveError extends Error {
  constructor(readonly archive: string, cause: string) {
    super(`${path.basename(archive)}: ${cause}`);
  }
}

/** What an extraction wrote. */
export interface ExtractResult {
  files: number;
  bytes: number;
}

/** Bytes free to an unprivileged writer on the file system of `dir`, or null where Node cannot tell. */
function freeBytes(dir: string): number | null {
  try {
    const st = fs.statfsSync(dir);
    return st.bavail * st.bsize;
  } catch {
    return null;
  }
}

/** Resolve an archive member name inside `dest`, refusing absolute paths and `..` escapes. */
function safeJoin(archive: string, dest: string, name: string): string {
  const clean = name.replace(/\\/g, "/");
  if (clean.startsWith("/") || /^[A-Za-z]:/.test(clean)) throw new ArchiveError(archive, `member '${name}' has an absolute path`);
  const out = path.resolve(dest, clean);
  if (out !== path.resolve(dest) && !out.startsWith(path.resolve(dest) + path.sep)) throw new ArchiveError(archive, `member '${name}' escapes the destination`);
  return out;
}

function readAt(fd: number, pos: number, len: number): Buffer {
  const b = Buffer.alloc(len);
  let got = 0;
  while (got < len) {
    const n = fs.readSync(fd, b, got, len - got, pos + got);
    if (n === 0) break;
    got += n;
  }
  return got === len ? b : b.subarray(0, got);
}

interface ZipEntry {
  name: string;
  method: number;
  flags: number;
  crc: number;
  compSize: number;
  size: number;
  localOffset: number;
}

/** Parse the central directory of a ZIP file (with ZIP64 records). */
export function listZip(file: string): ZipEntry[] {
  const fd = fs.openSync(file, "r");
  try {
    const total = fs.fstatSync(fd).size;
    const tailLen = Math.min(total, 65557);
    const tail = readAt(fd, total - tailLen, tailLen);
    let eocd = -1;
    for (let i = tail.length - 22; i >= 0; i--) {
      if (tail.readUInt32LE(i) === 0x06054b50) {
        eocd = i;
        break;
      }
    }
    if (eocd < 0) throw new ArchiveError(file, "not a ZIP archive or truncated (no end-of-central-directory record)");
    let count = tail.readUInt16LE(eocd + 10);
    let cdSize = tail.readUInt32LE(eocd + 12);
    let cdOffset = tail.readUInt32LE(eocd + 16);
    const eocdAbs = total - tailLen + eocd;
    if (cdOffset === 0xffffffff || count === 0xffff || cdSize === 0xffffffff) {
      const loc = readAt(fd, eocdAbs - 20, 20);
      if (loc.length < 20 || loc.readUInt32LE(0) !== 0x07064b50) throw new ArchiveError(file, "ZIP64 locator missing");
      const rec = readAt(fd, Number(loc.readBigUInt64LE(8)), 56);
      if (rec.length < 56 || rec.readUInt32LE(0) !== 0x06064b50) throw new ArchiveError(file, "ZIP64 end-of-central-directory record missing");
      count = Number(rec.readBigUInt64LE(32));
      cdSize = Number(rec.readBigUInt64LE(40));
      cdOffset = Number(rec.readBigUInt64LE(48));
    }
    if (cdOffset + cdSize > total) throw new ArchiveError(file, `central directory (${cdOffset}+${cdSize}) lies beyond the end of the file (${total} bytes): truncated`);
    const cd = readAt(fd, cdOffset, cdSize);
    const entries: ZipEntry[] = [];
    let p = 0;
    for (let k = 0; k < count; k++) {
      if (p + 46 > cd.length || cd.readUInt32LE(p) !== 0x02014b50) throw new ArchiveError(file, `central directory entry ${k} is corrupt`);
      const flags = cd.readUInt16LE(p + 8);
      const method = cd.readUInt16LE(p + 10);
      const crc = cd.readUInt32LE(p + 16);
      let compSize = cd.readUInt32LE(p + 20);
      let size = cd.readUInt32LE(p + 24);
      const nameLen = cd.readUInt16LE(p + 28);
      const extraLen = cd.readUInt16LE(p + 30);
      const commentLen = cd.readUInt16LE(p + 32);
      let localOffset = cd.readUInt32LE(p + 42);
      const name = cd.subarray(p + 46, p + 46 + nameLen).toString(flags & 0x800 ? "utf8" : "latin1");
      let e = p + 46 + nameLen;
      const eEnd = e + extraLen;
      while (e + 4 <= eEnd) {
        const id = cd.readUInt16LE(e);
        const len = cd.readUInt16LE(e + 2);
        if (id === 0x0001) {
          let q = e + 4;
          if (size === 0xffffffff) { size = Number(cd.readBigUInt64LE(q)); q += 8; }
          if (compSize === 0xffffffff) { compSize = Number(cd.readBigUInt64LE(q)); q += 8; }
          if (localOffset === 0xffffffff) { localOffset = Number(cd.readBigUInt64LE(q)); q += 8; }
        }
        e += 4 + len;
      }
      entries.push({ name, method, flags, crc, compSize, size, localOffset });
      p = eEnd + commentLen;
    }
    return entries;
  } finally {
    fs.closeSync(fd);
  }
}

/** A writable that counts bytes, updates a CRC-32 and writes to a file descriptor. */
class CrcFileSink extends Writable {
  crc = 0;
  bytes = 0;
  /**
   * `limit`: the size the archive declares for this member. Decompressing past it stops at once: a
   * member that lies about its size (a decompression bomb) cannot fill the disk before the size check.
   */
  constructor(private readonly fd: number, private readonly limit = Infinity, private readonly what = "") {
    super();
  }
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    try {
      if (this.bytes + chunk.length > this.limit) {
        cb(new Error(`${this.what} decompresses past its declared ${this.limit} bytes (a decompression bomb?); extraction stopped`));
        return;
      }
      this.crc = zlib.crc32(chunk, this.crc);
      this.bytes += chunk.length;
      let off = 0;
      while (off < chunk.length) off += fs.writeSync(this.fd, chunk, off, chunk.length - off);
      cb();
    } catch (e) {
      cb(e as Error);
    }
  }
}

/**
 * Extract a ZIP archive into `dest` (an existing folder). Checks every entry's CRC-32 and size.
 * `onBytes` is called with compressed bytes consumed (for a progress bar). Throws ArchiveError for a
 * truncated or corrupt archive, encrypted entries, unknown compression, or an unsafe member path.
 */
export async function extractZip(file: string, dest: string, onBytes?: (n: number) => void): Promise<ExtractResult> {
  const entries = listZip(file);
  // What the directory declares must fit on the disk (members that lie are stopped by CrcFileSink).
  const need = entries.reduce((a, e) => a + e.size, 0);
  const free = freeBytes(dest);
  if (free !== null && need > free) throw new ArchiveError(file, `unpacks to ${need} bytes, but ${dest} has ${free} bytes free`);
  const total = fs.statSync(file).size;
  let files = 0;
  let bytes = 0;
  for (const en of entries) {
    const out = safeJoin(file, dest, en.name);
    if (en.name.endsWith("/")) {
      fs.mkdirSync(out, { recursive: true });
      continue;
    }
    if (en.flags & 0x1) throw new ArchiveError(file, `member '${en.name}' is encrypted`);
    if (en.method !== 0 && en.method !== 8) throw new ArchiveError(file, `member '${en.name}' uses compression method ${en.method} (only stored and deflate are supported)`);
    const fdIn = fs.openSync(file, "r");
    let start: number;
    try {
      const lh = readAt(fdIn, en.localOffset, 30);
      if (lh.length < 30 || lh.readUInt32LE(0) !== 0x04034b50) throw new ArchiveError(file, `local header of '${en.name}' is corrupt`);
      start = en.localOffset + 30 + lh.readUInt16LE(26) + lh.readUInt16LE(28);
    } finally {
      fs.closeSync(fdIn);
    }
    if (start + en.compSize > total) throw new ArchiveError(file, `member '${en.name}' runs past the end of the archive: truncated`);
    fs.mkdirSync(path.dirname(out), { recursive: true });
    const fd = fs.openSync(out, "w");
    const sink = new CrcFileSink(fd, en.size, `member '${en.name}'`);
    try {
      if (en.compSize > 0) {
        const src = fs.createReadStream(file, { start, end: start + en.compSize - 1 });
        if (onBytes) src.on("data", (c) => onBytes((c as Buffer).length));
        if (en.method === 8) await pipeline(src, zlib.createInflateRaw(), sink);
        else await pipeline(src, sink);
      }
    } catch (e) {
      throw e instanceof ArchiveError ? e : new ArchiveError(file, `member '${en.name}' is corrupt: ${(e as Error).message}`);
    } finally {
      fs.closeSync(fd);
    }
    if (sink.bytes !== en.size) throw new ArchiveError(file, `member '${en.name}' decompressed to ${sink.bytes} bytes, the directory says ${en.size}`);
    if (sink.crc >>> 0 !== en.crc >>> 0) throw new ArchiveError(file, `member '${en.name}' fails its CRC-32 check (corrupt)`);
    files++;
    bytes += sink.bytes;
  }
  return { files, bytes };
}

function parseOctal(b: Buffer, off: number, len: number): number {
  // GNU base-256 for large sizes
  if (b[off] & 0x80) {
    let v = 0;
    for (let i = off + 1; i < off + len; i++) v = v * 256 + b[i];
    return v;
  }
  const s = b.subarray(off, off + len).toString("latin1").replace(/\0.*$/, "").trim();
  return s === "" ? 0 : parseInt(s, 8);
}

function cstr(b: Buffer, off: number, len: number): string {
  const s = b.subarray(off, off + len);
  const z = s.indexOf(0);
  return (z >= 0 ? s.subarray(0, z) : s).toString("utf8");
}

/**
 * Extract a gzip-compressed tar archive into `dest` (an existing folder), streaming. Regular files and
 * folders are written; symbolic and hard links are refused (a dataset has no use for them). Checks
 * every header checksum. `onBytes` gets compressed bytes read. Throws ArchiveError for a truncated
 * gzip stream, a corrupt header, a member cut short or an unsafe path.
 */
export async function extractTarGz(file: string, dest: string, onBytes?: (n: number) => void): Promise<ExtractResult> {
  const src = fs.createReadStream(file);
  if (onBytes) src.on("data", (c) => onBytes((c as Buffer).length));
  const gunzip = zlib.createGunzip();
  src.on("error", (e) => gunzip.destroy(e));
  src.pipe(gunzip);
  let buf: Buffer = Buffer.alloc(0);
  let files = 0;
  let bytes = 0;
  let state: "header" | "data" | "pad" | "end" = "header";
  let remaining = 0;
  let pad = 0;
  let fd: number | null = null;
  let current = "";
  let longName: string | null = null;
  let paxPath: string | null = null;
  let meta: "L" | "x" | null = null;
  let metaBuf: Buffer[] = [];
  let zeroBlocks = 0;
  const finishMember = (): void => {
    if (fd !== null) {
      fs.closeSync(fd);
      fd = null;
      files++;
    }
    if (meta === "L") longName = cstr(Buffer.concat(metaBuf), 0, Buffer.concat(metaBuf).length);
    if (meta === "x") {
      const text = Buffer.concat(metaBuf).toString("utf8");
      for (const rec of text.split("\n")) {
        const m = /^\d+ path=(.*)$/.exec(rec);
        if (m) paxPath = m[1];
      }
    }
    meta = null;
    metaBuf = [];
  };
  try {
    for await (const chunk of gunzip) {
      buf = buf.length ? Buffer.concat([buf, chunk as Buffer]) : (chunk as Buffer);
      let p = 0;
      for (;;) {
        if (state === "end") {
          p = buf.length;
          break;
        }
        if (state === "header") {
          if (buf.length - p < 512) break;
          const h = buf.subarray(p, p + 512);
          p += 512;
          if (h.every((x) => x === 0)) {
            zeroBlocks++;
            if (zeroBlocks >= 2) state = "end";
            continue;
          }
          zeroBlocks = 0;
          let sum = 0;
          for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : h[i];
          if (sum !== parseOctal(h, 148, 8)) throw new ArchiveError(file, "tar header checksum mismatch (corrupt archive)");
          const type = String.fromCharCode(h[156] || 48);
          const prefix = h.subarray(257, 262).toString("latin1") === "ustar" ? cstr(h, 345, 155) : "";
          let name = longName ?? paxPath ?? (prefix ? `${prefix}/${cstr(h, 0, 100)}` : cstr(h, 0, 100));
          longName = null;
          paxPath = null;
          const size = parseOctal(h, 124, 12);
          remaining = size;
          pad = (512 - (size % 512)) % 512;
          if (type === "L" || type === "x") {
            meta = type;
          } else if (type === "g") {
            meta = null; // global PAX header: ignored
          } else if (type === "5") {
            fs.mkdirSync(safeJoin(file, dest, name), { recursive: true });
          } else if (type === "0" || type === "7") {
            if (name.endsWith("/")) name = name.slice(0, -1);
            const out = safeJoin(file, dest, name);
            fs.mkdirSync(path.dirname(out), { recursive: true });
            fd = fs.openSync(out, "w");
            current = name;
          } else if (type === "1" || type === "2") {
            throw new ArchiveError(file, `member '${name}' is a link; links are not extracted`);
          }
          state = remaining > 0 ? "data" : "pad";
          if (state === "pad" && pad === 0) {
            finishMember();
            state = "header";
          }
          continue;
        }
        if (state === "data") {
          const n = Math.min(remaining, buf.length - p);
          if (n === 0) break;
          const part = buf.subarray(p, p + n);
          if (fd !== null) {
            let off = 0;
            while (off < part.length) off += fs.writeSync(fd, part, off, part.length - off);
            bytes += n;
          } else if (meta) metaBuf.push(Buffer.from(part));
          p += n;
          remaining -= n;
          if (remaining === 0) state = "pad";
          continue;
        }
        if (state === "pad") {
          const n = Math.min(pad, buf.length - p);
          p += n;
          pad -= n;
          if (pad > 0) break;
          finishMember();
          state = "header";
        }
      }
      buf = buf.subarray(p);
    }
  } catch (e) {
    if (fd !== null) fs.closeSync(fd);
    if (e instanceof ArchiveError) throw e;
    throw new ArchiveError(file, `corrupt or truncated gzip/tar stream: ${(e as Error).message}`);
  }
  if (fd !== null) fs.closeSync(fd);
  const endState = state as string; // assigned inside the stream loop; TS narrows it too eagerly
  if (endState === "data" || (endState === "pad" && pad > 0)) throw new ArchiveError(file, `archive ends inside member '${current}': truncated`);
  if (endState === "header" && files === 0 && zeroBlocks === 0) throw new ArchiveError(file, "archive holds no tar members: truncated or not a tar.gz");
  return { files, bytes };
}

/** Extract `file` of type "zip" or "tar.gz" into `dest`. */
export async function extractArchive(file: string, type: "zip" | "tar.gz", dest: string, onBytes?: (n: number) => void): Promise<ExtractResult> {
  return type === "zip" ? extractZip(file, dest, onBytes) : extractTarGz(file, dest, onBytes);
}
