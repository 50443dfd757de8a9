import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { nanowireStudyData, transferStudyData, classFolderStudyData } from "../lib/probe/study_data";
import { listProbeImages } from "../lib/probe/dataset";
import { withProbeOverrides, loadProbeConfig } from "../lib/probe/config";
import { oneShotSkipReason } from "../lib/probe/oneshot";
import { listPretrainImages } from "../lib/ssl/run";
import { sharedDataDir } from "./shared_data";

const EMPS = sharedDataDir("emps-train");
const ids = (list: string): string[] => fs.readFileSync(path.join(EMPS, list), "utf8").split(/\s+/).filter(Boolean);

/** The EMPS few/many two-class set as class folders of links (the data set's README describes it). */
function empsClassFolders(dir: string, withMasks: boolean): { few: string[]; many: string[] } {
  const out = { few: ids("few.txt"), many: ids("many.txt") };
  for (const cls of ["few", "many"] as const) {
    fs.mkdirSync(path.join(dir, "set", cls), { recursive: true });
    if (withMasks) fs.mkdirSync(path.join(dir, "masks", cls), { recursive: true });
    for (const id of out[cls]) {
      fs.symlinkSync(path.join(EMPS, "images", `${id}.jpg`), path.join(dir, "set", cls, `${id}.jpg`));
      if (withMasks) fs.symlinkSync(path.join(EMPS, "segmaps", `${id}.png`), path.join(dir, "masks", cls, `${id}_label.png`));
    }
  }
  return out;
}

