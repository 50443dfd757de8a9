import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { paperReference, recordSummary, readSummaries, writeReport } from "../lib/report/index";

describe("report", () => {
  const saved = { ...process.env };
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "nm-report-"));
    process.env.NANOMORPH_RESULTS = path.join(dir, "results");
    process.env.NANOMORPH_FIGURES = path.join(dir, "figures");
    fs.mkdirSync(process.env.NANOMORPH_FIGURES, { recursive: true });
  });
  afterEach(() => { process.env = { ...saved }; });

  it("carries the paper's nanowire medians with the citation (values from PAPER.md's table)", () => {
    const ref = paperReference();
    assert.match(ref.citation, /Digital Discovery 1 \(2022\)/);
    assert.deepEqual(ref.nanowireAccuracy.labelsPerClass, [1, 2, 4, 8, 16, 32, 80]);
    assert.equal(ref.nanowireAccuracy.medians["Barlow-TEM"][0], 0.72);
    assert.equal(ref.nanowireAccuracy.medians["SimCLRv2 SotA"][6], 0.98);
    for (const m of Object.values(ref.nanowireAccuracy.medians)) assert.equal(m.length, 7);
  });

  it("lists every figure and puts paper and reproduced medians side by side, marking stand-in data", () => {
    const figs = process.env.NANOMORPH_FIGURES!;
    fs.writeFileSync(path.join(figs, "03-accuracy.json"), JSON.stringify({ data: [], layout: { title: { text: "Accuracy | vs labels" } } }));
    fs.writeFileSync(path.join(figs, "03-accuracy.png"), "x");
    fs.writeFileSync(path.join(figs, "05-dice.json"), JSON.stringify({ data: [], layout: {} }));
    recordSummary({ section: "nanowireAccuracy", data: "stand-in", figures: ["03-accuracy"], setting: "resnet8 at 64 px",
      values: { labelsPerClass: [1, 4], medians: { "ImageNet R50": [0.5, 0.625] } } });
    fs.writeFileSync(path.join(figs, "06-hyper-crop.json"), JSON.stringify({ data: [], layout: {} }));
    recordSummary({ section: "hyperparameters", data: "stand-in", figures: ["06-hyper-crop"], paperFigures: { "06-hyper-crop": "hyperparam_crop.png" }, setting: "tiny",
      values: { barlowTEM: "0.5–0.6 over all settings" } });
    recordSummary({ section: "quantification", data: "stand-in", figures: ["05-dice"], setting: "synthetic masks",
      values: { percolating: { dispersed: 0, network: 12, of: 12 } } });
    assert.deepEqual(Object.keys(readSummaries()).sort(), ["hyperparameters", "nanowireAccuracy", "quantification"]);
    const text = fs.readFileSync(writeReport(), "utf8");
    assert.match(text, /\| 03-accuracy \| Accuracy \/ vs labels \| \[png\]\(03-accuracy.png\) \| stand-in \| nanowire_classification_accuracy.png \|/);
    assert.match(text, /\| 05-dice \| {2}\| \(spec only\) \| stand-in \| — \|/);
    // Row for 1 label/class: five paper encoders, then the reproduced one.
    assert.match(text, /\| 1 \| 0\.800 \| 0\.720 \| 0\.630 \| 0\.680 \| 0\.730 \| 0\.500 \|/);
    assert.match(text, /\| 2 \| 0\.880 .* \| — \|/);
    assert.match(text, /\*\*stand-in data\*\*/);
    assert.match(text, /\| 06-hyper-crop \| .* \| stand-in \| hyperparam_crop.png \|/);
    assert.match(text, /\| barlowTEM \| flat at about 0.95-0.975 whatever the setting \| 0.5–0.6 over all settings \|/);
    assert.match(text, /\| percolating \| dispersed: 0; network: 100; of: 100 \| dispersed: 0; network: 12; of: 12 \|/);
    assert.match(text, /### Virus classification accuracy\n\nNot reproduced in this run/);
  });
});
