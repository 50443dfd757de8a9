import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { runSweep, planRun, resolveSweepConfig, type SweepData } from "../lib/probe/sweep";
import { summarizeRuns, probeJson, writeRuns, runsToDataFrame, compareEncoders, formatTable } from "../lib/probe/results";
import { featureMatrix } from "../lib/linalg/matrix";
import { runSweepParallel } from "../lib/probe/parallel";
import { Rng } from "../lib/util/rng";

/** 4-class features where class signal strength is `signal` (0 = pure noise). */
function synthetic(N: number, D: number, signal: number, seed: number, encoder: string): SweepData["featureSets"][number] & { labels: number[] } {
  const r = new Rng(seed);
  const means = Array.from({ length: 4 }, () => Array.from({ length: D }, () => r.normal()));
  const data = new Float32Array(N * D);
  const labels: number[] = [];
  for (let i = 0; i < N; i++) {
    labels.push(i % 4);
    for (let d = 0; d < D; d++) data[i * D + d] = signal * means[i % 4][d] + r.normal();
  }
  return { encoder, seed, X: featureMatrix(data, N, D), labels };
}

describe("probe/sweep", () => {
  const classes = ["bundle", "dispersed", "network", "singular"];
  const good = synthetic(200, 256, 1, 1, "good");
  const noise = synthetic(200, 256, 0, 2, "noise");
  const data: SweepData = { labels: good.labels, classes, featureSets: [good, noise] };

  it("plans paper runs that validate on the test split and honest runs that never touch it", () => {
    const paper = planRun(data, 42, 8, resolveSweepConfig({ protocol: "paper" }));
    assert.deepEqual(paper.val, paper.test);
    assert.equal(paper.fit.length, 32);
    const strong = planRun(data, 42, 8, resolveSweepConfig({ protocol: "honest" }));
    assert.deepEqual(strong.fit, paper.fit, "the logistic head fits on every labelled image");
    assert.deepEqual(strong.val, []);
    const honest = planRun(data, 42, 8, resolveSweepConfig({ protocol: "honest-adam" }));
    const test = new Set(honest.test);
    assert.ok(honest.val.length === 8 && honest.fit.length === 24);
    assert.ok([...honest.fit, ...honest.val].every((i) => !test.has(i)));
    // The labelled images are the same in both protocols (draw depends on split seed and n only).
    assert.deepEqual([...honest.fit, ...honest.val].sort((a, b) => a - b), paper.fit);
    const one = planRun(data, 42, 1, resolveSweepConfig({ protocol: "honest-adam" }));
    assert.equal(one.val.length, 0);
  });

  it("runs encoders × splits × n, separates signal from noise, and the paper protocol is not below honest", () => {
    const cfg = { labelsPerClass: [8, 1], splitSeeds: [42, 43, 44, 45, 46] };
    const honest = runSweep(data, { ...cfg, protocol: "honest-adam" });
    const paper = runSweep(data, { ...cfg, protocol: "paper" });
    assert.equal(honest.length, 2 * 5 * 2);
    const box = (rows: typeof honest, enc: string, n: number) => summarizeRuns(rows).find((b) => b.encoder === enc && b.n === n)!;
    assert.ok(box(honest, "good", 8).median > 0.8, `good encoder ${box(honest, "good", 8).median}`);
    assert.ok(box(honest, "noise", 8).median < 0.45, `noise encoder ${box(honest, "noise", 8).median}`);
    // Selecting the epoch on the test set can only help the test score of the same fit at that epoch budget.
    assert.ok(box(paper, "noise", 8).median >= box(honest, "noise", 8).median);
    for (const r of honest.filter((r) => r.n === 1)) { assert.equal(r.epochs, 100); assert.equal(r.nVal, 0); }
    const cmp = compareEncoders(honest, "good", "noise");
    assert.equal(cmp.length, 2);
    assert.ok(cmp.find((c) => c.n === 8)!.p < 0.05);
    assert.match(formatTable(honest), /good\s+honest-adam\s+8\s+/);
    // The strong honest head (logistic, C by CV on the labelled images) separates signal from noise too,
    // records its C, and is at least as good as the Adam head without the test split.
    const strong = runSweep(data, { ...cfg, protocol: "honest" });
    assert.ok(strong.every((r) => r.C !== null && r.C > 0 && r.nVal === 0 && r.nFit === 4 * r.n));
    assert.ok(box(strong, "good", 8).median > 0.8, `logistic head, good encoder ${box(strong, "good", 8).median}`);
    assert.ok(box(strong, "noise", 8).median < 0.45);
    assert.ok(box(strong, "good", 1).median >= box(honest, "good", 1).median - 0.02);
  });

  it("fixed-test-set mode tests every run on the same rows and draws labels from the rest", () => {
    const testRows = [...Array(40).keys()].map((i) => 160 + i);
    const runs = runSweep({ ...data, featureSets: [good], testRows }, { labelsPerClass: [4], splitSeeds: [1, 2], protocol: "paper" });
    assert.ok(runs.every((r) => r.nTest === 40));
    const p1 = planRun({ ...data, testRows }, 1, 4, resolveSweepConfig({ protocol: "paper" }));
    assert.deepEqual(p1.test, testRows);
    assert.ok(p1.fit.every((i) => i < 160));
  });

  it("writes CSV and JSON atomically, builds the CLI JSON document and a danfo DataFrame", () => {
    const runs = runSweep({ ...data, featureSets: [good] }, { labelsPerClass: [2, 4], splitSeeds: [1, 2, 3] });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "probe-sweep-"));
    const files = writeRuns(runs, dir, "runs");
    const csv = fs.readFileSync(files.csv, "utf8").trim().split("\n");
    assert.equal(csv.length, 1 + runs.length);
    assert.match(csv[0], /^encoder,encoderSeed,splitSeed,n,protocol,accuracy/);
    const j = JSON.parse(fs.readFileSync(files.json, "utf8"));
    assert.equal(j.runs.length, runs.length);
    const doc = probeJson(runs);
    assert.deepEqual(Object.keys(doc), ["results"]);
    assert.deepEqual(doc.results.map((r) => r.n), [2, 4]);
    assert.deepEqual(Object.keys(doc.results[0]), ["n", "median", "q1", "q3", "runs"]);
    assert.equal(doc.results[0].runs, 3);
    const df = runsToDataFrame(runs);
    assert.deepEqual(df.shape, [runs.length, 16]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("the worker-thread sweep returns exactly the serial sweep's records, in the same order", async () => {
    const cfg = { labelsPerClass: [4, 1], splitSeeds: [7, 8, 9], protocol: "paper" as const };
    const serial = runSweep(data, cfg);
    const parallel = await runSweepParallel(data, cfg, { workers: 2, minFits: 0 });
    assert.deepEqual(parallel, serial);
  });
});
