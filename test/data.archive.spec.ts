import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as zlib from "zlib";
import { extractTarGz, extractZip, ArchiveError } from "../lib/data/archive";
import { makeTarGz, makeZip } from "./archive_fixtures";

/** Extract `buf` as `name` into a fresh folder; the rejection (an ArchiveError) and what was written. */
async function hostile(kind: "zip" | "tgz", name: string, buf: Buffer): Promise<{ error: Error; written: string[]; dir: string }> {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), "nm-hostile-"));
  const f = path.join(d, name);
  fs.writeFileSync(f, buf);
  const out = path.join(d, "out");
  fs.mkdirSync(out);
  let error: Error | null = null;
  try {
    await (kind === "zip" ? extractZip(f, out) : extractTarGz(f, out));
  } catch (e) {
    error = e as Error;
  }
  assert.ok(error instanceof ArchiveError, `${name} was extracted; it must be refused`);
  assert.ok(error!.message.includes(name), `the error names the archive: ${error!.message}`);
  const written: string[] = [];
  const walk = (p: string): void => { for (const e of fs.readdirSync(p, { withFileTypes: true })) { const q = path.join(p, e.name); if (e.isDirectory()) walk(q); else written.push(path.relative(out, q)); } };
  walk(out);
  return { error: error!, written, dir: d };
}

describe("data/archive: hostile archives are refused, and nothing escapes the destination", function () {
  this.timeout(60_000);

  it("member paths that climb out or are absolute (zip and tar, / and \\ and drive letters)", async () => {
    const cases: Array<["zip" | "tgz", string, Buffer, RegExp]> = [
      ["zip", "dotdot.zip", makeZip({ "ok.txt": Buffer.from("x"), "a/../../evil.txt": Buffer.from("x") }), /escapes the destination/],
      ["zip", "abs.zip", makeZip({ "/etc/evil": Buffer.from("x") }), /absolute path/],
      ["zip", "drive.zip", makeZip({ "C:\\evil.txt": Buffer.from("x") }), /absolute path/],
      ["zip", "backslash.zip", makeZip({ "..\\evil.txt": Buffer.from("x") }), /escapes the destination/],
      ["tgz", "dotdot.tar.gz", makeTarGz({ "../evil.txt": Buffer.from("x") }), /escapes the destination/],
      ["tgz", "abs.tar.gz", makeTarGz({ "/tmp/evil.txt": Buffer.from("x") }), /absolute path/],
    ];
    for (const [kind, name, buf, re] of cases) {
      const r = await hostile(kind, name, buf);
      assert.match(r.error.message, re, name);
      assert.ok(!fs.existsSync(path.join(r.dir, "evil.txt")) && !fs.existsSync(path.join(path.dirname(r.dir), "evil.txt")), `${name} wrote outside`);
    }
  });

  it("symbolic and hard links in a tar (a link out, then a file through it) are refused", async () => {
    const symlink = await hostile("tgz", "symlink.tar.gz", makeTarGz({ "link": Buffer.alloc(0), "link/passwd": Buffer.from("x") }, { link: { type: "2", target: "/etc" } }));
    assert.match(symlink.error.message, /member 'link' is a link; links are not extracted/);
    assert.deepEqual(symlink.written, []);
    const hard = await hostile("tgz", "hardlink.tar.gz", makeTarGz({ "h": Buffer.alloc(0) }, { h: { type: "1", target: "/etc/passwd" } }));
    assert.match(hard.error.message, /is a link/);
  });

  it("a ZIP member that decompresses past its declared size (a bomb) stops at that size, not at the disk's end", async () => {
    const big = Buffer.alloc(8 << 20); // 8 MiB of zeros deflate to ~8 kB
    const r = await hostile("zip", "bomb.zip", makeZip({ "zeros.bin": big }, true, () => 1000));
    assert.match(r.error.message, /decompresses past its declared 1000 bytes \(a decompression bomb\?\)/);
    const f = path.join(r.dir, "out", "zeros.bin");
    assert.ok(!fs.existsSync(f) || fs.statSync(f).size <= 1000 + 65536, "no more than the declared size (plus one chunk) reached the disk");
  });

  it("a ZIP whose declared sizes do not fit on the disk is refused before anything is written", async () => {
    const r = await hostile("zip", "huge.zip", makeZip({ "a.bin": Buffer.from("x") }, true, () => 0xffffffff - 1));
    // 4 GiB declared: refused by the free-space check where the disk has less, else by the size check.
    assert.match(r.error.message, /bytes free|decompressed to 1 bytes, the directory says/);
    assert.deepEqual(r.written.filter((w) => fs.statSync(path.join(r.dir, "out", w)).size > 1), []);
  });

  it("truncated and corrupt streams (tar.gz cut inside a member, gzip garbage) are refused naming the archive", async () => {
    const tgz = makeTarGz({ "a.bin": Buffer.alloc(200_000, 7) });
    const cut = zlib.gzipSync(zlib.gunzipSync(tgz).subarray(0, 512 + 1000));
    assert.match((await hostile("tgz", "cut-member.tar.gz", cut)).error.message, /truncated|cut short|corrupt/);
    assert.match((await hostile("tgz", "garbage.tar.gz", Buffer.from("not gzip at all"))).error.message, /truncated|corrupt|gzip|header/i);
  });
});
