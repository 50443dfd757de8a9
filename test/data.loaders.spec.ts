import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import sharp from "sharp";
import { sharedDataDir } from "./shared_data";
import * as tf from "@tensorflow/tfjs";
import {
  listClassFolder, listSplitFolder, pairImagesMasks, loadImages, loadImageSet, loadMasks, toFloatPixels,
  readMask, resizeMaskNearest, decodeImage, paperLabelRgb, ensureDataset, nanowireMaskPairs, datasetSpec,
} from "../lib/data/index";

/** Minimal uncompressed little-endian TIFF writer (16-bit, grey or RGB), as a microscope would write it. */
export function tiff16(pixels: Uint16Array, width: number, height: number, channels: 1 | 3): Buffer {
  const dataBytes = pixels.length * 2;
  const nEntries = 9;
  const ifdOffset = 8;
  const ifdSize = 2 + nEntries * 12 + 4;
  const bpsOffset = ifdOffset + ifdSize; // 3 SHORTs for RGB
  const dataOffset = bpsOffset + 8;
  const buf = Buffer.alloc(dataOffset + dataBytes);
  buf.write("II", 0, "ascii");
  buf.writeUInt16LE(42, 2);
  buf.writeUInt32LE(ifdOffset, 4);
  buf.writeUInt16LE(nEntries, ifdOffset);
  let o = ifdOffset + 2;
  const entry = (tag: number, type: number, count: number, value: number): void => {
    buf.writeUInt16LE(tag, o); buf.writeUInt16LE(type, o + 2); buf.writeUInt32LE(count, o + 4);
    if (type === 3 && count === 1) buf.writeUInt16LE(value, o + 8); else buf.writeUInt32LE(value, o + 8);
    o += 12;
  };
  entry(256, 4, 1, width);
  entry(257, 4, 1, height);
  if (channels === 1) entry(258, 3, 1, 16); else entry(258, 3, 3, bpsOffset);
  entry(259, 3, 1, 1);
  entry(262, 3, 1, channels === 1 ? 1 : 2);
  entry(273, 4, 1, dataOffset);
  entry(277, 3, 1, channels);
  entry(278, 4, 1, height);
  entry(279, 4, 1, dataBytes);
  buf.writeUInt32LE(0, o);
  for (let k = 0; k < 3; k++) buf.writeUInt16LE(16, bpsOffset + 2 * k);
  for (let i = 0; i < pixels.length; i++) buf.writeUInt16LE(pixels[i], dataOffset + 2 * i);
  return buf;
}

function tmpdir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "nanomorph-data-"));
}

async function greyPng(file: string, px: number[], w: number, h: number): Promise<void> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  await sharp(Buffer.from(px), { raw: { width: w, height: h, channels: 1 } }).toColourspace("b-w").png().toFile(file);
}

