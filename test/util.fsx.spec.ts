import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { writeFileAtomic, writeJsonAtomic, writeAllSync, readJson, checkFreeSpace, FREE_SPACE_CHECK_BYTES } from "../lib/util/fsx";

/**
 * writeFileAtomic under a disk that writes short and then fills up (fs.writeSync patched in this
 * process; test/faults.writes.spec.ts does the same to real CLI processes and on a real small tmpfs).
 */
describe("util/fsx: atomic writes on a short-writing, full disk", () => {
  let dir: string;
  // The fs module object itself (the `import *` namespace only has getters onto it).
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const nodeFs = require("fs") as { writeSync: typeof fs.writeSync };
  const realWrite = fs.writeSync;
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), "nm-fsx-")); });
  afterEach(() => {
    (nodeFs as { writeSync: unknown }).writeSync = realWrite;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Make fs.writeSync write at most `chunk` bytes per call and fail with ENOSPC after `budget` bytes. */
  function faultyDisk(chunk: number, budget = Infinity): void {
    let left = budget;
    (nodeFs as { writeSync: unknown }).writeSync = (fd: number, buf: Uint8Array, off = 0, len = buf.length - off, pos?: number): number => {
      const n = Math.min(len, chunk, left);
      if (n <= 0 && len > 0) throw Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
      left -= n;
      return realWrite(fd, buf, off, n, pos);
    };
  }

  it("writes every byte when each write call writes only 7 bytes", () => {
    faultyDisk(7);
    const file = path.join(dir, "a.json");
    const value = { text: "é".repeat(300), xs: Array.from({ length: 200 }, (_, i) => i * 0.5) };
    writeJsonAtomic(file, value);
    assert.deepEqual(readJson(file), value);
    const bytes = Uint8Array.from({ length: 5000 }, (_, i) => (i * 31) % 256);
    writeFileAtomic(path.join(dir, "b.bin"), bytes);
    assert.deepEqual(new Uint8Array(fs.readFileSync(path.join(dir, "b.bin"))), bytes);
  });

  it("a full disk (ENOSPC) is an error naming the file; the earlier file is whole and no temp is left", () => {
    const file = path.join(dir, "particles.json");
    writeJsonAtomic(file, { run: 1, data: "x".repeat(1000) });
    const before = fs.readFileSync(file, "utf8");
    faultyDisk(100, 500);
    assert.throws(() => writeJsonAtomic(file, { run: 2, data: "y".repeat(5000) }),
      (e: NodeJS.ErrnoException) => e.code === "ENOSPC" && e.message.includes(file) && /no space left on the device.*earlier content is unchanged/.test(e.message));
    assert.equal(fs.readFileSync(file, "utf8"), before);
    assert.deepEqual(fs.readdirSync(dir), ["particles.json"]);
  });

  it("a write call that makes no progress is ENOSPC, not an endless loop", () => {
    (nodeFs as { writeSync: unknown }).writeSync = (): number => 0;
    const fd = fs.openSync(path.join(dir, "z"), "w");
    try {
      assert.throws(() => writeAllSync(fd, "abc"), (e: NodeJS.ErrnoException) => e.code === "ENOSPC");
    } finally {
      fs.closeSync(fd);
    }
  });
});

describe("util/fsx: free space is checked before a large write", () => {
  it("checkFreeSpace refuses more bytes than the file system has (ENOSPC), and ignores small writes", () => {
    const dir = os.tmpdir();
    assert.throws(() => checkFreeSpace(dir, Number.MAX_SAFE_INTEGER), (e: NodeJS.ErrnoException) => e.code === "ENOSPC" && /bytes to write, \d+ free in/.test(e.message));
    assert.doesNotThrow(() => checkFreeSpace(dir, FREE_SPACE_CHECK_BYTES - 1));
    assert.doesNotThrow(() => checkFreeSpace(dir, FREE_SPACE_CHECK_BYTES));
  });
});
