import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { packageVersions, runtimeInfo, matmulBenchmark } from "../lib/notebook/environment";

const root = path.join(__dirname, "..");

describe("notebook/environment", () => {
  it("packageVersions reads installed versions from node_modules and null for absent packages", () => {
    const v = packageVersions(root, ["tslab", "@tensorflow/tfjs", "surely-not-installed-pkg"]);
    const lock = JSON.parse(fs.readFileSync(path.join(root, "package-lock.json"), "utf8")) as { packages: Record<string, { version: string }> };
    assert.equal(v.tslab, lock.packages["node_modules/tslab"].version); // oracle: the lockfile
    assert.equal(v["@tensorflow/tfjs"], lock.packages["node_modules/@tensorflow/tfjs"].version);
    assert.equal(v["surely-not-installed-pkg"], null);
  });

  it("runtimeInfo reports this process", () => {
    const r = runtimeInfo();
    assert.equal(r.node, process.version);
    assert.ok(r.cpus >= 1 && r.memoryGiB > 0);
  });

  it("matmulBenchmark agrees with a float64 product, is seeded, and disposes its tensors", async () => {
    await tf.ready();
    const before = tf.memory().numTensors;
    const a = await matmulBenchmark(48, 2, 7);
    const b = await matmulBenchmark(48, 2, 7);
    assert.equal(tf.memory().numTensors, before, "no tensor leak");
    assert.ok(a.maxAbsError < 1e-4, `float32 product within 1e-4 of float64 (got ${a.maxAbsError})`);
    assert.equal(a.checksum, b.checksum, "same seed, same product");
    assert.notEqual((await matmulBenchmark(48, 1, 8)).checksum, a.checksum, "other seed, other inputs");
    assert.ok(a.gflops > 0 && a.medianMs > 0);
    await assert.rejects(matmulBenchmark(0), /positive integer/);
  });
});
