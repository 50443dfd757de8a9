// %% [markdown]
// # 05 · Segmentation and quantification
//
// The paper's segmentation study (Lu et al., *Digital Discovery* 2022, "Segmentation"): a U-Net whose
// encoder is a frozen pretrained ResNet (skips `conv1_relu` … `conv5_block3_out`), decoder blocks
// Conv2DTranspose(k 4, s 2, no bias) → BN → ReLU concatenated with the skips, a sigmoid output, 1 − Dice
// loss, Adam, batch 4; n labelled images per class from a stratified 80/20 split of the dispersed and
// network masks; soft Dice/IoU per test image (as the paper) beside the same thresholded at 0.5.
// Then the paper's quantification (DBSCAN percolation, pixel density) and what it only announced:
// per-domain sizes, lengths, widths and orientations. Settings come from `configs/segment.json` for the
// profile; without the authors' images everything runs on the synthetic stand-in set.

// %%
import { initBackend } from "./lib/backend/index";
import { profileName } from "./lib/config/index";
import { loadEncoder } from "./lib/models/load";
import { show } from "./lib/plots/index";
import { recordSummary } from "./lib/report/index";
import { resultsDir } from "./lib/util/paths";
import {
  loadSegmentConfig, nanowireSegStudy, writeSegRuns, summarizeSeg, segRunsFrame,
  segScoreFigure, overlayFigure, overlayCasesFromRun, segmentationSummaryValues, cachedSegmentationSweep,
} from "./lib/seg/index";
import {
  quantifyByClass, percolationByClass, classMeansTable, classDistributionFigure, percolationMontage, percolationExamples,
  quantificationSummaryValues,
} from "./lib/quantify/index";

const t0 = Date.now();
const backend = await initBackend();
const cfg = loadSegmentConfig();
const study = await nanowireSegStudy(cfg.size, cfg.classes);
const note = "synthetic stand-in data";
console.log(`profile ${profileName()} · backend ${backend.name} · ${study.files.length} image/mask pairs (${cfg.classes.join(", ")}) at ${cfg.size}px · ${study.dir}`);
console.log(`encoder ${cfg.encoder} (${cfg.preprocess} input, frozen: ${!cfg.trainEncoder}) · loss ${cfg.loss} · n ∈ {${cfg.labelsPerClass.join(", ")}} · ${cfg.splits} split(s) · epochs ${JSON.stringify(cfg.epochs)}`);

// %% [markdown]
// ## Label sweep
// The encoder's skip maps are computed once for all images; each run trains a fresh decoder.

// %%
const sweep = await cachedSegmentationSweep(
  { spec: cfg.encoder, seed: cfg.encoderSeed, preprocess: cfg.preprocess },
  () => loadEncoder(cfg.encoder, { seed: cfg.encoderSeed, preprocess: cfg.preprocess }),
  study,
  {
    labelsPerClass: cfg.labelsPerClass,
    splitSeeds: Array.from({ length: cfg.splits }, (_, i) => cfg.firstSplitSeed + i),
    testFraction: cfg.testFraction, epochs: cfg.epochs,
    train: { batchSize: cfg.batchSize, learningRate: cfg.learningRate, loss: cfg.loss },
    unet: { filters: cfg.filters ?? undefined, trainEncoder: cfg.trainEncoder },
    scores: { smooth: cfg.smooth, threshold: cfg.threshold },
  },
  cfg.firstSplitSeed,
);
const rows = sweep.rows;
if (sweep.hit) console.log("scores and overlay predictions read back from the stage cache (same encoder, images and settings)");
const files = writeSegRuns(rows, resultsDir("segment"), "05-nanowire-sweep");
console.log(`${rows.length} scored test images · written to ${files.csv}`);
console.log("n    metric  median  [q1, q3]");
for (const s of summarizeSeg(rows)) console.log(`${String(s.n).padEnd(4)} ${s.metric.padEnd(7)} ${s.median.toFixed(3)}   [${s.q1.toFixed(3)}, ${s.q3.toFixed(3)}]`);
segRunsFrame(rows).head(5).print();

// %%
show(segScoreFigure(rows, "dice", { note: note }), "05-dice-vs-n");
show(segScoreFigure(rows, "iou", { note: note }), "05-iou-vs-n");

// %% [markdown]
// ## Input, ground truth and prediction (largest n, first split)

// %%
const run = sweep.overlay;
if (!run) throw new Error("no predictions were recorded for the first split");
show(overlayFigure(overlayCasesFromRun(study, run, rows, 3), `n = ${run.n} labelled per class (${note})`), "05-overlays");
study.images.dispose();
study.masks.dispose();

// %% [markdown]
// ## Percolation (the paper's test) on the ground-truth masks
// DBSCAN(eps 2, min_samples 2) over foreground pixel coordinates, noise dropped; an image percolates when
// one cluster spans ≥ size − 2 px both ways. Paper: dispersed 0/100, network 100/100.

// %%
const reports = await quantifyByClass(study.maskFiles, study.labels.map((l) => study.classes[l]), { minArea: 5 }, study.files);
const perc = percolationByClass(reports);
for (const [cls, p] of Object.entries(perc)) console.log(`${cls.padEnd(10)} percolating ${p.percolating}/${p.of} · density ${p.densityMin.toFixed(3)}–${p.densityMax.toFixed(3)}`);
const examples = await percolationExamples(study.maskFiles, study.labels.map((l) => study.classes[l]), 2, study.files);
show(percolationMontage(examples), "05-percolation");

// %% [markdown]
// ## Domain measurements per class
// 8-connected domains; skeleton by thinning (Zhang–Suen with Lü–Wang's fix, spurs pruned); width from the
// exact Euclidean distance transform across the skeleton; orientation from the local skeleton direction.

// %%
console.log(classMeansTable(reports));
for (const q of ["density", "domainArea", "length", "width", "orientation"] as const) show(classDistributionFigure(reports, q, { note: note }), `05-${q}-by-class`);

// %%
recordSummary({
  section: "segmentation", data: "stand-in",
  figures: ["05-dice-vs-n", "05-iou-vs-n", "05-overlays"],
  values: segmentationSummaryValues(rows),
  setting: `${cfg.encoder} encoder (frozen, ${cfg.preprocess} input), U-Net filters ${cfg.filters ? cfg.filters.join("/") : "default"}, loss ${cfg.loss}, ${cfg.size}px, ${cfg.splits} split(s), profile ${profileName()}`,
});
recordSummary({
  section: "quantification", data: "stand-in",
  figures: ["05-percolation", "05-density-by-class", "05-domainArea-by-class", "05-length-by-class", "05-width-by-class", "05-orientation-by-class"],
  values: quantificationSummaryValues(perc),
  setting: `ground-truth masks of the synthetic stand-in set at native size, min domain area 5 px`,
});
console.log(`notebook 05 done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
