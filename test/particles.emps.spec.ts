import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { listTruthPairs, evaluateTruthSet, readInstanceMap } from "../lib/particles/truth";

const EMPS = path.join(__dirname, "..", "..", "shared", "data", "emps-train");

describe("particles/EMPS ground truth", function () {
  const present = fs.existsSync(path.join(EMPS, "segmaps"));
  before(function () {
    if (!present) { console.log(`      (skipped: ${EMPS} is absent)`); this.skip(); }
  });

  it("reads 16-bit instance maps with one id per particle", async () => {
    const [pair] = listTruthPairs(EMPS, ["00655d9628"]);
    const inst = await readInstanceMap(pair.segmap);
    assert.ok(inst.count >= 1 && inst.width > 100 && inst.height > 100);
    assert.ok(inst.labels.some((l) => l < 0) && inst.labels.some((l) => l === inst.count - 1));
  });

  it("the watershed of the binarised truth finds the true particles (precision and recall ≥ 0.85 on 6 images)", async () => {
    const ids = fs.readFileSync(path.join(EMPS, "many.txt"), "utf8").split(/\s+/).filter(Boolean).slice(0, 6);
    const { pooled } = await evaluateTruthSet(listTruthPairs(EMPS, ids), "truth-mask");
    assert.ok(pooled.truth >= 60, `${pooled.truth} true particles`);
    assert.ok(pooled.precision >= 0.85 && pooled.recall >= 0.85, `precision ${pooled.precision}, recall ${pooled.recall}`);
    assert.ok(pooled.medianDiameterRelError < 0.05, `median ECD error ${pooled.medianDiameterRelError}`);
    assert.ok(pooled.ksDiameter < 0.15, `KS ${pooled.ksDiameter}`);
  });

  it("throws naming an id without a segmap", () => {
    assert.throws(() => listTruthPairs(EMPS, ["no-such-id"]), /id 'no-such-id' lacks/);
  });
});
