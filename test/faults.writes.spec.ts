import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { execFileSync } from "child_process";
import { runCli, tmpDir, writeGreyPng } from "./faults_helpers";

/**
 * A disk that writes short and fills up, under real CLI processes: `particles --out` either replaces
 * all three earlier files with whole new ones or leaves them byte for byte, and a full disk is a
 * non-zero exit naming the file. Two ways to get a full disk: a real 1 MiB tmpfs (needs mount
 * privileges; skipped with a reason otherwise) and test/fixtures/full_disk.js preloaded into the
 * child (fs.writeSync short and then ENOSPC), which works everywhere.
 */
describe("faults: full disk and short writes (real processes)", function () {
  this.timeout(120000);
  let dir: string, images: string;
  const fixture = path.join(__dirname, "fixtures", "full_disk.js");

  /** Grey 96×96 images with a few bright discs on a dark background. */
  before(async () => {
    dir = tmpDir("writes");
    images = path.join(dir, "images");
    for (let n = 0; n < 3; n++) {
      const centres = [[20, 20], [60, 30], [40, 70], [75, 75]].slice(0, 2 + n);
      await writeGreyPng(path.join(images, `im${n}.png`), 96, 96, (i) => {
        const x = i % 96, y = Math.floor(i / 96);
        return centres.some(([cx, cy]) => (x - cx) ** 2 + (y - cy) ** 2 <= 81) ? 200 : 30;
      });
    }
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const files = (out: string): Record<string, string> =>
    Object.fromEntries(fs.readdirSync(out).filter((f) => /^particles/.test(f) && !f.endsWith(".status.json")).sort().map((f) => [f, fs.readFileSync(path.join(out, f), "utf8")]));
  const particles = (out: string, extra: string[] = [], env: Record<string, string> = {}) =>
    runCli(["particles", "--images", images, "--otsu", "--min-area", "5", "--out", out, ...extra], env);

  it("every write cut to 13 bytes still gives whole files, identical to an undisturbed run", async () => {
    const a = path.join(dir, "plain"), b = path.join(dir, "short");
    assert.equal((await particles(a)).code, 0);
    const r = await particles(b, [], { NODE_OPTIONS: `--require ${fixture}`, NM_FAULT_WRITE_CHUNK: "13", NM_FAULT_WRITE_MATCH: b });
    assert.equal(r.code, 0, r.err);
    const fa = files(a), fb = files(b);
    assert.deepEqual(Object.keys(fa), ["particles.csv", "particles.html", "particles.json", "particles_summary.csv"]);
    // particles.json names the input and output folders only through settings that are the same here.
    assert.deepEqual(fb, fa);
  });

  it("a disk that fills up half-way: exit non-zero naming the file and 'no space left'; the earlier three files intact", async () => {
    const out = path.join(dir, "full");
    fs.cpSync(path.join(dir, "plain"), out, { recursive: true }); // the undisturbed run of the test above
    const before = files(out);
    // The budget holds the analysed images kept for resuming and runs out in the outputs (particles.html is ~5 MB).
    const r = await particles(out, ["--min-area", "6"], { NODE_OPTIONS: `--require ${fixture}`, NM_FAULT_WRITE_CHUNK: "64", NM_FAULT_WRITE_BUDGET: "200000", NM_FAULT_WRITE_MATCH: out });
    assert.notEqual(r.code, 0, r.out);
    assert.match(r.err, /could not write .*particles.* no space left on the device \(ENOSPC\)/);
    assert.deepEqual(files(out), before);
    assert.deepEqual(fs.readdirSync(out).filter((f) => /\.tmp-|^\.staging|^\.previous|\.lock$/.test(f)), []);
    assert.match(r.err, /particles: failed; nothing of this run was kept .*earlier run's outputs there are unchanged/);
    // Space freed, the same command resumes from the analysed images and writes its outputs.
    const again = await particles(out, ["--min-area", "6"]);
    assert.equal(again.code, 0, again.err);
    assert.match(again.err, /particles: resuming: \d+ image\(s\) analysed by the stopped run/);
    assert.ok(!fs.existsSync(path.join(out, ".particles-resume")));
  });

  it("the same on a real, nearly full 16 MiB tmpfs (particles.html inlines plotly.js, ~5 MB) (skipped without mount privileges)", async function () {
    const mnt = path.join(dir, "tmpfs");
    fs.mkdirSync(mnt);
    try {
      execFileSync("mount", ["-t", "tmpfs", "-o", "size=16m", "tmpfs", mnt], { stdio: "pipe" });
    } catch (e) {
      console.log(`      (skipped: cannot mount a tmpfs here: ${String((e as Error).message).split("\n")[0]})`);
      this.skip();
    }
    try {
      const out = path.join(mnt, "out");
      assert.equal((await particles(out)).code, 0);
      const before = files(out);
      // Fill the file system, leaving less than the new particles.json needs.
      const filler = path.join(mnt, "filler");
      const fd = fs.openSync(filler, "w");
      try {
        const block = Buffer.alloc(4096, 1);
        for (;;) fs.writeSync(fd, block);
      } catch (e) {
        assert.equal((e as NodeJS.ErrnoException).code, "ENOSPC");
      } finally {
        fs.closeSync(fd);
      }
      const r = await particles(out, ["--min-area", "6"]);
      assert.notEqual(r.code, 0, r.out);
      assert.match(r.err, /no space left on the device|ENOSPC/);
      assert.deepEqual(files(out), before);
    } finally {
      execFileSync("umount", [mnt]);
    }
  });
});
