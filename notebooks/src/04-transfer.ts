// %% [markdown]
// # 04 · Transfer: nanoparticles and viruses
//
// The paper's second and third classification studies (Lu et al., *Digital Discovery* 2022): the same
// frozen-encoder linear probe on metal nanoparticles (AutoDetect-mNP, 3 shape classes, stratified
// 80/20 splits) and on TEM virus images (9 classes, **fixed test set**, n up to 600/class).
//
// Without real data this notebook runs the identical code on STAND-IN data made by our generator
// (`ensureDataset("nanoparticle" | "virus")`): TEM-like particle shapes, and a many-class split-folder
// set. Every figure and table says so; none of those numbers is comparable with the paper's.
//
// **Your own data:** `-p data=DIR` (one subfolder of images per class, split 80/20 per seed) replaces
// the nanoparticle set, `-p splitData=DIR` (`train/<class>/…` and `test/<class>/…`: a fixed test set)
// the virus set; `NANOMORPH_NANOPARTICLE_DIR` / `NANOMORPH_VIRUS_DIR` do the same from the environment.
// The first lines this notebook prints name the data each part ran on.

// %%
import { initBackend } from "./dist/lib/backend/index";
import { profileName } from "./dist/lib/config/index";
import { show, confusionMatrix, imageGrid } from "./dist/lib/plots/index";
import { paperReference, recordSummary } from "./dist/lib/report/index";
import { resultsDir } from "./dist/lib/util/paths";
import {
  loadProbeConfig, sweepConfigOf, listProbeImages, prepareSweepData, runSweepParallel, writeRuns,
  sweepViolinFigure, protocolInflation, mediansMarkdown, confusionTotal, mediansByEncoder,
  transferStudyData, loadThumbnails, withProbeOverrides,
} from "./dist/lib/probe/index";

// %% tags=["parameters"]
let data: string = "";             // class-folder set for the first study (80/20 splits); "" = NANOMORPH_NANOPARTICLE_DIR, else the stand-in
let splitData: string = "";        // split-folder set (train/ and test/ of class folders) for the fixed-test study; "" = NANOMORPH_VIRUS_DIR, else the stand-in
let labelsPerClass: number[] = []; // labelled images per class (both studies); [] = the profile's
let encoders: string[] = [];       // encoder specs; [] = the profile's
let seeds: number[] = [];          // encoder seeds; [] = the profile's
let splits: number = 0;            // split seeds per box; 0 = the profile's
let size: number = 0;              // encoder input size in px; 0 = the profile's

// %%
const t0 = Date.now();
const backend = await initBackend();
const cfg = withProbeOverrides(loadProbeConfig(), { labelsPerClass: labelsPerClass, encoders: encoders, seeds: seeds, splits: splits, size: size });
const ref = paperReference();
const np = await transferStudyData("nanoparticle", data);
const vi = await transferStudyData("virus", splitData);
console.log(`data: ${np.dataLabel}; fixed-test study: ${vi.dataLabel}`);
console.log(`profile ${profileName()} · backend ${backend.name} · encoders ${cfg.transfer.encoders.join(", ")} at ${cfg.size}px`);

// %% [markdown]
// ## Nanoparticles (stand-in unless real data is given)

// %%
const npNote = np.real ? "" : "STAND-IN data, not the paper's mNP set";
const npImages = listProbeImages(np.dir);
console.log(`${np.dataLabel}: ${npImages.files.length} images, classes ${npImages.classes.join(", ")}`);
const npExamples = npImages.classes.flatMap((_, k) => npImages.files.filter((_, i) => npImages.labels[i] === k).slice(0, 3));
show(imageGrid(await loadThumbnails(npExamples, 96), { cols: 6, captions: npExamples.map((f) => f.split("/").slice(-2)[0]), title: np.real ? "Three examples per class" : "Three examples per class (stand-in)", tile: 110 }), "04-np-examples");
const npData = await prepareSweepData(npImages, cfg.transfer.encoders.map((spec) => ({ spec, seeds: cfg.encoderSeeds })), { size: cfg.size });
const npRuns = [
  ...(await runSweepParallel(npData, sweepConfigOf({ ...cfg, splits: cfg.transfer.splits }, { labelsPerClass: cfg.transfer.nanoparticleLabelsPerClass, protocol: "honest", label: "np honest" }))),
  ...(await runSweepParallel(npData, sweepConfigOf({ ...cfg, splits: cfg.transfer.splits }, { labelsPerClass: cfg.transfer.nanoparticleLabelsPerClass, protocol: "paper", label: "np paper" }))),
];
writeRuns(npRuns, resultsDir("probe"), "04-nanoparticle-sweep");
show(sweepViolinFigure(npRuns.filter((r) => r.protocol === "honest"), { title: "Nanoparticle accuracy vs labelled images per class (honest)", note: npNote }), "04-np-accuracy");
console.log(mediansMarkdown(npRuns));
console.log(`\nPaper (${ref.mnpAccuracy.figure}, real mNP data): ${ref.mnpAccuracy.summary}.`);

