import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import sharp from "sharp";
import { command as segment } from "../lib/cli/segment";
import { command as quantify } from "../lib/cli/quantify";
import { makeMask } from "../lib/quantify/mask";
import { drawBar } from "../lib/quantify/draw";
import { encodeMaskPng } from "../lib/quantify/mask_io";
import { Rng } from "../lib/util/rng";

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
      }
      assert.ok(fs.existsSync(path.join(out, "segment.json")));
      assert.equal(typeof rep.median.dice, "number");
    });
  }

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
