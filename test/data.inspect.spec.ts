import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import sharp from "sharp";
import { inspectDir, formatInspectReport } from "../lib/data/inspect";
import { listClassFolder } from "../lib/data/folders";
import { loadImages } from "../lib/data/images";
import { command as dataCommand } from "../lib/cli/data";

/** A 2048×2048 grey JPEG with smooth structure plus noise (about what a TEM camera writes). */
async function bigJpeg(file: string, seed: number): Promise<void> {
  const n = 2048;
  const px = Buffer.alloc(n * n);
  let s = seed >>> 0;
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      px[y * n + x] = 120 + Math.round(40 * Math.sin((x + seed * 50) / 90) * Math.cos(y / 70)) + ((s >>> 24) % 20);
    }
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  await sharp(px, { raw: { width: n, height: n, channels: 1 } }).jpeg({ quality: 85 }).toFile(file);
}

describe("data: inspect", () => {
  let dir = "";
  before(async function () {
    this.timeout(120000);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "nanomorph-inspect-"));
    for (let i = 0; i < 3; i++) await bigJpeg(path.join(dir, "dispersed", `d${i}.jpg`), i);
    for (let i = 0; i < 2; i++) await bigJpeg(path.join(dir, "network", `n${i}.jpg`), 10 + i);
    // problems to find: a truncated JPEG, a tif and a jpg of the same image, a mask mixed in, a stray text file
    const good = fs.readFileSync(path.join(dir, "network", "n0.jpg"));
    fs.writeFileSync(path.join(dir, "network", "broken.jpg"), good.subarray(0, 300));
    await sharp(path.join(dir, "network", "n1.jpg")).tiff().toFile(path.join(dir, "network", "n1.tif"));
    await sharp({ create: { width: 64, height: 64, channels: 3, background: { r: 0, g: 255, b: 0 } } }).png().toFile(path.join(dir, "dispersed", "d0_label.png"));
    fs.writeFileSync(path.join(dir, "network", "notes.txt"), "microscope log");
  });

  it("reports classes, counts, 2048x2048 sizes, formats and the problems of a folder of large JPEGs", async () => {
    const t0 = Date.now();
    const r = await inspectDir(dir);
    const ms = Date.now() - t0;
    assert.equal(r.layout, "class-folders");
    const [disp, net] = r.splits[""];
    assert.equal(disp.name, "dispersed");
    assert.equal(disp.count, 3);
    assert.deepEqual(disp.sizes, { "2048x2048": 3 });
    assert.deepEqual(disp.formats, { jpeg: 3 });
    assert.equal(disp.maskFiles, 1);
    assert.equal(net.count, 3, "n0, n1.jpg and n1.tif read; broken.jpg is a problem");
    assert.deepEqual(net.formats, { jpeg: 2, tiff: 1 });
    const text = r.problems.join("\n");
    assert.match(text, /broken\.jpg: unreadable/);
    assert.match(text, /n1\.(tif|jpg): same name as n1\.(jpg|tif)/);
    assert.match(text, /mask file/);
    assert.match(text, /non-image file/);
    assert.match(formatInspectReport(r), /dispersed\s+3\s+formats: jpeg×3\s+sizes: 2048x2048×3/);
    console.log(`      (inspect of 7 files incl. 6 of 2048x2048: ${ms} ms)`);
  });

  it("--decode finds a JPEG whose tail is cut (headers alone look fine)", async () => {
    const d2 = fs.mkdtempSync(path.join(os.tmpdir(), "nanomorph-inspect-"));
    fs.mkdirSync(path.join(d2, "a"));
    const good = fs.readFileSync(path.join(dir, "dispersed", "d1.jpg"));
    fs.writeFileSync(path.join(d2, "a", "tail-cut.jpg"), good.subarray(0, Math.floor(good.length * 0.6)));
    fs.copyFileSync(path.join(dir, "dispersed", "d2.jpg"), path.join(d2, "a", "ok.jpg"));
    const quick = await inspectDir(d2);
    assert.equal(quick.splits[""][0].count, 2);
    const deep = await inspectDir(d2, { decode: true });
    assert.equal(deep.splits[""][0].count, 1);
    assert.match(deep.problems.join("\n"), /tail-cut\.jpg: unreadable/);
  });

  it("the CLI prints the report, and the loader squeezes the 2048x2048 images to 224 px", async () => {
    const out: string[] = [];
    const orig = console.log;
    console.log = (...a: unknown[]) => { out.push(a.join(" ")); };
    try {
      assert.equal(await dataCommand.run(["inspect", dir]), 1, "the folder has problems (a broken file, masks mixed in): exit 1");
    } finally {
      console.log = orig;
    }
    assert.match(out.join("\n"), /class-folders, 6 images/);
    const listed = listClassFolder(dir).files.map((f) => path.relative(dir, f));
    assert.ok(!listed.includes("dispersed/d0_label.png"), "masks beside images are not listed as images");
    const files = listClassFolder(dir).files.filter((f) => f.endsWith(".jpg") && !f.includes("broken"));
    const x = await loadImages(files, 224, { cache: false });
    assert.deepEqual(x.shape, [files.length, 224, 224, 3]);
    const mean = x.mean().dataSync()[0];
    x.dispose();
    // the images were drawn around grey level 120 + noise 0..19: mean ≈ 129.5/255 ≈ 0.51
    assert.ok(Math.abs(mean - 129.5 / 255) < 0.03, `mean ${mean}`);
  });
});

describe("data: inspect shows each file's calibration and where it came from", () => {
  let dir = "";
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "nanomorph-inspect-cal-"));
    const grey = (f: string): Promise<unknown> => sharp({ create: { width: 128, height: 96, channels: 3, background: { r: 80, g: 80, b: 80 } } }).jpeg().toFile(path.join(dir, f));
    for (const f of ["jeol.jpg", "hitachi_zero.jpg", "plain.jpg"]) await grey(f);
    fs.writeFileSync(path.join(dir, "jeol.txt"), "$CM_FORMAT JEOL/SEM\n$CM_FULL_SIZE 128 96\n$$SM_MICRON_BAR 50\n$$SM_MICRON_MARKER 1um\n");
    fs.writeFileSync(path.join(dir, "hitachi_zero.txt"), "[SemImageFile]\nDataSize=128x96\nPixelSize=0\n");
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("lists nm/px with its source, names unusable fields as a problem, and does not call sidecars stray files", async () => {
    const r = await inspectDir(dir);
    const c = r.splits[""][0];
    assert.equal(c.count, 3);
    assert.equal(c.calibrations["jeol.jpg"]?.nmPerPxX, 20);
    assert.equal(c.calibrations["jeol.jpg"]?.source, "sidecar");
    assert.equal(c.calibrations["plain.jpg"], null);
    assert.match(c.unusableCalibrations["hitachi_zero.jpg"], /PixelSize.*0 nm is not a positive number/);
    assert.deepEqual(r.problems.map((p) => path.basename(p.split(":")[0])), ["hitachi_zero.jpg"], r.problems.join("\n"));
    const text = formatInspectReport(r);
    assert.match(text, /calibration jeol\.jpg: 20 nm\/px \(sidecar: JEOL sidecar jeol\.txt/);
    assert.match(text, /calibration hitachi_zero\.jpg: none \(unusable: Hitachi sidecar/);
    assert.match(text, /calibration: none in the metadata of 1 other file\(s\)/);
  });
});
