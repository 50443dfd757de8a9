import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { tmpDir, writeClassFolder, writeGreyPng, writeFloatTiff, runCli } from "./faults_helpers";
import { decodeImage } from "../lib/data/decode";
import { inspectDir } from "../lib/data/inspect";
import { analyseImage } from "../lib/particles/image_particles";
import { initBackend } from "../lib/backend/index";
import { loadEncoder, saveKerasH5 } from "../lib/models/index";
import { hdf5Problem } from "../lib/models/h5_check";
import { prepareOutputDir } from "../lib/util/output_dir";
import { preparePairs } from "../lib/seg/pairs";
import { command as segment } from "../lib/cli/segment";
import { command as probe } from "../lib/cli/probe";
import { checkProbeClasses } from "../lib/probe/class_checks";
import { listProbeImages } from "../lib/probe/dataset";
import { extractFeatures } from "../lib/probe/features";
import { quantifyFiles, summaryRow } from "../lib/quantify/quantify_image";
import { toCsv } from "../lib/util/csv";
import { loadImages } from "../lib/data/images";

/** Bad inputs named in issue 14: each gets a clear error naming the file/option (or a warning) before any work. */
describe("faults: bad inputs and output locations", function () {
  this.timeout(60000);
  let dir: string;
  let savedCache: string | undefined;
  before(async () => {
    await initBackend();
    dir = tmpDir("inputs");
    savedCache = process.env.NANOMORPH_CACHE;
    process.env.NANOMORPH_CACHE = path.join(dir, "cache");
  });
  after(() => {
    if (savedCache === undefined) delete process.env.NANOMORPH_CACHE; else process.env.NANOMORPH_CACHE = savedCache;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  describe("Keras .h5 encoders that are empty, not HDF5 or cut", () => {
    let good: string;
    before(async () => {
      good = path.join(dir, "good.h5");
      const enc = await loadEncoder("resnet8", { seed: 3 });
      await saveKerasH5(enc.params, good);
      enc.dispose();
    });

    it("a whole file passes the header check; empty, text and truncated files are named with the reason", async () => {
      assert.equal(hdf5Problem(good), null);
      const bytes = fs.readFileSync(good);
      const cases: Array<[string, Buffer, RegExp]> = [
        ["empty.h5", Buffer.alloc(0), /empty \(0 bytes\)/],
        ["text.h5", Buffer.from("<html>404 not found</html>"), /is not an HDF5 file/],
        ["cut.h5", bytes.subarray(0, Math.floor(bytes.length / 2)), new RegExp(`truncated: its HDF5 header says ${bytes.length} bytes`)],
        ["header-only.h5", bytes.subarray(0, 20), /truncated inside its HDF5 header/],
      ];
      for (const [name, data, re] of cases) {
        const f = path.join(dir, name);
        fs.writeFileSync(f, data);
        await assert.rejects(loadEncoder(f), (e: Error) => e.message.includes(f) && re.test(e.message) && /download or export/.test(e.message), name);
      }
    });

    it("the CLI prints one line for a cut .h5, not HDF5 library diagnostics", async () => {
      const data = path.join(dir, "h5data");
      await writeClassFolder(data, ["a", "b"], 2, 32);
      const r = await runCli(["probe", "--data", data, "--encoder", path.join(dir, "cut.h5"), "--labels-per-class", "1", "--splits", "1"]);
      assert.equal(r.code, 1, r.err);
      assert.ok(!/name not defined|HDF5-DIAG/.test(r.err), r.err);
      assert.match(r.err, /cut\.h5 is truncated/);
      assert.ok(r.err.trim().split("\n").length <= 4, r.err);
    });
  });

  describe("output locations are checked before any work", () => {
    it("prepareOutputDir refuses a file in the way, a parent that is a file and an input folder; it removes stale outputs", () => {
      const file = path.join(dir, "afile");
      fs.writeFileSync(file, "x");
      assert.throws(() => prepareOutputDir(file, { option: "x --out" }), /x --out .*afile is a file, not a folder/);
      assert.throws(() => prepareOutputDir(path.join(file, "sub"), { option: "x --out" }), /afile is a file, so the folder cannot be created/);
      const input = path.join(dir, "in");
      fs.mkdirSync(input, { recursive: true });
      assert.throws(() => prepareOutputDir(input, { option: "x --out", inputs: [input] }), /the same folder as the input folder/);
      assert.throws(() => prepareOutputDir(path.join(input, "new", "deeper"), { option: "x --out", inputs: [input] }), /inside the input folder/);
      const out = path.join(dir, "out");
      fs.mkdirSync(out);
      fs.writeFileSync(path.join(out, "old_pred.png"), "");
      fs.writeFileSync(path.join(out, "keep.txt"), "");
      const r = prepareOutputDir(out, { option: "x --out", inputs: [input], staleOutputs: /_pred\.png$/ });
      assert.deepEqual(r.removed, [path.join(out, "old_pred.png")]);
      assert.deepEqual(fs.readdirSync(out).sort(), ["keep.txt"]);
    });

    async function pairs(n: number, imgSide = 40, maskSide = imgSide): Promise<{ images: string; masks: string }> {
      const images = path.join(dir, `seg-${n}-${imgSide}-${maskSide}`, "images"), masks = path.join(dir, `seg-${n}-${imgSide}-${maskSide}`, "masks");
      for (let i = 0; i < n; i++) {
        await writeGreyPng(path.join(images, `p${i}.png`), imgSide, imgSide, (k) => (k * 7 + i) % 256);
        await writeGreyPng(path.join(masks, `p${i}.png`), maskSide, maskSide, (k) => (k % maskSide < maskSide / 2 ? 255 : 0));
      }
      return { images, masks };
    }

    it("segment: --out a file, --out the masks folder, --batch 0, --lr -1, --threshold 2 are refused before training", async () => {
      const p = await pairs(3);
      const base = ["--images", p.images, "--masks", p.masks, "--encoder", "resnet8", "--size", "32", "--epochs", "1"];
      const file = path.join(dir, "afile");
      await assert.rejects(segment.run([...base, "--out", file]), /segment --out .*afile is a file, not a folder/);
      await assert.rejects(segment.run([...base, "--out", p.masks]), /segment --out .* is the same folder as the input folder/);
      await assert.rejects(segment.run([...base, "--batch", "0"]), /--batch must be an integer in 1\.\.4096, got '0'/);
      await assert.rejects(segment.run([...base, "--lr=-1"]), /--lr must be a number in \(0, 10\]/);
      await assert.rejects(segment.run([...base, "--threshold", "2"]), /--threshold must be a number in \(0, 1\)/);
    });

    it("segment: a second run into the same --out replaces the first run's predictions, and headers show the threshold", async () => {
      const p = await pairs(3);
      const out = path.join(dir, "segout");
      fs.mkdirSync(out, { recursive: true });
      fs.writeFileSync(path.join(out, "stale_pred.png"), "old run");
      const logs: string[] = [];
      const orig = console.log, origErr = console.error;
      console.log = (...a: unknown[]) => { logs.push(a.join(" ")); };
      console.error = () => undefined;
      try {
        assert.equal(await segment.run(["--images", p.images, "--masks", p.masks, "--encoder", "resnet8", "--size", "32", "--epochs", "1", "--train", "2", "--threshold", "0.3", "--out", out]), 0);
      } finally {
        console.log = orig; console.error = origErr;
      }
      assert.ok(!fs.existsSync(path.join(out, "stale_pred.png")), "an earlier run's prediction is removed");
      assert.equal(fs.readdirSync(out).filter((f) => f.endsWith("_pred.png")).length, 1);
      assert.match(logs[0], /dice@\.3 +iou@\.3/);
    });

    it("preparePairs (resize mode) refuses a mask of another size than its image, and a tiny image", async () => {
      const bad = await pairs(2, 40, 24);
      await assert.rejects(preparePairs([path.join(bad.images, "p0.png")], [path.join(bad.masks, "p0.png")], 32, "resize"),
        /mask .*p0\.png is 24×24 but image .*p0\.png is 40×40/);
      const tiny = await pairs(1, 1, 1);
      await assert.rejects(preparePairs([path.join(tiny.images, "p0.png")], [path.join(tiny.masks, "p0.png")], 32, "resize"), /is 1×1 px; segmentation needs at least 8×8/);
    });

    it("probe: --out a file and a one-class folder fail before any feature is computed", async () => {
      const two = path.join(dir, "probe2");
      await writeClassFolder(two, ["a", "b"], 3, 32);
      const one = path.join(dir, "probe1");
      await writeClassFolder(one, ["only"], 4, 32);
      const origErr = console.error;
      console.error = () => undefined;
      try {
        await assert.rejects(probe.run(["--data", two, "--encoder", "resnet8", "--out", path.join(dir, "afile")]), /probe --out .*afile is a file/);
        await assert.rejects(probe.run(["--data", one, "--encoder", "resnet8"]), /probe1 has 1 class folder\(s\) \(only\); a probe needs at least 2 classes/);
      } finally {
        console.error = origErr;
      }
      assert.ok(!fs.existsSync(path.join(dir, "cache", "features")), "no features were computed");
    });

    it("probe: a class of one image is warned about (it cannot be tested on)", async () => {
      const d = path.join(dir, "probe-small");
      await writeClassFolder(d, ["a", "b"], 3, 32);
      await writeClassFolder(path.join(d, "_"), ["c"], 1, 32);
      fs.renameSync(path.join(d, "_", "c"), path.join(d, "c"));
      fs.rmSync(path.join(d, "_"), { recursive: true });
      const w = checkProbeClasses(listProbeImages(d), d);
      assert.equal(w.length, 1);
      assert.match(w[0], /class 'c' has 1 image; .*test accuracy is computed without it/);
    });
  });

  describe("images that are missing, empty, cut or renamed (already handled: guarded here)", () => {
    it("loadImages names the file for missing, empty and truncated images; a renamed PNG is read by its contents", async () => {
      const d = path.join(dir, "imgs");
      await writeClassFolder(d, ["a"], 2, 32);
      const good = path.join(d, "a", "0.png");
      const bytes = fs.readFileSync(good);
      fs.writeFileSync(path.join(d, "empty.png"), "");
      fs.writeFileSync(path.join(d, "cut.png"), bytes.subarray(0, 60));
      fs.copyFileSync(good, path.join(d, "renamed.jpg"));
      for (const [name, re] of [["missing.png", /ENOENT|does not exist|no such file/i], ["empty.png", /empty/], ["cut.png", /read error|truncated|corrupt|unsupported/i]] as const) {
        const f = path.join(d, name);
        await assert.rejects(loadImages([f], 32, { cache: false }), (e: Error) => e.message.includes(f) && re.test(e.message), name);
      }
      const x = await loadImages([path.join(d, "renamed.jpg")], 32, { cache: false });
      assert.deepEqual(x.shape, [1, 32, 32, 3]);
      x.dispose();
    });
  });

  describe("caches and result tables", () => {
    it("a corrupt feature-cache .json is recomputed, not fatal", async () => {
      const d = path.join(dir, "feat");
      await writeClassFolder(d, ["a"], 3, 32);
      const files = fs.readdirSync(path.join(d, "a")).map((f) => path.join(d, "a", f)).sort();
      const enc = await loadEncoder("resnet8", { seed: 1 });
      try {
        const first = await extractFeatures(enc, files, { size: 32 });
        const meta = path.join(dir, "cache", "features", `${first.key}.json`);
        fs.writeFileSync(meta, '{"rows": 3, "co'); // cut mid-write
        const again = await extractFeatures(enc, files, { size: 32 });
        assert.equal(again.fromCache, false);
        assert.deepEqual(Array.from(again.X.data), Array.from(first.X.data));
        assert.equal((await extractFeatures(enc, files, { size: 32 })).fromCache, true, "the rewritten entry is valid again");
      } finally {
        enc.dispose();
      }
    });

    it("quantify: an all-foreground mask gives empty cells with a note, never Infinity", async () => {
      const f = path.join(dir, "q", "allfg.png");
      await writeGreyPng(f, 24, 24, () => 255);
      const [rep] = await quantifyFiles([f]);
      const row = summaryRow(rep);
      for (const [k, v] of Object.entries(row)) if (typeof v === "number") assert.ok(!(v === Infinity || v === -Infinity), `${k} is ${v}`);
      assert.match(row.note, /no background pixel \(all foreground\)/);
      const csv = toCsv([row]);
      assert.ok(!/Infinity|NaN|null/.test(csv), csv);
    });
  });

  describe("bounded work (issue 24)", () => {
    it("probe --splits 1e9 is a usage error before any work, not an out-of-memory abort", async () => {
      await assert.rejects(probe.run(["--data", dir, "--splits", "1e9"]), /--splits must be an integer in 1..10000, got '1e9'/);
    });
  });

  describe("numbers: NaN/Inf pixels (issue 24)", () => {
    it("a 10×10 NaN block in a float TIFF is reported by inspect --decode and is never foreground (not a 100-px particle)", async () => {
      // Dark disc particles (0.2) on a bright background (0.8): the NaN block used to decode as 0, the
      // darkest value, and became a particle.
      const f = path.join(dir, "nan", "a", "nan.tif");
      const w = 64, h = 64;
      writeFloatTiff(f, w, h, (i) => {
        const x = i % w, y = Math.floor(i / w);
        if (x >= 40 && x < 50 && y >= 40 && y < 50) return NaN;
        if (x === 5 && y === 60) return Infinity;
        return (x - 20) ** 2 + (y - 20) ** 2 <= 64 ? 0.2 : 0.8;
      });
      const img = await decodeImage(f, { channels: "native" });
      assert.equal(img.missingCount, 101);
      assert.equal(img.missing![45 * w + 45], 1);
      assert.equal(img.missing![20 * w + 20], 0);
      const rep = await inspectDir(path.join(dir, "nan"), { decode: true });
      assert.ok(rep.problems.some((p) => /nan\.tif: 101 of 4096 pixels are NaN\/Inf .*treated as missing/.test(p)), rep.problems.join("\n"));
      const a = await analyseImage(f, "a", { kind: "otsu", polarity: "dark" }, null, { minArea: 5, dropBorder: false });
      const ps = a.extracted.particles;
      assert.equal(ps.length, 1, JSON.stringify(ps.map((p) => [p.areaPixels, p.centroid])));
      assert.ok(Math.abs(ps[0].centroid[0] - 20) < 1 && Math.abs(ps[0].centroid[1] - 20) < 1);
    });
  });

  describe("stacks in ordinary image files (issue 24)", () => {
    it("an animated GIF is refused without --stack-slice (naming it); a multi-page TIFF is read at page 0 and says so; both read the slice given", async () => {
      const w = 16, h = 16, n = 3;
      // Page k is uniformly 40 + 80·k, so the page read is visible in the pixels.
      const raw = Buffer.alloc(w * h * n);
      for (let i = 0; i < raw.length; i++) raw[i] = 40 + 80 * Math.floor(i / (w * h));
      const sharp = (await import("sharp")).default;
      for (const fmt of ["tiff", "gif"] as const) {
        const f = path.join(dir, `stack.${fmt === "tiff" ? "tif" : "gif"}`);
        await sharp(raw, { raw: { width: w, height: h * n, channels: 1, pageHeight: h } } as never)[fmt]().toFile(f);
        if (fmt === "gif") {
          await assert.rejects(decodeImage(f), (e: Error) => e.message.includes(f) && /holds 3 frames.*--stack-slice N \(0\.\.2/.test(e.message), fmt);
        } else {
          // issue 22: a multi-page TIFF is read at its first page (as its calibration is), never silently
          const saved = process.stderr.write.bind(process.stderr);
          const quiet = process.env.NANOMORPH_QUIET;
          let said = "";
          process.env.NANOMORPH_QUIET = "0";
          process.stderr.write = ((c: string) => { said += c; return true; }) as typeof process.stderr.write;
          try {
            const p0 = await decodeImage(f, { channels: "native" });
            assert.ok(Math.abs(p0.data[0] - 40) <= 2, `tiff page 0 pixel ${p0.data[0]}`);
          } finally {
            process.stderr.write = saved;
            if (quiet === undefined) delete process.env.NANOMORPH_QUIET; else process.env.NANOMORPH_QUIET = quiet;
          }
          assert.match(said, /holds 3 pages \(a stack\); reading page 0 \(--stack-slice N picks another, 0\.\.2\)/);
        }
        const p1 = await decodeImage(f, { channels: "native", stackSlice: 1 });
        assert.equal(p1.height, h, fmt);
        assert.ok(Math.abs(p1.data[0] - 120) <= 2, `${fmt} page 1 pixel ${p1.data[0]}`);
        await assert.rejects(decodeImage(f, { stackSlice: 3 }), /--stack-slice 3 is out of range, past the last \(2\)/);
      }
    });
  });

  describe("an unusable cache (issue 24)", () => {
    it("a cache folder that cannot be created is one line naming it and NANOMORPH_CACHE, not 'ENOENT … mkdir'", async () => {
      const { main } = await import("../lib/cli/main");
      const blocker = path.join(dir, "cache-blocker");
      fs.writeFileSync(blocker, "a file where the cache folder should be");
      const saved = process.env.NANOMORPH_CACHE;
      process.env.NANOMORPH_CACHE = path.join(blocker, "cache");
      const lines: string[] = [];
      const err = console.error;
      console.error = (...a: unknown[]) => { lines.push(a.join(" ")); };
      try {
        assert.equal(await main(["pretrain", "--method", "simclr", "--out", path.join(dir, "pt-nocache"), "--epochs", "1"]), 1);
      } finally {
        console.error = err;
        process.env.NANOMORPH_CACHE = saved;
      }
      const text = lines.join("\n");
      assert.match(text, /cannot write to the cache folder .*cache-blocker\/cache \((ENOTDIR|EEXIST|ENOENT) at .*\).*Set NANOMORPH_CACHE to a writable folder/, text);
    });
  });
});