describe("probe/study_data: notebooks 03/04 on a real class-folder set (EMPS few vs many particles)", function () {
  this.timeout(30_000);
  let dir: string;
  let lists: { few: string[]; many: string[] };
  before(function () {
    if (!fs.existsSync(path.join(EMPS, "few.txt"))) {
      console.log(`      skipped: ${EMPS} is absent (real data for this test)`);
      this.skip();
    }
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "nm-study-"));
    lists = empsClassFolders(dir, true);
  });
  after(() => { if (dir) fs.rmSync(dir, { recursive: true, force: true }); });

  it("nanowireStudyData({dir}) takes the folder: real, classes and counts as the id lists say, in the label", async () => {
    const s = await nanowireStudyData({ dir: path.join(dir, "set") });
    assert.equal(s.real, true);
    assert.equal(s.dir, path.join(dir, "set"));
    assert.equal(s.masks.size, 0, "no masks asked for");
    assert.match(s.dataLabel, new RegExp(`\\(${lists.few.length + lists.many.length} images: few ${lists.few.length}, many ${lists.many.length}\\)`));
    const im = listProbeImages(s.dir);
    assert.deepEqual(im.classes, ["few", "many"]);
    assert.deepEqual(im.files.filter((_, i) => im.labels[i] === 0).map((f) => path.basename(f, ".jpg")).sort(), [...lists.few].sort());
    assert.equal(lists.few.length, 102, "few.txt: 102 ids per the data README");
    assert.equal(lists.many.length, 112, "many.txt: 112 ids per the data README");
  });

  it("masks in <masks>/<class>/x_label.png pair with every image by name", async () => {
    const s = await nanowireStudyData({ dir: path.join(dir, "set"), masks: path.join(dir, "masks") });
    assert.equal(s.masks.size, lists.few.length + lists.many.length);
    for (const [img, m] of s.masks) assert.equal(path.basename(m), `${path.basename(img, ".jpg")}_label.png`);
    const im = listProbeImages(s.dir);
    // the one-shot anchor analysis needs the paper's dispersed/network classes: it says why it skips
    assert.match(oneShotSkipReason(im.files, im.labels, im.classes, s.masks) ?? "", /no class 'dispersed' \(classes: few, many\)/);
    assert.equal(oneShotSkipReason(im.files, im.labels, ["dispersed", "network"], s.masks), null);
  });

  it("transferStudyData(kind, dir) takes a class-folder set, and a split-folder set keeps its fixed test rows", async () => {
    const np = await transferStudyData("nanoparticle", path.join(dir, "set"));
    assert.equal(np.real, true);
    const split = path.join(dir, "split");
    for (const part of ["train", "test"]) {
      for (const cls of ["few", "many"] as const) {
        fs.mkdirSync(path.join(split, part, cls), { recursive: true });
        const pick = part === "train" ? lists[cls].slice(0, 20) : lists[cls].slice(20, 30);
        for (const id of pick) fs.symlinkSync(path.join(EMPS, "images", `${id}.jpg`), path.join(split, part, cls, `${id}.jpg`));
      }
    }
    const vi = await transferStudyData("virus", split);
    const im = listProbeImages(vi.dir);
    assert.equal(im.files.length, 60);
    assert.equal(im.testRows?.length, 20);
  });

  it("errors name the folder and the fix: missing, one class, a class folder without images", async () => {
    await assert.rejects(nanowireStudyData({ dir: path.join(dir, "nope") }), /nope is not a folder \(give a folder with one subfolder of images per class\)/);
    const one = path.join(dir, "one");
    fs.mkdirSync(path.join(one, "few"), { recursive: true });
    fs.symlinkSync(path.join(EMPS, "images", `${lists.few[0]}.jpg`), path.join(one, "few", "a.jpg"));
    assert.throws(() => classFolderStudyData(one, undefined, "x"), /needs at least two class subfolders with images, found few \(1\)/);
    await assert.rejects(nanowireStudyData({ dir: path.join(dir, "set"), masks: path.join(dir, "nomasks") }), /masks folder .*nomasks does not exist/);
  });

  it("listPretrainImages: class folders keep their classes (for the monitor); a flat folder is unlabelled", () => {
    const cf = listPretrainImages(path.join(dir, "set"));
    assert.deepEqual(cf.classes, ["few", "many"]);
    assert.equal(cf.files.length, 214);
    const flat = listPretrainImages(path.join(EMPS, "images"));
    assert.deepEqual(flat.classes, []);
    assert.equal(flat.files.length, 366, "the 366 EMPS training images");
    assert.ok(flat.labels.every((l) => l === 0));
    // an image beside the class folders makes the whole folder an unlabelled pool
    fs.symlinkSync(path.join(EMPS, "images", `${lists.few[0]}.jpg`), path.join(dir, "set", "loose.jpg"));
    try {
      const mixed = listPretrainImages(path.join(dir, "set"));
      assert.deepEqual([mixed.classes, mixed.files.length], [[], 215]);
    } finally {
      fs.rmSync(path.join(dir, "set", "loose.jpg"));
    }
  });
});

describe("probe/config: withProbeOverrides", () => {
  it("unset values (0, []) keep the profile's; set ones reach both studies; bad values name the parameter", () => {
    const cfg = loadProbeConfig("ci");
    assert.deepEqual(withProbeOverrides(cfg, { labelsPerClass: [], encoders: [], seeds: [], splits: 0, size: 0 }), cfg);
    const o = withProbeOverrides(cfg, { labelsPerClass: [1, 2, 4], encoders: ["resnet8"], seeds: [3], splits: 7, size: 96 });
    assert.deepEqual(o.nanowire, { encoders: ["resnet8"], labelsPerClass: [1, 2, 4] });
    assert.deepEqual([o.transfer.encoders, o.transfer.splits, o.transfer.nanoparticleLabelsPerClass, o.transfer.virusLabelsPerClass], [["resnet8"], 7, [1, 2, 4], [1, 2, 4]]);
    assert.deepEqual([o.encoderSeeds, o.splits, o.size], [[3], 7, 96]);
    assert.throws(() => withProbeOverrides(cfg, { labelsPerClass: [1.5] }), /labelsPerClass must be a positive integer, got 1.5/);
    assert.throws(() => withProbeOverrides(cfg, { size: -1 }), /size/);
  });
});
