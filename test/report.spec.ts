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
    process.env.NANOMORPH_PROFILE = "ci"; // the limits text names the profile's encoder and epochs (configs/pretrain.json ci)
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
    recordSummary({ section: "nanowireAccuracy", data: "stand-in", figures: ["03-accuracy"], setting: "resnet8 at 64 px", dataSize: "48 images in 4 classes",
      values: { labelsPerClass: [1, 4], medians: { "ImageNet R50": [0.5, 0.625] }, q1: { "ImageNet R50": [0.25, 0.6] }, q3: { "ImageNet R50": [0.75, 0.65] } } });
    fs.writeFileSync(path.join(figs, "06-hyper-crop.json"), JSON.stringify({ data: [], layout: {} }));
    recordSummary({ section: "hyperparameters", data: "stand-in", figures: ["06-hyper-crop"], paperFigures: { "06-hyper-crop": "hyperparam_crop.png" }, setting: "tiny",
      values: { barlowTEM: "0.5–0.6 over all settings" } });
    process.env.NANOMORPH_NOTEBOOK_PARAMETERS = JSON.stringify({ images: "/data/x", labelsPerClass: [1, 4] }); // as reproduce -p hands it to the kernel
    recordSummary({ section: "quantification", data: "stand-in", figures: ["05-dice"], setting: "synthetic masks",
      values: { percolating: { dispersed: 0, network: 12, of: 12 } } });
    delete process.env.NANOMORPH_NOTEBOOK_PARAMETERS;
    assert.deepEqual(Object.keys(readSummaries()).sort(), ["hyperparameters", "nanowireAccuracy", "quantification"]);
    const text = fs.readFileSync(writeReport(), "utf8");
    assert.match(text, /\| 03-accuracy \| Accuracy \/ vs labels \| \[png\]\(03-accuracy.png\) \| stand-in \| nanowire_classification_accuracy.png \|/);
    assert.match(text, /\| 05-dice \| {2}\| \(spec only\) \| stand-in \| — \|/);
    // Row for 1 label/class: five paper encoders, then the reproduced one.
    // a wide interquartile range (0.25–0.75) is printed with its median; a narrow one (0.60–0.65, 0.05 wide) too, at the threshold
    assert.match(text, /\| 1 \| 0\.800 \| 0\.720 \| 0\.630 \| 0\.680 \| 0\.730 \| 0\.500 \[0\.250–0\.750\] \|/);
    assert.match(text, /\| 4 \| .* \| 0\.625 \[0\.600–0\.650\] \|/);
    assert.match(text, /Data: \*\*stand-in data\*\* \(synthetic; the paper's data was not present\), 48 images in 4 classes\. Profile/);
    assert.match(text, /What these numbers can do: show .*What they cannot do: judge SSL vs ImageNet encoders: at `ci` the self-supervised encoder is a resnet8 pretrained for 8 epochs at 64 px/);
    assert.doesNotMatch(text, /brief/i, "no internal wording");
    assert.match(text, /### Quantification[^#]*Parameters: `images="\/data\/x"`, `labelsPerClass=\[1,4\]` \(defaults otherwise\)\./);
    assert.doesNotMatch(text.split("### Quantification")[0], /Parameters: /, "sections run with defaults list none");
    assert.match(text, /\| 2 \| 0\.880 .* \| — \|/);
    assert.match(text, /\*\*stand-in data\*\*/);
    assert.match(text, /\| 06-hyper-crop \| .* \| stand-in \| hyperparam_crop.png \|/);
    assert.match(text, /\| barlowTEM \| flat at about 0.95-0.975 whatever the setting \| 0.5–0.6 over all settings \|/);
    assert.match(text, /\| percolating \| dispersed: 0; network: 100; of: 100 \| dispersed: 0; network: 12; of: 12 \|/);
    assert.match(text, /### Virus classification accuracy\n\nNot reproduced in this run/);
  });
});
