import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { ParamStore } from "../lib/nn/params";
import { writeWeightsFolder, readWeights, restoreWeights } from "../lib/nn/weights_file";

describe("nn/weights_file: the weights folder shared by checkpoints and particle models", () => {
  const store = (owner: string, k: number): ParamStore => {
    const s = new ParamStore(owner);
    s.add("w", tf.tensor2d([[1 * k, 2], [3, 4 * k]]));
    s.add("b", tf.tensor1d([0.5, -k]));
    return s;
  };

  it("round-trips two groups bit for bit, indexes them in order, and keeps one weights file", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nm-weights-"));
    const a = store("a", 1), b = store("b", 7);
    const m1 = writeWeightsFolder(dir, { net: a, adam: b }, (sha) => `weights-${sha.slice(0, 8)}.bin`, (ix) => ({ kind: "test", ...ix }));
    assert.deepEqual(m1.tensors.map((t) => [t.group, t.name, t.offset]), [["net", "w", 0], ["net", "b", 4], ["adam", "w", 6], ["adam", "b", 10]]);
    assert.equal(fs.statSync(path.join(dir, m1.weightsFile)).size, 12 * 4);
    const back = new ParamStore("c");
    back.add("w", tf.zeros([2, 2]));
    back.add("b", tf.zeros([2]));
    restoreWeights(readWeights(dir, m1, "corrupt"), "adam", back, dir, true);
    assert.deepEqual(Array.from(back.get("w").dataSync()), [7, 2, 3, 28]);
    assert.deepEqual(Array.from(back.get("b").dataSync()), [0.5, -7]);
    // A second save replaces the first file; the manifest names the new one.
    const m2 = writeWeightsFolder(dir, { net: b }, (sha) => `weights-${sha.slice(0, 8)}.bin`, (ix) => ix);
    assert.deepEqual(fs.readdirSync(dir).filter((f) => f.endsWith(".bin")), [m2.weightsFile]);
    [a, b, back].forEach((s) => s.dispose());
  });

  it("refuses a flipped bit, a truncated file, a missing weight and (strict) an extra one, naming them", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nm-weights-"));
    const a = store("a", 1);
    const m = writeWeightsFolder(dir, { net: a }, () => "weights-x.bin", (ix) => ix);
    const f = path.join(dir, "weights-x.bin");
    const good = fs.readFileSync(f);
    const bad = Buffer.from(good);
    bad[3] ^= 1;
    fs.writeFileSync(f, bad);
    assert.throws(() => readWeights(dir, m, "train it again"), /sha256 .* does not match the manifest's .*; train it again/);
    fs.writeFileSync(f, good.subarray(0, 20));
    assert.throws(() => readWeights(dir, { ...m, sha256: require("crypto").createHash("sha256").update(good.subarray(0, 20)).digest("hex") }, "x"), /tensor net\/b runs past the end/);
    fs.writeFileSync(f, good);
    const values = readWeights(dir, m, "x");
    const other = new ParamStore("o");
    other.add("w", tf.zeros([2, 2]));
    assert.throws(() => restoreWeights(values, "net", other, dir, true), /group 'net' has 1 weights the model lacks \(e.g. 'net\/b'\)/);
    restoreWeights(values, "net", other, dir, false);
    other.add("z", tf.zeros([1]));
    assert.throws(() => restoreWeights(values, "net", other, dir, false), /no weight 'net\/z'/);
    assert.throws(() => writeWeightsFolder(dir, { net: a }, () => "model.bin", (ix) => ix), /must match weights-\*\.bin/);
    [a, other].forEach((s) => s.dispose());
  });
});
