import { strict as assert } from "assert";
import { protocolInflation, paperVsReproducedMarkdown, tsneFigure, sweepViolinFigure, mediansMarkdown } from "../lib/probe/figures";
import { confusionTotal, mediansByEncoder } from "../lib/probe/results";
import type { RunRecord } from "../lib/probe/sweep";

function run(encoder: string, protocol: "paper" | "honest", n: number, accuracy: number, splitSeed: number): RunRecord {
  return { encoder, encoderSeed: 1, splitSeed, n, protocol, accuracy, precision: accuracy, recall: accuracy, f1: accuracy,
    epochs: 20, bestEpoch: 10, C: null, nFit: 4 * n, nVal: 0, nTest: 8, confusion: [[splitSeed, 1], [0, 2]] };
}

describe("probe/figures and summaries", () => {
  // Hand-made runs: paper medians 0.8 (n=1) / 0.9 (n=4); honest 0.6 / 0.85.
  const rows = [
    run("a", "paper", 1, 0.7, 1), run("a", "paper", 1, 0.8, 2), run("a", "paper", 1, 0.9, 3),
    run("a", "paper", 4, 0.9, 1), run("a", "honest", 1, 0.6, 1), run("a", "honest", 4, 0.85, 1),
  ];

  it("protocol inflation is median(paper) − median(honest) per encoder and n", () => {
    const inf = protocolInflation(rows).sort((x, y) => x.n - y.n);
    assert.deepEqual(inf.map((r) => r.n), [1, 4]);
    assert.ok(Math.abs(inf[0].inflation - 0.2) < 1e-12);
    assert.ok(Math.abs(inf[1].inflation - 0.05) < 1e-12);
  });

  it("confusion totals sum the runs' matrices; medians come out in the report's shape", () => {
    assert.deepEqual(confusionTotal(rows, "a", 1, "paper"), [[6, 3], [0, 6]]);
    assert.throws(() => confusionTotal(rows, "b", 1), /no runs for encoder 'b'/);
    const m = mediansByEncoder(rows, "paper");
    assert.deepEqual(m.labelsPerClass, [1, 4]);
    assert.ok(Math.abs(m.medians.a[0] - 0.8) < 1e-12);
  });

  it("the paper-vs-reproduced table names the data and puts the paper's and our medians side by side", () => {
    const md = paperVsReproducedMarkdown({ labelsPerClass: [1, 80], medians: { "Barlow-TEM": [0.72, 0.96] } }, rows, "synthetic stand-in data");
    assert.match(md, /Reproduced on \*\*synthetic stand-in data\*\*/);
    assert.match(md, /\| 1 \| 0\.72 \| 0\.60 \| 0\.80 \|/);
    assert.match(md, /\| 80 \| 0\.96 \| – \| – \|/);
    assert.match(mediansMarkdown(rows), /\| 4 \| 0\.85 \[0\.85–0\.85\] \| 0\.90 \[0\.90–0\.90\] \|/);
  });

  it("figures carry the stand-in note in the title, one trace per encoder, anchors as an extra trace", () => {
    const f = sweepViolinFigure(rows.filter((r) => r.protocol === "paper"), { note: "synthetic stand-in data" });
    assert.match(String((f.layout.title as { text: string }).text), /synthetic stand-in data/);
    assert.equal(f.data.length, 1);
    const Y = Float64Array.from([0, 0, 1, 1, 2, 2, 3, 3]);
    const t = tsneFigure(Y, [0, 1, 0, 1], ["x", "y"], { anchors: [1], note: "stand-in" });
    assert.equal(t.data.length, 3);
    assert.throws(() => tsneFigure(Y, [0, 1], ["x", "y"]), /4 points for 2 labels/);
  });
});
