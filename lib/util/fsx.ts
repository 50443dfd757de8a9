import * as fs from "fs";
import * as path from "path";
import * as crypto from "crypto";

/** Error codes that mean "no room left" (full disk or quota). */
const NO_SPACE = new Set(["ENOSPC", "EDQUOT", "EFBIG"]);

/**
 * Write every byte of `data` to `fd` from its current offset: `fs.writeSync` may write fewer bytes than
 * asked (a nearly full disk, a pipe, a signal), so this loops until all are written. A write that makes
 * no progress throws ENOSPC (the OS gave no error but no room either).
 * @throws the OS error (code kept) of the write that failed
 */
export function writeAllSync(fd: number, data: string | Uint8Array): void {
  const buf = typeof data === "string" ? Buffer.from(data, "utf8") : data;
  let off = 0;
  while (off < buf.length) {
    const n = fs.writeSync(fd, buf, off, buf.length - off);
    if (!(n > 0)) {
      const e = new Error(`no space left: wrote ${off} of ${buf.length} bytes`) as NodeJS.ErrnoException;
      e.code = "ENOSPC";
      throw e;
    }
    off += n;
  }
}

/**
 * fsync a folder, so a rename or a new entry in it survives a power loss. Platforms that cannot open a
 * folder for syncing (Windows: EPERM/EISDIR) are skipped silently; other errors throw.
 */
export function fsyncDir(dir: string): void {
  let fd: number;
  try {
    fd = fs.openSync(dir, "r");
  } catch (e) {
    if (["EPERM", "EISDIR", "EACCES"].includes((e as NodeJS.ErrnoException).code ?? "")) return;
    throw e;
  }
  try {
    fs.fsyncSync(fd);
  } catch (e) {
    if (!["EINVAL", "EPERM", "EISDIR", "EBADF"].includes((e as NodeJS.ErrnoException).code ?? "")) throw e;
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * The error a failed write of `file` throws: names the file and, for a full disk, says so and that the
 * earlier content (if any) is unchanged. Keeps the OS `code`.
 */
export function writeError(file: string, e: unknown): Error {
  const code = (e as NodeJS.ErrnoException).code;
  const msg = code && NO_SPACE.has(code)
    ? `could not write ${file}: no space left on the device (${code}); ${fs.existsSync(file) ? "its earlier content is unchanged" : "nothing was written"}. Free some space (or choose another location) and run again`
    : `could not write ${file}: ${(e as Error).message}`;
  const err = new Error(msg) as NodeJS.ErrnoException;
  if (code) err.code = code;
  err.path = file;
  return err;
}

/** Outputs at least this large are checked against the free space before a byte is written. */
export const FREE_SPACE_CHECK_BYTES = 1 << 20;

/**
 * Before a large write (≥ {@link FREE_SPACE_CHECK_BYTES}): fail at once with ENOSPC when `dir`'s file
 * system has fewer free bytes than `bytes`, instead of after writing most of it. Where Node cannot tell
 * the free space, the write itself still catches a full disk.
 */
export function checkFreeSpace(dir: string, bytes: number): void {
  if (bytes < FREE_SPACE_CHECK_BYTES) return;
  let free: number;
  try {
    const st = fs.statfsSync(dir);
    free = st.bavail * st.bsize;
  } catch {
    return;
  }
  if (bytes > free) {
    const e = new Error(`ENOSPC: ${bytes} bytes to write, ${free} free in ${dir}`) as NodeJS.ErrnoException;
    e.code = "ENOSPC";
    throw e;
  }
}

/**
 * Write a file atomically: every byte to a temp file beside it (`<file>.tmp-<pid>-<hex>`), fsync it,
 * rename it over the target, fsync the folder. Readers see the old file or the whole new one, never
 * a part; on any error (a full disk included) the temp is removed and the earlier file stays as it was.
 * @throws Error naming `file` (for ENOSPC/EDQUOT: "no space left on the device", code kept)
 */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  const tmp = `${file}.tmp-${process.pid}-${crypto.randomBytes(4).toString("hex")}`;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    checkFreeSpace(path.dirname(file), typeof data === "string" ? Buffer.byteLength(data) : data.byteLength);
    const fd = fs.openSync(tmp, "w");
    try {
      writeAllSync(fd, data);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
    fsyncDir(path.dirname(file));
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw writeError(file, e);
  }
}

/** JSON.stringify + atomic write, pretty-printed. */
export function writeJsonAtomic(file: string, value: unknown): void {
  writeFileAtomic(file, JSON.stringify(value, null, 2) + "\n");
}

/** Read and parse a JSON file, naming the file in any error. */
export function readJson<T = unknown>(file: string): T {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new Error(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw new Error(`${file} is not valid JSON: ${(e as Error).message}`);
  }
}

/** sha256 of a file, streamed (hex). */
export async function sha256File(file: string): Promise<string> {
  const h = crypto.createHash("sha256");
  for await (const chunk of fs.createReadStream(file)) h.update(chunk as Buffer);
  return h.digest("hex");
}
