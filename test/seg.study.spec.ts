import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { execFileSync } from "child_process";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../lib/backend/index";
import { segStudyData, FLAT_CLASS } from "../lib/seg/study";
import { withSegmentOverrides, loadSegmentConfig } from "../lib/seg/config";
import { sharedDataDir } from "./shared_data";

const ISBI = sharedDataDir("isbi-membrane");
const PY = "/usr/bin/python3";

describe("seg/study: segStudyData on a real image/mask folder pair (ISBI 2012 membranes)", function () {
  this.timeout(60_000);
  before(async function () {
    if (!fs.existsSync(path.join(ISBI, "image"))) {
      console.log(`      skipped: ${ISBI} is absent (real data for this test)`);
      this.skip();
    }
    await initBackend();
  });

  it("pairs the 30 images with their masks by name, one class 'all', tensors of the asked size; disposes cleanly", async () => {
    const before = tf.memory().numTensors;
    const s = await segStudyData({ size: 64, images: path.join(ISBI, "image"), masks: path.join(ISBI, "label") });
    try {
      assert.equal(s.real, true);
      assert.equal(s.files.length, 30);
      assert.deepEqual(s.classes, [FLAT_CLASS]);
      assert.ok(s.labels.every((l) => l === 0));
      assert.deepEqual(s.images.shape, [30, 64, 64, 3]);
      assert.deepEqual(s.masks.shape, [30, 64, 64, 1]);
      s.imageFiles.forEach((f, i) => assert.equal(path.basename(f), path.basename(s.maskFiles[i]), "same name in image/ and label/"));
      assert.match(s.dataLabel, /30 image\/mask pairs from .*isbi-membrane\/image/);
      const m = s.masks.dataSync();
      assert.ok(m.every((v) => v === 0 || v === 1), "masks are 0/1");
      const px = s.images.dataSync();
      assert.ok(px.every((v) => v >= 0 && v <= 1), "images in [0,1]");
    } finally {
      s.images.dispose();
      s.masks.dispose();
    }
    assert.equal(tf.memory().numTensors, before, "no tensor left behind");
  });

  it("foreground fraction per mask matches Python's (white = membrane) within nearest-resize error", async function () {
    let py: number[];
    try {
      py = JSON.parse(execFileSync(PY, ["-c", [
        "import json,sys,glob,os", "import numpy as np", "from PIL import Image",
        `d=${JSON.stringify(path.join(ISBI, "label"))}`,
        "fs=sorted(glob.glob(os.path.join(d,'*.png')))",
        "print(json.dumps({os.path.basename(f): float((np.asarray(Image.open(f))>0).mean()) for f in fs}))",
      ].join("\n")], { encoding: "utf8" }));
    } catch (e) {
      console.log(`      skipped: ${PY} with numpy + PIL not usable (${(e as Error).message.split("\n")[0]})`);
      this.skip();
      return;
    }
    const s = await segStudyData({ size: 64, images: path.join(ISBI, "image"), masks: path.join(ISBI, "label") });
    try {
      const per = 64 * 64;
      const m = s.masks.dataSync();
      const ref = py as unknown as Record<string, number>;
      s.maskFiles.forEach((f, i) => {
        let sum = 0;
        for (let k = 0; k < per; k++) sum += m[i * per + k];
        // 64 of 512 px sampled nearest-neighbour: the fraction is an estimate from 4096 pixels
        assert.ok(Math.abs(sum / per - ref[path.basename(f)]) < 0.03, `${path.basename(f)}: ${sum / per} vs Python ${ref[path.basename(f)]}`);
      });
      const mean = Object.values(ref).reduce((a, b) => a + b, 0) / 30;
      assert.ok(mean > 0.5 && mean < 0.95, `membrane masks are mostly white (cell interiors), mean ${mean}`);
    } finally {
      s.images.dispose();
      s.masks.dispose();
    }
  });

  it("class subfolders of the images become classes; masks named x_label.png in another folder pair by name", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nm-segstudy-"));
    try {
      fs.mkdirSync(path.join(dir, "masks"));
      for (const [cls, ids] of [["early", [0, 1, 2]], ["late", [27, 28, 29]]] as const) {
        fs.mkdirSync(path.join(dir, "img", cls), { recursive: true });
        for (const i of ids) {
          fs.copyFileSync(path.join(ISBI, "image", `${i}.png`), path.join(dir, "img", cls, `${i}.png`));
          fs.copyFileSync(path.join(ISBI, "label", `${i}.png`), path.join(dir, "masks", `${i}_label.png`));
        }
      }
      const s = await segStudyData({ size: 32, images: path.join(dir, "img"), masks: path.join(dir, "masks") });
      try {
        assert.deepEqual(s.classes, ["early", "late"]);
        assert.deepEqual(s.labels, [0, 0, 0, 1, 1, 1]);
        assert.deepEqual(s.files, ["early/0.png", "early/1.png", "early/2.png", "late/27.png", "late/28.png", "late/29.png"]);
      } finally {
        s.images.dispose();
        s.masks.dispose();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a missing folder or an image without a mask is an error naming it", async () => {
    await assert.rejects(segStudyData({ size: 32, images: "/nonexistent/imgs" }), /images folder \/nonexistent\/imgs does not exist/);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nm-segstudy-"));
    try {
      fs.mkdirSync(path.join(dir, "m"));
      for (const i of [0, 1]) fs.copyFileSync(path.join(ISBI, "label", `${i}.png`), path.join(dir, "m", `${i}.png`));
      await assert.rejects(segStudyData({ size: 32, images: path.join(ISBI, "image"), masks: path.join(dir, "m") }), /image .*10\.png has no mask/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("seg/config: withSegmentOverrides", () => {
  it("0, [] and '' keep the profile's values; others replace them; a bad size names it", () => {
    const cfg = loadSegmentConfig("ci");
    assert.deepEqual(withSegmentOverrides(cfg, { labelsPerClass: [], splits: 0, size: 0, encoder: "" }), cfg);
    const o = withSegmentOverrides(cfg, { labelsPerClass: [2, 3], splits: 2, size: 96, encoder: "resnet8" });
    assert.deepEqual([o.labelsPerClass, o.splits, o.size, o.encoder], [[2, 3], 2, 96, "resnet8"]);
    assert.throws(() => withSegmentOverrides(cfg, { size: 100 }), /size must be a multiple of 32/);
    assert.throws(() => withSegmentOverrides(cfg, { labelsPerClass: [0] }), /labelsPerClass/);
  });
});