describe("data: folders", () => {
  it("lists class folders sorted, skipping _reserved folders and non-images", async () => {
    const d = tmpdir();
    await greyPng(path.join(d, "b", "2.png"), [1, 2, 3, 4], 2, 2);
    await greyPng(path.join(d, "b", "1.png"), [1, 2, 3, 4], 2, 2);
    await greyPng(path.join(d, "a", "x.png"), [1, 2, 3, 4], 2, 2);
    await greyPng(path.join(d, "_masks", "a", "x_label.png"), [1, 2, 3, 4], 2, 2);
    fs.writeFileSync(path.join(d, "a", "notes.txt"), "hi");
    const cf = listClassFolder(d);
    assert.deepEqual(cf.classes, ["a", "b"]);
    assert.deepEqual(cf.files.map((f) => path.relative(d, f)), ["a/x.png", "b/1.png", "b/2.png"]);
    assert.deepEqual(cf.labels, [0, 1, 1]);
    assert.throws(() => listClassFolder(d, { classes: ["a", "zzz"] }), /zzz is missing/);
  });

  it("lists split folders (val/ as validation) with one class list", async () => {
    const d = tmpdir();
    for (const s of ["train", "val", "test"]) for (const c of ["p", "q"]) await greyPng(path.join(d, s, c, `${s}${c}.png`), [0, 0, 0, 0], 2, 2);
    const sf = listSplitFolder(d);
    assert.deepEqual(sf.classes, ["p", "q"]);
    assert.deepEqual(Object.keys(sf.splits).sort(), ["test", "train", "validation"]);
    assert.deepEqual(sf.splits.validation?.labels, [0, 1]);
    fs.mkdirSync(path.join(d, "test", "r"));
    await greyPng(path.join(d, "test", "r", "r.png"), [0, 0, 0, 0], 2, 2);
    assert.throws(() => listSplitFolder(d), /train\/r is missing/);
  });

  it("pairs images with *_label.png masks and names a missing partner", async () => {
    const d = tmpdir();
    await greyPng(path.join(d, "img", "a.png"), [0, 0, 0, 0], 2, 2);
    await greyPng(path.join(d, "img", "b.png"), [0, 0, 0, 0], 2, 2);
    await greyPng(path.join(d, "msk", "a_label.png"), [0, 0, 0, 0], 2, 2);
    assert.throws(() => pairImagesMasks(path.join(d, "img"), path.join(d, "msk")), /image .*b\.png has no mask/);
    await greyPng(path.join(d, "msk", "b_label.png"), [0, 0, 0, 0], 2, 2);
    await greyPng(path.join(d, "msk", "c.png"), [0, 0, 0, 0], 2, 2);
    assert.throws(() => pairImagesMasks(path.join(d, "img"), path.join(d, "msk")), /mask .*c\.png has no image/);
    fs.rmSync(path.join(d, "msk", "c.png"));
    const p = pairImagesMasks(path.join(d, "img"), path.join(d, "msk"));
    assert.deepEqual(p.images.map((f) => path.basename(f)), ["a.png", "b.png"]);
    assert.deepEqual(p.masks.map((f) => path.basename(f)), ["a_label.png", "b_label.png"]);
    // masks beside the images in one class folder (the paper's layout)
    await greyPng(path.join(d, "cls", "x.png"), [0, 0, 0, 0], 2, 2);
    await greyPng(path.join(d, "cls", "x_label.png"), [0, 0, 0, 0], 2, 2);
    const same = pairImagesMasks(path.join(d, "cls"), path.join(d, "cls"));
    assert.deepEqual([same.images.map((f) => path.basename(f)), same.masks.map((f) => path.basename(f))], [["x.png"], ["x_label.png"]]);
  });
});