// %% [markdown]
// **What to look at:** the example grid first — three images per class — then the violins. The
// paper's point here is *transfer*: an encoder pretrained on nanowires (or on ImageNet) still separates
// particle shapes it never saw. If the violins reach their plateau at a few labels per class, the
// features carry the shape information; if they rise slowly, the probe is learning from scratch.

// %% [markdown]
// ## Virus-like many-class set with a fixed test set (stand-in unless real data is given)

// %%
const viNote = vi.real ? "" : "STAND-IN data, not the paper's virus set";
const viImages = listProbeImages(vi.dir);
console.log(`${vi.dataLabel}: ${viImages.files.length} images (${viImages.testRows ? `${viImages.testRows.length} in the fixed test set` : "no test/ folder: 80/20 splits"}), ${viImages.classes.length} classes`);
const viData = await prepareSweepData(viImages, cfg.transfer.encoders.map((spec) => ({ spec, seeds: cfg.encoderSeeds })), { size: cfg.size });
const viRuns = [
  ...(await runSweepParallel(viData, sweepConfigOf({ ...cfg, splits: cfg.transfer.splits }, { labelsPerClass: cfg.transfer.virusLabelsPerClass, protocol: "honest", label: "virus honest" }))),
  ...(await runSweepParallel(viData, sweepConfigOf({ ...cfg, splits: cfg.transfer.splits }, { labelsPerClass: cfg.transfer.virusLabelsPerClass, protocol: "paper", label: "virus paper" }))),
];
writeRuns(viRuns, resultsDir("probe"), "04-virus-sweep");
show(sweepViolinFigure(viRuns.filter((r) => r.protocol === "honest"), { title: "Virus-like accuracy vs labelled images per class (fixed test set, honest)", note: viNote }), "04-virus-accuracy");
console.log(mediansMarkdown(viRuns));
console.log(`\nPaper (${ref.virusAccuracy.figure}, real virus data, n = 10 → 600/class):`);
for (const [e, m] of Object.entries(ref.virusAccuracy.medians)) console.log(`  ${e.padEnd(16)} ${m[0].toFixed(2)} → ${m[1].toFixed(2)}`);
const nMax = Math.max(...cfg.transfer.virusLabelsPerClass);
show(confusionMatrix(confusionTotal(viRuns, cfg.transfer.encoders[0], nMax, "honest"), viImages.classes, {
  title: `${cfg.transfer.encoders[0]}, ${nMax}/class, honest${viNote ? ` — ${viNote}` : ""}`, width: 600, height: 560,
}), "04-virus-confusion");

// %% [markdown]
// **What to look at:** with a fixed test set every box at one n is tested on the same images, so the
// spread comes from which training images were labelled. In the confusion matrix, classes the encoder
// mixes up stand out as bright off-diagonal cells; with many classes, expect the accuracy at small n to
// sit well below the two- or three-class studies (chance is 1/classes).

// %% [markdown]
// ## Protocol inflation on both sets, and records for the report

// %%
for (const [name, runs] of [["nanoparticle", npRuns], ["virus", viRuns]] as const) {
  for (const r of protocolInflation(runs)) console.log(`${name.padEnd(12)} ${r.encoder.padEnd(10)} n=${String(r.n).padStart(3)}  paper ${r.paper.toFixed(3)}  honest ${r.honest.toFixed(3)}  ${(r.inflation >= 0 ? "+" : "") + r.inflation.toFixed(3)}`);
}
recordSummary({
  section: "mnpAccuracy", data: np.real ? "real" : "stand-in", dataSize: `${npImages.files.length} images in ${npImages.classes.length} classes, ${cfg.transfer.splits} splits × ${cfg.encoderSeeds.length} seed(s)`, figures: ["04-np-accuracy"],
  values: mediansByEncoder(npRuns, "paper"),
  setting: `${cfg.transfer.encoders.join(", ")} at ${cfg.size}px on ${np.dataLabel}; paper protocol medians`,
});
recordSummary({
  section: "virusAccuracy", data: vi.real ? "real" : "stand-in", dataSize: `${viImages.files.length} images in ${viImages.classes.length} classes (${viImages.testRows?.length ?? 0} in the fixed test set)`, figures: ["04-virus-accuracy", "04-virus-confusion"],
  values: mediansByEncoder(viRuns, "paper"),
  setting: `${cfg.transfer.encoders.join(", ")} at ${cfg.size}px on ${vi.dataLabel}; fixed test set; paper protocol medians`,
});
console.log(`notebook 04 done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

// %% [markdown]
// ## Try this
// - `-p data=/your/class/folders -p labelsPerClass=1,2,5,10`: your own shapes; expect the plateau where
//   a person would also need only a handful of examples.
// - `-p encoders=imagenet,resnet8`: how much the ImageNet weights carry over (a random ResNet-8 shows
//   what the probe alone can do).
// - `-p splits=10`: narrower boxes; the paper-vs-honest inflation printed above becomes readable.
