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
  loadSegmentConfig, nanowireSegStudy, segmentationSweep, writeSegRuns, summarizeSeg, segRunsFrame,
  segScoreFigure, overlayFigure, type SegRunPredictions,
} from "./lib/seg/index";
import {
  readMaskFile, quantifyMask, summaryRow, classDistributionFigure, percolationMontage, type MaskReport,
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
const encoder = await loadEncoder(cfg.encoder, { seed: cfg.encoderSeed, preprocess: cfg.preprocess });
let last: SegRunPredictions | null = null;
const rows = segmentationSweep(encoder, study, {
  labelsPerClass: cfg.labelsPerClass,
  splitSeeds: Array.from({ length: cfg.splits }, (_, i) => cfg.firstSplitSeed + i),
  testFraction: cfg.testFraction, epochs: cfg.epochs,
  train: { batchSize: cfg.batchSize, learningRate: cfg.learningRate, loss: cfg.loss },
  unet: { filters: cfg.filters ?? undefined, trainEncoder: cfg.trainEncoder },
  scores: { smooth: cfg.smooth, threshold: cfg.threshold },
  onPredictions: (p) => { if (p.splitSeed === cfg.firstSplitSeed) last = p; },
});
const files = writeSegRuns(rows, resultsDir("segment"), "05-nanowire-sweep");
console.log(`${rows.length} scored test images · written to ${files.csv}`);
console.log("n    metric  median  [q1, q3]");
for (const s of summarizeSeg(rows)) console.log(`${String(s.n).padEnd(4)} ${s.metric.padEnd(7)} ${s.median.toFixed(3)}   [${s.q1.toFixed(3)}, ${s.q3.toFixed(3)}]`);
segRunsFrame(rows).head(5).print();

// %%
show(segScoreFigure(rows, "dice", { note }), "05-dice-vs-n");
show(segScoreFigure(rows, "iou", { note }), "05-iou-vs-n");

// %% [markdown]
// ## Input, ground truth and prediction (largest n, first split)

// %%
const run = last as SegRunPredictions | null;
if (!run) throw new Error("no predictions were recorded for the first split");
const px = study.images.dataSync();
const mk = study.masks.dataSync();
const hw = run.height * run.width;
const picks = run.test.filter((_, k) => k % Math.max(1, Math.floor(run.test.length / 3)) === 0).slice(0, 3);
show(overlayFigure(picks.map((i) => {
  const k = run.test.indexOf(i);
  const row = rows.find((r) => r.n === run.n && r.splitSeed === run.splitSeed && r.image === study.files[i])!;
  return {
    image: { width: run.width, height: run.height, channels: 3 as const, data: px.slice(i * hw * 3, (i + 1) * hw * 3) },
    truth: mk.slice(i * hw, (i + 1) * hw), prediction: run.probs.slice(k * hw, (k + 1) * hw),
    label: `${study.files[i].replace(/\.png$/, "")}, Dice ${row.dice.toFixed(2)}`,
  };
}), `n = ${run.n} labelled per class (${note})`), "05-overlays");
encoder.dispose();
study.images.dispose();
study.masks.dispose();

// %% [markdown]
// ## Percolation (the paper's test) on the ground-truth masks
// DBSCAN(eps 2, min_samples 2) over foreground pixel coordinates, noise dropped; an image percolates when
// one cluster spans ≥ size − 2 px both ways. Paper: dispersed 0/100, network 100/100.

// %%
const reports: Record<string, MaskReport[]> = {};
for (let i = 0; i < study.maskFiles.length; i++) {
  const cls = study.classes[study.labels[i]];
  const mask = await readMaskFile(study.maskFiles[i]);
  (reports[cls] ??= []).push(quantifyMask(mask, { minArea: 5 }, study.files[i]));
}
const perc: Record<string, number> = {}, dens: Record<string, [number, number]> = {};
for (const [cls, reps] of Object.entries(reports)) {
  perc[cls] = reps.filter((r) => r.percolation.percolates).length;
  const d = reps.map((r) => r.measure.density);
  dens[cls] = [Math.min(...d), Math.max(...d)];
  console.log(`${cls.padEnd(10)} percolating ${perc[cls]}/${reps.length} · density ${dens[cls][0].toFixed(3)}–${dens[cls][1].toFixed(3)}`);
}
const examples: Array<{ mask: Awaited<ReturnType<typeof readMaskFile>>; caption: string }> = [];
for (const cls of study.classes) {
  const idx = study.labels.map((l, i) => (study.classes[l] === cls ? i : -1)).filter((i) => i >= 0).slice(0, 2);
  for (const i of idx) {
    const r = reports[cls].find((x) => x.file === study.files[i])!;
    examples.push({ mask: await readMaskFile(study.maskFiles[i]), caption: `${study.files[i].replace(/\.png$/, "")}: ${r.percolation.percolates ? "percolates" : "no"}` });
  }
}
show(percolationMontage(examples), "05-percolation");

// %% [markdown]
// ## Domain measurements per class
// 8-connected domains; skeleton by thinning (Zhang–Suen with Lü–Wang's fix, spurs pruned); width from the
// exact Euclidean distance transform across the skeleton; orientation from the local skeleton direction.

// %%
console.log("class       domains/img  length/img(px)  mean width(px)  nematic S  branch pts/img");
for (const [cls, reps] of Object.entries(reports)) {
  const rowsQ = reps.map(summaryRow);
  const mean = (f: (r: (typeof rowsQ)[number]) => number): number => rowsQ.reduce((s, r) => s + f(r), 0) / rowsQ.length;
  console.log(`${cls.padEnd(11)} ${mean((r) => r.domainCount).toFixed(1).padStart(11)}  ${mean((r) => r.totalLength).toFixed(0).padStart(14)}  ` +
    `${mean((r) => r.meanWidth).toFixed(2).padStart(14)}  ${mean((r) => r.nematicOrder).toFixed(3).padStart(9)}  ${mean((r) => r.branchPoints).toFixed(1).padStart(14)}`);
}
for (const q of ["density", "domainArea", "length", "width", "orientation"] as const) show(classDistributionFigure(reports, q, { note }), `05-${q}-by-class`);

// %%
const nsorted = [...cfg.labelsPerClass].sort((a, b) => a - b);
const med = (metric: "dice" | "iou") => nsorted.map((n) => summarizeSeg(rows).find((s) => s.n === n && s.metric === metric)!.median);
recordSummary({
  section: "segmentation", data: "stand-in",
  figures: ["05-dice-vs-n", "05-iou-vs-n", "05-overlays"],
  values: { labelsPerClass: nsorted, medians: { dice: med("dice"), iou: med("iou") } },
  setting: `${cfg.encoder} encoder (frozen), U-Net filters ${cfg.filters ? cfg.filters.join("/") : "default"}, ${cfg.size}px, ${cfg.splits} split(s), profile ${profileName()}`,
});
recordSummary({
  section: "quantification", data: "stand-in",
  figures: ["05-percolation", "05-density-by-class", "05-domainArea-by-class", "05-length-by-class", "05-width-by-class", "05-orientation-by-class"],
  values: {
    percolating: { ...perc, of: Math.max(...Object.values(reports).map((r) => r.length)) },
    pixelDensity: dens,
  },
  setting: `ground-truth masks of the synthetic stand-in set, ${Object.values(reports)[0][0].measure.width}px, min domain area 5 px`,
});
console.log(`notebook 05 done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