describe("data: image loading", () => {
  before(() => {
    process.env.NANOMORPH_CACHE = tmpdir();
  });

  it("decodes 8-bit PNG, 16-bit PNG, 16-bit grey and RGB TIFF, JPEG to exact [0,1] RGB", async () => {
    const d = tmpdir();
    const vals8 = [0, 64, 128, 255];
    await greyPng(path.join(d, "g8.png"), vals8, 2, 2);
    const v16 = new Uint16Array([0, 1000, 40000, 65535]);
    await sharp(v16, { raw: { width: 2, height: 2, channels: 1 } }).toColourspace("grey16").png().toFile(path.join(d, "g16.png"));
    fs.writeFileSync(path.join(d, "g16.tif"), tiff16(v16, 2, 2, 1));
    const rgb16 = new Uint16Array([0, 100, 200, 300, 400, 500, 60000, 61000, 62000, 65535, 0, 65535]);
    fs.writeFileSync(path.join(d, "rgb16.tif"), tiff16(rgb16, 2, 2, 3));
    // expected values: the samples written, divided by the format's full scale (255 or 65535)
    const want8 = vals8.flatMap((v) => [v / 255, v / 255, v / 255]);
    const want16 = [...v16].flatMap((v) => [v / 65535, v / 65535, v / 65535]);
    const wantRgb16 = [...rgb16].map((v) => v / 65535);
    for (const [f, want] of [["g8.png", want8], ["g16.png", want16], ["g16.tif", want16], ["rgb16.tif", wantRgb16]] as const) {
      const x = await loadImages([path.join(d, f)], 2, { cache: false });
      assert.deepEqual(x.shape, [1, 2, 2, 3]);
      const got = Array.from(await x.data());
      x.dispose();
      got.forEach((g, i) => assert.ok(Math.abs(g - want[i]) < 1e-6, `${f}[${i}]: ${g} vs ${want[i]}`));
    }
    // JPEG is lossy: a flat grey 100 decodes within a couple of levels
    await sharp({ create: { width: 16, height: 16, channels: 3, background: { r: 100, g: 100, b: 100 } } }).jpeg({ quality: 95 }).toFile(path.join(d, "flat.jpg"));
    const j = await loadImages([path.join(d, "flat.jpg")], 8, { cache: false });
    const jd = await j.data();
    j.dispose();
    for (const v of jd) assert.ok(Math.abs(v - 100 / 255) < 3 / 255, `jpeg ${v}`);
  });

  it("applies the preprocessing modes exactly (closed forms)", () => {
    const px = new Uint8Array([255, 0, 51]); // one RGB pixel
    assert.deepEqual(Array.from(toFloatPixels(px, 8, "none")).map((v) => +v.toFixed(6)), [1, 0, 0.2]);
    assert.deepEqual(Array.from(toFloatPixels(px, 8, "tf")).map((v) => +v.toFixed(6)), [1, -1, -0.6]);
    // caffe: BGR order, 0..255 minus Keras means (B 103.939, G 116.779, R 123.68)
    const c = Array.from(toFloatPixels(px, 8, "caffe"));
    [51 - 103.939, 0 - 116.779, 255 - 123.68].forEach((w, i) => assert.ok(Math.abs(c[i] - w) < 1e-4, `caffe ${i}`));
    const t = Array.from(toFloatPixels(px, 8, "torch"));
    [(1 - 0.485) / 0.229, (0 - 0.456) / 0.224, (0.2 - 0.406) / 0.225].forEach((w, i) => assert.ok(Math.abs(t[i] - w) < 1e-5, `torch ${i}`));
  });

  it("reads a 32-bit float TIFF by stretching its min..max to [0,1] (closed form)", async () => {
    const d = tmpdir();
    const vals = [-5, 0, 100.5, 1000];
    const n = 10, ifd = 8, off = ifd + 2 + n * 12 + 4;
    const buf = Buffer.alloc(off + 16);
    buf.write("II", 0); buf.writeUInt16LE(42, 2); buf.writeUInt32LE(ifd, 4); buf.writeUInt16LE(n, ifd);
    let o = ifd + 2;
    const e = (t: number, ty: number, v: number): void => { buf.writeUInt16LE(t, o); buf.writeUInt16LE(ty, o + 2); buf.writeUInt32LE(1, o + 4); if (ty === 3) buf.writeUInt16LE(v, o + 8); else buf.writeUInt32LE(v, o + 8); o += 12; };
    // width, height, 32 bits, no compression, BlackIsZero, strip offset, 1 sample, rows/strip, bytes, SampleFormat=IEEE float
    e(256, 4, 2); e(257, 4, 2); e(258, 3, 32); e(259, 3, 1); e(262, 3, 1); e(273, 4, off); e(277, 3, 1); e(278, 4, 2); e(279, 4, 16); e(339, 3, 3);
    vals.forEach((v, i) => buf.writeFloatLE(v, off + 4 * i));
    fs.writeFileSync(path.join(d, "f32.tif"), buf);
    const x = await loadImages([path.join(d, "f32.tif")], 2, { cache: false });
    const got = Array.from(await x.data());
    x.dispose();
    // (v - (-5)) / 1005, quantised to 16 bits
    vals.map((v) => (v + 5) / 1005).forEach((w, i) => assert.ok(Math.abs(got[i * 3] - w) < 2e-5, `${i}: ${got[i * 3]} vs ${w}`));
  });

  it("stretches 12-bit data in a 16-bit file per image when asked (closed form)", async () => {
    const d = tmpdir();
    const v = new Uint16Array([100, 4095, 2000, 100]); // a 12-bit camera's range in a 16-bit TIFF
    fs.writeFileSync(path.join(d, "cam.tif"), tiff16(v, 2, 2, 1));
    const full = await loadImages([path.join(d, "cam.tif")], 2, { cache: false });
    const st = await loadImages([path.join(d, "cam.tif")], 2, { cache: false, intensity: "per-image-minmax" });
    const f = Array.from(await full.data()), s = Array.from(await st.data());
    tf.dispose([full, st]);
    assert.ok(Math.abs(f[3] - 4095 / 65535) < 1e-6, "full range divides by 65535");
    // (v - 100) / (4095 - 100): 0, 1, 0.4755..., 0
    [0, 1, 1900 / 3995, 0].forEach((w, i) => assert.ok(Math.abs(s[i * 3] - w) < 1e-6, `stretched ${i}: ${s[i * 3]} vs ${w}`));
  });

  it("fails on a corrupt file by default, naming it; skips it when asked; never a zero image", async () => {
    const d = tmpdir();
    await greyPng(path.join(d, "ok.png"), [200, 200, 200, 200], 2, 2);
    const good = fs.readFileSync(path.join(d, "ok.png"));
    fs.writeFileSync(path.join(d, "cut.png"), good.subarray(0, Math.floor(good.length / 2)));
    fs.writeFileSync(path.join(d, "junk.jpg"), "not an image at all");
    const files = [path.join(d, "ok.png"), path.join(d, "cut.png"), path.join(d, "junk.jpg")];
    await assert.rejects(loadImages(files, 4), /cut\.png/);
    const set = await loadImageSet(files, 4, { onError: "skip" });
    assert.deepEqual(set.kept, [0]);
    assert.deepEqual(set.problems.map((p) => path.basename(p.file)), ["cut.png", "junk.jpg"]);
    assert.equal(set.images.shape[0], 1);
    const min = set.images.min().dataSync()[0];
    set.images.dispose();
    assert.ok(min > 0.7, `kept image is the real one, min ${min}`);
  });

  it("caches decoded pixels by content: the second call reads the cache and matches; edits invalidate it", async () => {
    const d = tmpdir();
    const px = Array.from({ length: 64 }, (_, i) => i * 4);
    await greyPng(path.join(d, "a.png"), px, 8, 8);
    const first = await loadImageSet([path.join(d, "a.png")], 5);
    const second = await loadImageSet([path.join(d, "a.png")], 5);
    assert.equal(first.fromCache, false);
    assert.equal(second.fromCache, true);
    assert.deepEqual(Array.from(await first.images.data()), Array.from(await second.images.data()));
    await greyPng(path.join(d, "a.png"), px.map((v) => 255 - v), 8, 8);
    const third = await loadImageSet([path.join(d, "a.png")], 5);
    assert.equal(third.fromCache, false);
    tf.dispose([first.images, second.images, third.images]);
  });
});

