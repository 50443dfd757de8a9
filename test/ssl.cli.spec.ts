import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import sharp from "sharp";
import { command } from "../lib/cli/pretrain";
import { readCheckpoint, loadEncoder } from "../lib/models/index";
import { readPretrainLog, stratifiedSubset, pretrainOrReuse } from "../lib/ssl/index";
import { Rng } from "../lib/util/rng";

/** Write a 2-class folder of small PNGs: class "dark" (values < 100) and "bright" (> 150), seeded noise. */
async function writeFolder(dir: string, perClass: number): Promise<void> {
  const rng = new Rng(5);
  for (const [cls, lo] of [["dark", 0], ["bright", 150]] as const) {
    fs.mkdirSync(path.join(dir, cls), { recursive: true });
    for (let i = 0; i < perClass; i++) {
      const px = Buffer.alloc(40 * 40 * 3);
      for (let k = 0; k < px.length; k++) px[k] = lo + rng.int(100);
      await sharp(px, { raw: { width: 40, height: 40, channels: 3 } }).png().toFile(path.join(dir, cls, `${i}.png`));
    }
  }
}

describe("ssl: nanomorph pretrain CLI", () => {
  let tmp: string;
  before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "nanomorph-cli-pretrain-"));
    await writeFolder(path.join(tmp, "data"), 6);
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it("rejects bad usage with exit code 2 semantics (UsageError naming the option)", async () => {
    await assert.rejects(command.run(["--method", "moco", "--out", tmp]), /--method must be simclr or barlow/);
    await assert.rejects(command.run(["--method", "barlow"]), /--out DIR is required/);
    await assert.rejects(command.run(["--method", "barlow", "--out", tmp, "--epochs", "0"]), /--epochs/);
  });

  it("pretrains on a folder; --resume of a finished run keeps it, a changed --epochs (schedule spans the run) is refused", async () => {
    const out = path.join(tmp, "run");
    const data = path.join(tmp, "data");
    assert.equal(await command.run(["--method", "barlow", "--data", data, "--out", out, "--epochs", "1", "--encoder", "resnet8"]), 0);
    assert.equal(readCheckpoint(out).manifest.step, 1); // 12 images, ci batch 16 → one step per epoch
    // The ci schedule spans the run, so changing --epochs changes the config: resume must refuse it.
    await assert.rejects(command.run(["--method", "barlow", "--data", data, "--out", out, "--epochs", "2", "--encoder", "resnet8", "--resume"]), /config differs/);
    assert.equal(await command.run(["--method", "barlow", "--data", data, "--out", out, "--epochs", "1", "--encoder", "resnet8", "--resume"]), 0);
    const log = readPretrainLog(out);
    assert.equal(log.epochs.length, 1);
    assert.ok(log.initialMonitorAccuracy !== null && log.initialMonitorAccuracy >= 0 && log.initialMonitorAccuracy <= 1);
    const enc = await loadEncoder(out);
    assert.equal(enc.featureDim, 128);
    enc.dispose();
  });

  it("pretrainOrReuse reads a finished run back, and retrains when the config or the data changes", async () => {
    const out = path.join(tmp, "reuse");
    const data = path.join(tmp, "data");
    const o = { method: "barlow" as const, out, data, overrides: { encoder: "resnet8", epochs: 1 } };
    const first = await pretrainOrReuse(o);
    const second = await pretrainOrReuse(o);
    assert.equal(first.reused, false);
    assert.equal(second.reused, true);
    assert.deepEqual(second.stepLosses, first.stepLosses);
    const changed = await pretrainOrReuse({ ...o, overrides: { encoder: "resnet8", epochs: 2 } });
    assert.equal(changed.reused, false);
    assert.equal(changed.epochs.length, 2);
    // Same config, other data folder (a copy): retrained, not read back.
    const copy = path.join(tmp, "data-copy");
    fs.cpSync(data, copy, { recursive: true });
    const other = await pretrainOrReuse({ ...o, data: copy, overrides: { encoder: "resnet8", epochs: 2 } });
    assert.equal(other.reused, false);
    for (const r of [first, second, changed, other]) { r.encoder.dispose(); r.head.dispose(); }
  });

  it("stratifiedSubset keeps classes balanced and is seeded", () => {
    const labels = [0, 0, 0, 0, 0, 0, 1, 1, 1, 2];
    const s = stratifiedSubset(labels, 5, 1);
    assert.equal(s.length, 5);
    const counts = [0, 1, 2].map((c) => s.filter((i) => labels[i] === c).length);
    assert.deepEqual(counts, [2, 2, 1]);
    assert.deepEqual(stratifiedSubset(labels, 5, 1), s);
    assert.deepEqual(stratifiedSubset(labels, 20, 1), labels.map((_, i) => i));
  });
});
