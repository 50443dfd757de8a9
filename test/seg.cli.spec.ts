import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import sharp from "sharp";
import { command as segment } from "../lib/cli/segment";
import { command as quantify } from "../lib/cli/quantify";
import { makeMask } from "../lib/image/mask";
import { drawBar } from "../lib/quantify/draw";
import { encodeMaskPng } from "../lib/quantify/mask_io";
import { Rng } from "../lib/util/rng";
import { spawnSync } from "child_process";
import { otsuBaseline } from "../lib/seg/otsu_baseline";
import { loadSegmentConfig } from "../lib/seg/config";
import { pairImagesMasks } from "../lib/data/folders";

/** Run a command with console.log captured; returns exit code and stdout text. */
async function capture(run: () => Promise<number>): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const orig = console.log;
  console.log = (...a: unknown[]) => { lines.push(a.map(String).join(" ")); };
  try {
    const code = await run();
    return { code, out: lines.join("\n") };
  } finally {
    console.log = orig;
  }
}

describe("cli segment / quantify", function () {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nm-seg-cli-"));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  before(async () => {
    // 6 non-square 80×64 grey micrographs with dark bars, masks as 8-bit PNG (white = bar).
    const rng = new Rng(6301);
    fs.mkdirSync(path.join(dir, "img")); fs.mkdirSync(path.join(dir, "mask"));
    for (let i = 0; i < 6; i++) {
      const m = makeMask(80, 64);
      for (let k = 0; k < 3; k++) drawBar(m, rng.uniform(0, 80), rng.uniform(0, 64), rng.uniform(30, 80), rng.uniform(3, 6), rng.uniform(0, 180));
      const g = Buffer.alloc(80 * 64);
      for (let p = 0; p < g.length; p++) g[p] = Math.max(0, Math.min(255, Math.round(200 - 140 * m.data[p] + rng.normal(0, 10))));
      await sharp(g, { raw: { width: 80, height: 64, channels: 1 } }).png().toFile(path.join(dir, "img", `s${i}.png`));
      fs.writeFileSync(path.join(dir, "mask", `s${i}_mask.png`), await encodeMaskPng(m));
    }
  });

  for (const fit of ["resize", "tile"]) {
    it(`segment (${fit}) trains on N pairs, writes native-size masks for the rest and reports Dice/IoU as JSON`, async () => {
      const out = path.join(dir, `out-${fit}`);
      const r = await capture(() => segment.run(["--images", path.join(dir, "img"), "--masks", path.join(dir, "mask"), "--encoder", "resnet8",
        "--train", "4", "--size", "32", "--epochs", "1", "--fit", fit, "--out", out, "--json"]));
      assert.equal(r.code, 0);
      const rep = JSON.parse(r.out);
      assert.equal(rep.images.length, 2);
      assert.equal(rep.train.n, 4);
      for (const im of rep.images) {
        for (const k of ["dice", "iou", "diceT", "iouT"]) assert.ok(im[k] >= 0 && im[k] <= 1, `${k}=${im[k]}`);
        assert.ok(im.iouT <= im.diceT + 1e-12); // IoU ≤ Dice always
        const meta = await sharp(im.predicted).metadata();
        assert.deepEqual([meta.width, meta.height], [80, 64]);
        // each row says where its nm/px would come from: these PNGs state none, and say so
        assert.deepEqual([im.nmPerPx, im.calibrationSource], ["", "none"]);
        assert.match(im.calibrationFrom, /^none: no calibration metadata in /);
      }
      assert.ok(fs.existsSync(path.join(out, "segment.json")));
      assert.equal(typeof rep.median.dice, "number");
      // the trained model is saved beside them, with the settings to apply it
      assert.equal(rep.model, path.join(out, "model"));
      const m = JSON.parse(fs.readFileSync(path.join(out, "model", "manifest.json"), "utf8"));
      assert.equal(m.state.kind, "nanomorph-segment-model");
      assert.deepEqual([m.state.settings.fit, m.state.settings.size, m.state.settings.threshold, m.encoder.arch], [fit, 32, 0.5, "resnet8"]);
      assert.deepEqual(m.state.settings.filters, rep.settings.filters);
    });
  }

  it("segment reports the Otsu baseline of the same held-out images (polarity from the training pairs) in JSON and text", async () => {
    const args = ["--images", path.join(dir, "img"), "--masks", path.join(dir, "mask"), "--encoder", "resnet8",
      "--train", "3", "--seed", "7", "--size", "32", "--epochs", "1"];
    const r = await capture(() => segment.run([...args, "--out", path.join(dir, "out-otsu"), "--json"]));
    assert.equal(r.code, 0);
    const rep = JSON.parse(r.out);
    const pairs = pairImagesMasks(path.join(dir, "img"), path.join(dir, "mask"));
    const byName = (names: string[]): { images: string[]; masks: string[] } => {
      const idx = names.map((n) => pairs.images.findIndex((f) => path.basename(f) === n));
      return { images: idx.map((i) => pairs.images[i]), masks: idx.map((i) => pairs.masks[i]) };
    };
    const trainNames: string[] = rep.train.files;
    const testNames: string[] = rep.images.map((im: { image: string }) => im.image);
    assert.equal(new Set([...trainNames, ...testNames]).size, 6, "train and test are disjoint and cover the folder");
    const direct = await otsuBaseline(byName(trainNames), byName(testNames));
    assert.deepEqual(rep.baseline.otsu, { polarity: direct.polarity, trainMedianDice: direct.trainMedianDice, median: direct.median });
    rep.images.forEach((im: { otsuDice: number; native: { dice: number; diceT: number } }, k: number) => {
      assert.equal(im.otsuDice, direct.images[k].dice);
      assert.ok(im.native.dice >= 0 && im.native.dice <= 1 && im.native.diceT >= 0 && im.native.diceT <= 1);
    });
    assert.ok(rep.baseline.otsu.median.dice > 0.5, "dark bars on a bright film: Otsu finds them");
    assert.equal(rep.settings.profile, "ci");
    const t = await capture(() => segment.run([...args, "--out", path.join(dir, "out-otsu-text")]));
    assert.match(t.out, new RegExp(`Otsu ${direct.median.dice.toFixed(4)} \\(native, ${direct.polarity} foreground, chosen on the training pairs\\)`));
    assert.match(t.out, /\d+ s in all \(training \d+ s\)/);
  });

  it("segment without a profile uses the quality settings and prints them (child process, NANOMORPH_PROFILE unset)", function () {
    this.timeout(120000);
    const env = { ...process.env };
    delete env.NANOMORPH_PROFILE;
    const root = path.join(__dirname, "..");
    // Short run: encoder, size and epochs overridden; loss, lr, preprocess, batch and filters come from the profile.
    const r = spawnSync(process.execPath, [path.join(root, "bin", "nanomorph"), "segment", "--images", path.join(dir, "img"), "--masks", path.join(dir, "mask"),
      "--encoder", "resnet8", "--train", "4", "--size", "32", "--epochs", "1", "--out", path.join(dir, "out-quality"), "--json"], { env, encoding: "utf8", cwd: root });
    assert.equal(r.status, 0, r.stderr);
    const q = loadSegmentConfig("quality");
    const line = r.stderr.split("\n").find((l) => l.startsWith("segment: profile")) ?? "";
    assert.match(line, /^segment: profile quality \(default; /);
    for (const part of [`preprocess ${q.preprocess}`, `loss ${q.loss}`, `lr ${q.learningRate}`, `batch ${q.batchSize}`, `filters ${q.filters ? q.filters.join("/") : "encoder default"}`]) {
      assert.ok(line.includes(part), `'${part}' missing from: ${line}`);
    }
    const rep = JSON.parse(r.stdout);
    assert.equal(rep.settings.profile, "quality");
    assert.equal(rep.settings.loss, q.loss);
    assert.equal(rep.settings.learningRate, q.learningRate);
    assert.equal(rep.settings.preprocess, q.preprocess);
    assert.deepEqual(rep.settings.filters, q.filters ?? rep.settings.filters);
    assert.ok(typeof rep.baseline.otsu.median.dice === "number");
  });

  it("segment rejects bad usage with a message naming the option", async () => {
    await assert.rejects(segment.run(["--images", path.join(dir, "img"), "--masks", path.join(dir, "mask"), "--train", "6"]), /--train must be an integer in 1\.\.5/);
    await assert.rejects(segment.run(["--images", path.join(dir, "img"), "--masks", path.join(dir, "mask"), "--size", "40"]), /--size must be a multiple of 32/);
  });

  it("quantify reports percolation and domains per mask (table, JSON and CSV/JSON files)", async () => {
    const out = path.join(dir, "q");
    const r = await capture(() => quantify.run(["--masks", path.join(dir, "mask"), "--nm-per-px", "2", "--out", out, "--json"]));
    assert.equal(r.code, 0);
    const reps = JSON.parse(r.out);
    assert.equal(reps.length, 6);
    assert.ok(reps.every((x: { measure: { nmPerPx: number; domainCount: number } }) => x.measure.nmPerPx === 2 && x.measure.domainCount >= 1));
    assert.equal(fs.readFileSync(path.join(out, "quantify.csv"), "utf8").trim().split("\n").length, 7);
    const t = await capture(() => quantify.run(["--masks", path.join(dir, "mask", "s0_mask.png")]));
    assert.match(t.out, /s0_mask\.png/);
    assert.match(t.out, /1 mask\(s\): \d percolate/);
  });
});