describe("data: masks", () => {
  it("reads the paper's colour rule (G != B) from a label PNG painted over a grey image", async () => {
    const d = tmpdir();
    const image = new Uint8Array([10, 20, 30, 40, 50, 60, 70, 80, 90]);
    const mask = new Uint8Array([0, 1, 0, 1, 1, 0, 0, 0, 1]);
    const rgb = paperLabelRgb(image, mask);
    await sharp(Buffer.from(rgb), { raw: { width: 3, height: 3, channels: 3 } }).png().toFile(path.join(d, "m_label.png"));
    const m = await readMask(path.join(d, "m_label.png"));
    assert.deepEqual(Array.from(m.data), Array.from(mask));
    const t = await loadMasks([path.join(d, "m_label.png")], 3);
    assert.deepEqual(Array.from(await t.data()), Array.from(mask));
    t.dispose();
  });

  it("treats any nonzero value of a 16-bit label map as foreground (label 1 of 65535 included)", async () => {
    const d = tmpdir();
    const labels = new Uint16Array([0, 1, 0, 2, 0, 300, 65535, 0, 0]);
    await sharp(labels, { raw: { width: 3, height: 3, channels: 1 } }).toColourspace("grey16").png().toFile(path.join(d, "inst.png"));
    fs.writeFileSync(path.join(d, "inst.tif"), tiff16(labels, 3, 3, 1));
    for (const f of ["inst.png", "inst.tif"]) {
      const m = await readMask(path.join(d, f));
      assert.deepEqual(Array.from(m.data), [0, 1, 0, 1, 0, 1, 1, 0, 0], f);
    }
  });

  it("resizes nearest-neighbour: a 2x2 checkerboard becomes 2x2 blocks at 4x4, values stay {0,1}", () => {
    const m = resizeMaskNearest({ data: new Uint8Array([1, 0, 0, 1]), width: 2, height: 2 }, 4);
    assert.deepEqual(Array.from(m.data), [1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 1, 1, 0, 0, 1, 1]);
    const down = resizeMaskNearest({ data: new Uint8Array([1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 1, 1, 0, 0, 1, 1]), width: 4, height: 4 }, 2);
    assert.deepEqual(Array.from(down.data), [1, 0, 0, 1]);
  });

  it("decodes a plain 0/255 binary mask with the nonzero rule", async () => {
    const d = tmpdir();
    await greyPng(path.join(d, "b.png"), [0, 255, 255, 0], 2, 2);
    const img = await decodeImage(path.join(d, "b.png"), { channels: "native" });
    assert.equal(img.channels, 1);
    const m = await readMask(path.join(d, "b.png"));
    assert.deepEqual(Array.from(m.data), [0, 1, 1, 0]);
  });
});

