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
// profile.
//
// **Your own data:** `-p images=DIR -p masks=DIR` (masks matched by name: `x.png`, `x_label.png` or
// `x_mask.png`; any non-zero pixel is foreground) runs everything below on your image/mask pairs — e.g.
// the ISBI 2012 membrane set. Without them it runs on the synthetic nanowire stand-in set. The first
// line printed names the data.

// %%
import { initBackend } from "./dist/lib/backend/index";
import { profileName } from "./dist/lib/config/index";
import { loadEncoder } from "./dist/lib/models/load";
import { show } from "./dist/lib/plots/index";
import { recordSummary } from "./dist/lib/report/index";
import { resultsDir } from "./dist/lib/util/paths";
import {
  loadSegmentConfig, withSegmentOverrides, segStudyData, writeSegRuns, summarizeSeg, segRunsFrame,
  segScoreFigure, overlayFigure, overlayCasesFromRun, segmentationSummaryValues, cachedSegmentationSweep, allForegroundBaseline,
} from "./dist/lib/seg/index";
import {
  quantifyByClass, percolationByClass, classMeansTable, classDistributionFigure, percolationMontage, percolationExamples,
  quantificationSummaryValues,
} from "./dist/lib/quantify/index";

// %% tags=["parameters"]
let images: string = "";           // folder of images (flat, or one subfolder per class); "" = the synthetic nanowire stand-in
let masks: string = "";            // folder of their masks, matched by name; "" = beside the images (x_label.png)
let labelsPerClass: number[] = []; // labelled images per class for training; [] = the profile's (configs/segment.json)
let splits: number = 0;            // split seeds; 0 = the profile's
let size: number = 0;              // input size in px, a multiple of 32; 0 = the profile's
let encoder: string = "";          // frozen encoder spec (imagenet, resnet8, a checkpoint folder); "" = the profile's

// %%
const t0 = Date.now();
const backend = await initBackend();
const cfg = withSegmentOverrides(loadSegmentConfig(), { labelsPerClass: labelsPerClass, splits: splits, size: size, encoder: encoder });
const study = await segStudyData({ size: cfg.size, classes: cfg.classes, images: images, masks: masks });
const note = study.real ? "" : "synthetic stand-in data";
console.log(`data: ${study.dataLabel}`);
console.log(`profile ${profileName()} · backend ${backend.name} · ${study.files.length} image/mask pairs (${study.classes.join(", ")}) at ${cfg.size}px`);
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
console.log(`baseline: predicting every pixel as foreground scores Dice ${allForegroundBaseline(study.masks, study.files, rows.map((r) => r.image)).toFixed(3)} (median over the test images)`);
segRunsFrame(rows).head(5).print();

// %%
show(segScoreFigure(rows, "dice", { note: note }), "05-dice-vs-n");
show(segScoreFigure(rows, "iou", { note: note }), "05-iou-vs-n");

// %% [markdown]
// **What to look at:** Dice and IoU of each test image against n, the labelled images per class used to
// train the decoder. The paper's segmentation result is that a frozen pretrained encoder needs only a
// handful of masks: look for the curve flattening early. Soft scores (on probabilities, as the paper)
// sit below thresholded ones when the network is unsure; a wide box at large n means some test images
// are hard for every model — look at them in the overlays below. Always compare with the all-foreground
// baseline printed above: where the foreground covers most of each mask (membranes, dense networks), a
// Dice of 0.85 can mean the model learnt nothing.

// %% [markdown]
// ## Input, ground truth and prediction (largest n, first split)

// %%
const run = sweep.overlay;
if (!run) throw new Error("no predictions were recorded for the first split");
show(overlayFigure(overlayCasesFromRun(study, run, rows, 3), `n = ${run.n} labelled per class${note ? ` (${note})` : ""}`), "05-overlays");
study.images.dispose();
study.masks.dispose();

// %% [markdown]
// **What to look at:** input, ground truth and prediction side by side. Errors at thin structures
// (single wires, membrane edges) cost little Dice but change connectivity, which is what the
// percolation test below measures; errors over whole regions mean the decoder has not learnt the
// foreground at this n.

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
// **What to look at:** each mask coloured by DBSCAN cluster; a network percolates when one cluster
// spans the image both ways. In the paper this is the quantitative difference between the dispersed
// (0/100 percolating) and network (100/100) classes.

// %% [markdown]
// ## Domain measurements per class
// 8-connected domains; skeleton by thinning (Zhang–Suen with Lü–Wang's fix, spurs pruned); width from the
// exact Euclidean distance transform across the skeleton; orientation from the local skeleton direction.

// %%
console.log(classMeansTable(reports));
for (const q of ["density", "domainArea", "length", "width", "orientation"] as const) show(classDistributionFigure(reports, q, { note: note }), `05-${q}-by-class`);

// %% [markdown]
// **What to look at:** the distributions per class of foreground density, domain area, skeleton length,
// width and orientation. Classes that a person tells apart by eye should separate in at least one of
// them; orientation is uniform for isotropic samples and peaked for aligned ones. Lengths and widths are
// in pixels of the mask, not nm.

// %%
recordSummary({
  section: "segmentation", data: study.real ? "real" : "stand-in", dataSize: `${study.files.length} image/mask pairs (${study.classes.join(", ")}), ${rows.length} scored test images`,
  figures: ["05-dice-vs-n", "05-iou-vs-n", "05-overlays"],
  values: segmentationSummaryValues(rows),
  setting: `${cfg.encoder} encoder (frozen, ${cfg.preprocess} input), U-Net filters ${cfg.filters ? cfg.filters.join("/") : "default"}, loss ${cfg.loss}, ${cfg.size}px, ${cfg.splits} split(s), profile ${profileName()}`,
});
recordSummary({
  section: "quantification", data: study.real ? "real" : "stand-in", dataSize: `${study.maskFiles.length} masks`,
  figures: ["05-percolation", "05-density-by-class", "05-domainArea-by-class", "05-length-by-class", "05-width-by-class", "05-orientation-by-class"],
  values: quantificationSummaryValues(perc),
  setting: `ground-truth masks of ${study.real ? study.dir : "the synthetic stand-in set"} at native size, min domain area 5 px`,
});
console.log(`notebook 05 done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

// %% [markdown]
// ## Try this
// - `-p labelsPerClass=1,2,4,8`: where does Dice stop improving? On the stand-in set expect most of the
//   gain by 4; on harder real data (membranes) later.
// - `-p size=128` (slower): thin structures survive the resize; watch the width and length
//   distributions change, not only Dice.
// - `-p encoder=resnet8`: a random encoder in place of ImageNet's shows how much the pretrained skips do.
// - `-p images=/your/images -p masks=/your/masks`: your own pairs; a flat folder is one class `all`,
//   class subfolders keep their classes in the splits and the per-class tables.
