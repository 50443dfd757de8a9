import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { execFileSync, spawnSync } from "child_process";
import sharp from "sharp";
import { labelledPairs, trainOnFolders, evaluateOnFolders, evaluationRecord } from "../lib/particle_model/experiment";
import { readModelFolder } from "../lib/particle_model/model_file";
import { UsageError } from "../lib/util/errors";

/**
 * A labelled folder pair: 48×48 grey PNGs of dark discs on a light background and their instance maps
 * (one id per disc). Discs are well apart, so Otsu + watershed finds each.
 */
async function writeFolders(root: string, ids: string[]): Promise<{ images: string; labels: string }> {
  const images = path.join(root, "images"), labels = path.join(root, "segmaps");
  fs.mkdirSync(images, { recursive: true });
  fs.mkdirSync(labels, { recursive: true });
  for (const [k, id] of ids.entries()) {
    const w = 48, h = 48, grey = Buffer.alloc(w * h, 210), inst = new Uint8Array(w * h);
    const discs: Array<[number, number, number]> = [[13 + k, 14, 6], [33, 16 + k, 5], [22, 34, 7]];
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
      discs.forEach(([cx, cy, r], j) => { if ((x - cx) ** 2 + (y - cy) ** 2 <= r * r) { grey[y * w + x] = 50; inst[y * w + x] = j + 1; } });
    }
    await sharp(grey, { raw: { width: w, height: h, channels: 1 } }).png().toFile(path.join(images, `${id}.png`));
    // An 8-bit instance map (one value per disc) is read like EMPS's 16-bit ones (labelled_set).
    await sharp(Buffer.from(inst), { raw: { width: w, height: h, channels: 1 } }).png().toFile(path.join(labels, `${id}.png`));
  }
  return { images, labels };
}

describe("particle_model/experiment: the folders behind `particles train` and `particles eval`", function () {
  this.timeout(300000);
  let root: string, f: { images: string; labels: string }, split: string;
  before(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "nm-pexp-"));
    f = await writeFolders(root, ["a", "b", "c", "d"]);
    split = path.join(root, "split.json");
    fs.writeFileSync(split, JSON.stringify({ train: ["a", "b", "c"], validation: ["d"] }));
  });

  it("pairs images with labels, keeps only the split's part, and names what is wrong", async () => {
    assert.deepEqual((await labelledPairs(f, "train")).pairs.map((p) => p.id).sort(), ["a", "b", "c", "d"]);
    const v = await labelledPairs({ ...f, split }, "validation");
    assert.deepEqual(v.pairs.map((p) => p.id), ["d"]);
    assert.equal(v.part, "validation");
    await assert.rejects(labelledPairs({ ...f, split, part: "test" }, "train"), (e: Error) => e instanceof UsageError && /no id list 'test'/.test(e.message));
    await assert.rejects(labelledPairs({ ...f, part: "train" }, "train"), /--part needs --split/);
    fs.writeFileSync(path.join(root, "bad.json"), JSON.stringify({ train: ["a", "zz"] }));
    await assert.rejects(labelledPairs({ ...f, split: path.join(root, "bad.json") }, "train"), /1 ids of 'train' have no image \+ labels/);
    await assert.rejects(labelledPairs({ images: path.join(root, "none"), labels: f.labels }, "train"), /--images .* is not a folder/);
  });

  it("trains on the split's training ids and records the command with short paths, the ids and the part", async () => {
    const out = path.join(root, "model");
    const argv = ["--images", f.images, "--instances", f.labels, "--split", split, "--out", out, "--steps", "2"];
    const r = await trainOnFolders({ ...f, split, out, steps: 2, batch: 1, crop: 32, widths: [4, 8], argv, log: () => {} });
    assert.equal(r.steps, 2);
    const m = readModelFolder(out).manifest;
    const t = m.training as { command: string; data: { ids: string[]; part: string; images: string } };
    assert.deepEqual(t.data.ids.sort(), ["a", "b", "c"]);
    assert.equal(t.data.part, "train");
    assert.equal(t.data.images, path.join(path.basename(root), "images"));
    assert.ok(t.command.startsWith("nanomorph particles train --images "), t.command);
    assert.ok(!t.command.includes(os.tmpdir()), `no machine path in the manifest: ${t.command}`);
    await assert.rejects(trainOnFolders({ ...f, out, crop: 30 }), /--crop must be a multiple of 16/);
  });

  it("scores Otsu + watershed on separated discs as perfect, with and without the object filter, and writes per-image records", async () => {
    const plain = await evaluateOnFolders({ ...f, split }, { kind: "otsu" }, "none");
    assert.equal(plain.method, "otsu");
    assert.equal(plain.summary.f1, 1);
    const r = await evaluateOnFolders({ ...f, split }, { kind: "otsu" });
    assert.equal(r.method, "otsu + object filter bundled + object judge bundled + edge refiner bundled", "the filter, the judge and the outline refiner are the defaults for Otsu, as in `particles`");
    assert.equal(r.summary.images, 1);
    assert.equal(r.summary.f1, 1);
    await assert.rejects(evaluateOnFolders({ ...f, split }, { kind: "otsu" }, "no-such.json"), /--filter: object filter .*no-such.json does not exist/);
    assert.equal((await evaluateOnFolders({ ...f, split }, { kind: "otsu", growth: { maxPx: 0 } })).method, "otsu + object filter bundled + object judge bundled", "no refiner without the growth");
    assert.equal((await evaluateOnFolders({ ...f, split }, { kind: "otsu", judge: "none" })).method, "otsu + object filter bundled + edge refiner bundled", "--judge none: the filter's one segmentation");
    await assert.rejects(evaluateOnFolders({ ...f, split }, { kind: "otsu", judge: "bundled" }, "none"), /--judge picks the default route's particles/);
    await assert.rejects(evaluateOnFolders({ ...f, split }, { kind: "otsu", judge: "no-such.json" }), /--judge: object judge .*no-such.json does not exist/);
    await assert.rejects(evaluateOnFolders({ ...f, split }, { kind: "otsu", refiner: "bundled" }, "none"), /--edge-refiner grows the default route's particles/);
    const rec = evaluationRecord(r) as { perImage: Array<{ id: string; predicted: number; truth: number }> };
    assert.deepEqual(rec.perImage.map((e) => [e.id, e.predicted, e.truth]), [["d", 3, 3]]);
  });

  it("the CLI's `particles train --help` and `particles eval --help` are the subcommands' own, and usage errors name them", () => {
    const bin = path.resolve(__dirname, "..", "bin", "nanomorph");
    for (const sub of ["train", "eval"]) {
      const help = execFileSync(bin, ["particles", sub, "--help"], { encoding: "utf8" });
      assert.ok(help.startsWith(`usage: nanomorph particles ${sub} `), help.slice(0, 80));
      const bad = spawnSync(bin, ["particles", sub], { encoding: "utf8" });
      assert.equal(bad.status, 2);
      assert.match(bad.stderr, new RegExp(`^nanomorph particles ${sub}: --images DIR`));
    }
  });
});