describe("data: ensureDataset", () => {
  it("generates a cached nanowire set once (ci sizes from configs/data.json) with paired masks", async () => {
    process.env.NANOMORPH_CACHE = tmpdir();
    const spec = datasetSpec("nanowire", { profile: "ci" });
    // values from configs/data.json, ci section
    assert.deepEqual([spec.kind, (spec as { perClass: number }).perClass, spec.size], ["nanowire", 24, 96]);
    const dir = await ensureDataset("nanowire", { profile: "ci", perClass: 2, size: 48 });
    const cf = listClassFolder(dir);
    assert.deepEqual(cf.classes, ["bundle", "dispersed", "network", "singular"]);
    assert.equal(cf.files.length, 8);
    const mtime = fs.statSync(path.join(dir, "dataset.json")).mtimeMs;
    assert.equal(await ensureDataset("nanowire", { profile: "ci", perClass: 2, size: 48 }), dir);
    assert.equal(fs.statSync(path.join(dir, "dataset.json")).mtimeMs, mtime);
    const pairs = nanowireMaskPairs(dir);
    assert.equal(pairs.images.length, 4);
    const lab = await loadMasks(pairs.masks, 48);
    const bin = await loadMasks(nanowireMaskPairs(dir, ["dispersed", "network"], "binary").masks, 48);
    assert.deepEqual(Array.from(await lab.data()), Array.from(await bin.data()), "label and binary masks agree");
    tf.dispose([lab, bin]);
  });

  it("makes the split-folder virus stand-in and the nanoparticle stand-in", async () => {
    process.env.NANOMORPH_CACHE = tmpdir();
    const v = await ensureDataset("virus", { profile: "ci", perClass: 2, size: 32 });
    const sf = listSplitFolder(v);
    assert.equal(sf.classes.length, 6);
    assert.equal(sf.splits.train?.files.length, 12);
    assert.equal(sf.splits.test?.files.length, 60);
    const p = await ensureDataset("nanoparticle", { profile: "ci", perClass: 2, size: 32 });
    assert.deepEqual(listClassFolder(p).classes, ["rod", "sphere", "triangle"]);
  });
});

describe("data/folders: pairImagesMasks follows symbolic links (as listClassFolder does)", () => {
  const ISBI = sharedDataDir("isbi-membrane");
  it("pairs linked images with linked masks", function () {
    if (!fs.existsSync(path.join(ISBI, "image"))) {
      console.log(`      skipped: ${ISBI} is absent`);
      this.skip();
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nm-links-"));
    try {
      fs.mkdirSync(path.join(dir, "i"));
      fs.mkdirSync(path.join(dir, "m"));
      for (const i of [3, 4]) {
        fs.symlinkSync(path.join(ISBI, "image", `${i}.png`), path.join(dir, "i", `${i}.png`));
        fs.symlinkSync(path.join(ISBI, "label", `${i}.png`), path.join(dir, "m", `${i}.png`));
      }
      const p = pairImagesMasks(path.join(dir, "i"), path.join(dir, "m"));
      assert.deepEqual(p.images.map((f) => path.basename(f)), ["3.png", "4.png"]);
      assert.deepEqual(p.masks.map((f) => path.relative(dir, f)), ["m/3.png", "m/4.png"]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

