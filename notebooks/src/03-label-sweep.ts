// %% [markdown]
// # 03 · Label-efficient nanowire classification
//
// The paper's main result (Lu et al., *Digital Discovery* 2022, "Label-efficient classification"):
// freeze an encoder, extract one 2048-d feature vector per image, and train a linear softmax probe on
// n = 1 … 80 labelled images per class (Adam 1e-3, batch 4, ≤ 300 epochs, early stopping with patience
// 10). Each box is encoder seeds × 20 stratified 80/20 splits (fewer under the `ci` profile).
//
// Protocols: **paper** — the authors' Adam head, early stopping watches the *test* split, as their
// code did; **honest** (our default) — L2 logistic regression fitted on all n labelled images, features
// scaled on the unlabelled pool, C by cross-validation on the labelled images only; **honest-adam** —
// the paper's head stopped on validation carved from the labelled images. The profile's input
// preprocessing applies (`auto`: ImageNet weights get their caffe mean subtraction; `paper` keeps [0,1]).
//
// **Your own data:** any folder with one subfolder of images per class works —
// `nanomorph reproduce --only 03 -p data=/path/to/classes -p labelsPerClass=1,2,4`. Without it, the
// authors' images are used when `NANOMORPH_NANOWIRE_DIR` points at them, else the synthetic stand-in
// set, and every figure says which. The first line this notebook prints names the data it ran on.

// %%
import { initBackend } from "./dist/lib/backend/index";
import { profileName } from "./dist/lib/config/index";
import { listClassFolder } from "./dist/lib/data/folders";
import { show, confusionMatrix, imageGrid } from "./dist/lib/plots/index";
import { paperReference } from "./dist/lib/report/index";
import { recordSummary } from "./dist/lib/report/index";
import { resultsDir } from "./dist/lib/util/paths";
import { selectRows } from "./dist/lib/linalg/matrix";
import {
  loadProbeConfig, sweepConfigOf, listProbeImages, prepareSweepData, runSweepParallel, writeRuns,
  sweepViolinFigure, protocolFigure, sklearnAvailable, sklearnBaselineRuns, runBudgetSweep, randomRows, suggestRows, protocolInflation, mediansMarkdown, paperVsReproducedMarkdown,
  compareEncoders, confusionTotal, mediansByEncoder, nanowireStudyData, imageDensities,
  oneShotAnchorAnalysis, oneShotFigure, planRun, resolveSweepConfig, tsne, tsneFigure,
  loadThumbnails, knnPreservation, pretrainedEncoderChoices, runsToDataFrame, withProbeOverrides, oneShotSkipReason,
  duplicateGroups, groupSummary,
} from "./dist/lib/probe/index";

// %% tags=["parameters"]
let data: string = "";             // class-folder set (one subfolder per class); "" = the paper's images when NANOMORPH_NANOWIRE_DIR is set, else the synthetic stand-in
let masks: string = "";            // masks of `data` matched by name (x_label.png), for the one-shot anchor analysis; "" = none
let labelsPerClass: number[] = []; // labelled images per class in the sweep; [] = the profile's (configs/probe.json)
let encoders: string[] = [];       // encoder specs (imagenet, resnet8, a checkpoint folder); [] = the profile's
let seeds: number[] = [];          // encoder seeds; [] = the profile's
let splits: number = 0;            // stratified splits per box; 0 = the profile's
let size: number = 0;              // encoder input size in px; 0 = the profile's

// %%
const t0 = Date.now();
const backend = await initBackend();
const cfg = withProbeOverrides(loadProbeConfig(), { labelsPerClass: labelsPerClass, encoders: encoders, seeds: seeds, splits: splits, size: size });
const study = await nanowireStudyData({ dir: data, masks: masks });
const note = study.real ? "" : "synthetic stand-in data"; // "" = no note (real data)
// The configured encoders, plus any encoder notebook 02 pretrained for this profile (results/pretrain/).
const encoderChoices = [
  ...cfg.nanowire.encoders.map((spec) => ({ spec, name: spec, seeds: cfg.encoderSeeds, preprocess: cfg.preprocess })),
  ...pretrainedEncoderChoices(profileName(), cfg.encoderSeeds),
];
const encoderNames = encoderChoices.map((e) => e.name);
console.log(`data: ${study.dataLabel}`);
console.log(`profile ${profileName()} · backend ${backend.name}`);
console.log(`encoders ${encoderNames.join(", ")} at ${cfg.size}px, preprocess ${cfg.preprocess} · seeds ${cfg.encoderSeeds.join(",")} · ${cfg.splits} splits · n ∈ {${cfg.nanowire.labelsPerClass.join(", ")}}`);

// %% [markdown]
// ## Features (cached on disk by weights, file contents and size)
// Before splitting, images are grouped with their rotated and flipped copies **by content** (small
// thumbnails compared under all 8 rotations/flips, never by file name): the authors' `singular` class
// holds each original plus its 90/180/270° rotations, so a plain stratified split can test on an image
// whose rotated copy was trained on. The honest protocols split by these groups; the paper protocol
// keeps the authors' plain stratified split.

// %%
const images = listProbeImages(study.dir);
const groups = await duplicateGroups(images.files);
const dup = groupSummary(groups);
console.log(`${dup.images} images in ${dup.groups} content groups: ${dup.inGroups} have a rotated/flipped copy (largest group ${dup.largest})` +
  (dup.inGroups ? "; honest splits keep each group on one side" : "; no duplicates, splits as usual"));
const sweepData = { ...(await prepareSweepData(images, encoderChoices, { size: cfg.size })), groups: dup.inGroups ? groups : undefined };
console.log(`${images.files.length} images · classes ${images.classes.join(", ")} · ${sweepData.featureSets.length} feature sets of ${sweepData.featureSets[0].X.cols}-d`);
const perClass = images.classes.map((_, k) => images.files.filter((_, i) => images.labels[i] === k)[0]);
show(imageGrid(await loadThumbnails(perClass, 128), { captions: images.classes, title: study.real ? "One image per class" : "One image per class (synthetic stand-in)", tile: 150 }), "03-examples");

// %% [markdown]
// **What to look at:** one image per class, as the encoder will see it (resized to the profile's
// size). If you cannot tell the classes apart at this size, neither can a linear probe on frozen
// features; the paper's four nanowire classes differ mainly in how wires pack (bundles vs networks).

// %% [markdown]
// ## Sweep under both protocols

// %%
const sweep = (protocol: "honest" | "honest-adam" | "paper") => sweepConfigOf(cfg, { labelsPerClass: cfg.nanowire.labelsPerClass, protocol });
const honest = await runSweepParallel(sweepData, sweep("honest"));
const paper = await runSweepParallel(sweepData, sweep("paper"));
const all = [...honest, ...paper];
const files = writeRuns(all, resultsDir("probe"), "03-nanowire-sweep");
console.log(`${all.length} fits · runs written to ${files.csv}`);
show(sweepViolinFigure(honest, { title: "Nanowire accuracy vs labels per class (honest protocol)", note: note }), "03-accuracy-honest");
show(sweepViolinFigure(paper, { title: "Nanowire accuracy vs labels per class (paper protocol)", note: note }), "03-accuracy-paper");

// %% [markdown]
// **What to look at:** each violin is the spread of test accuracy over encoder seeds × splits at one
// n (labelled images per class). The paper's claim (its Fig. 3) is that accuracy is already high at
// n ≈ 5–10 and flat after that; look where the median stops rising, and how wide the violins are at
// small n — at n = 1 the choice of the single labelled image decides most of the result.

// %% [markdown]
// ## Heads side by side (beyond the paper)
// The same features, splits and labelled images under the paper's Adam head (paper protocol: the test
// split picks the epoch), the same head stopped honestly, our default logistic head, and what a Python
// user would write: scikit-learn's `StandardScaler` + `LogisticRegression()` on the labelled images.

// %%
const honestAdam = await runSweepParallel(sweepData, sweep("honest-adam"));
const sklearnWhy = sklearnAvailable();
const sklearnRuns = sklearnWhy ? [] : sklearnBaselineRuns(sweepData, sweep("honest"));
if (sklearnWhy) console.log(`scikit-learn baseline not run: ${sklearnWhy}`);
const enc0 = encoderNames[0];
const heads = [...paper, ...honestAdam, ...honest, ...sklearnRuns].filter((r) => r.encoder === enc0 || r.encoder === `${enc0} (sklearn)`);
show(protocolFigure(heads, { title: `Linear heads on ${enc0} features: paper, honest-adam, honest (default), scikit-learn`, note: note }), "03-heads");
const headMedians: Record<string, number[]> = {
  "Adam head, paper protocol": mediansByEncoder(paper, "paper").medians[enc0],
  "Adam head, honest-adam": mediansByEncoder(honestAdam, "honest-adam").medians[enc0],
  "logistic head, honest (default)": mediansByEncoder(honest, "honest").medians[enc0],
};
if (sklearnRuns.length) headMedians["scikit-learn LogisticRegression"] = mediansByEncoder(sklearnRuns, "honest").medians[`${enc0} (sklearn)`];
const headNs = mediansByEncoder(honest, "honest").labelsPerClass;
console.log("n     " + Object.keys(headMedians).join(" | "));
headNs.forEach((n, k) => console.log(`${String(n).padEnd(5)} ${Object.values(headMedians).map((m) => m[k].toFixed(3)).join(" | ")}`));

// %% [markdown]
// **What to look at:** the same features under four heads. If the paper-protocol box sits above the
// honest ones, part of its accuracy came from choosing the epoch on the test split. Where
// scikit-learn's default `LogisticRegression` and our honest head agree, the head is not the story:
// the features are.

// %% [markdown]
// ## Which images to label first: suggested vs random picks (beyond the paper)
// A *total* budget of B images, picked without looking at labels — at random, or by `nanomorph
// suggest` (k-medoids coverage of the feature space) — then the honest head. Same splits and test rows
// for both; random picks often miss a class entirely at small budgets.

// %%
const budgets = [2, 4, 8].map((b) => b * Math.max(1, images.classes.length / 2)).map(Math.round);
const firstSet = { ...sweepData, featureSets: sweepData.featureSets.filter((f) => f.encoder === enc0).slice(0, 1) };
const budgetCfg = { budgets: budgets, splitSeeds: sweep("honest").splitSeeds ?? [cfg.firstSplitSeed] };
const randomPicks = runBudgetSweep(firstSet, budgetCfg, "random", randomRows);
const suggestedPicks = runBudgetSweep(firstSet, budgetCfg, "suggest", (X, pool, b, seed) => suggestRows(X, pool, b, { seed: seed }).map((r) => r.row));
show(protocolFigure([...randomPicks, ...suggestedPicks], { title: `Total label budget (x: images labelled in all), ${enc0}: random vs suggested picks`, note: note }), "03-label-budget");
const budgetMedians: Record<string, number[]> = {
  random: mediansByEncoder(randomPicks, "honest").medians[`${enc0} [random]`],
  suggest: mediansByEncoder(suggestedPicks, "honest").medians[`${enc0} [suggest]`],
};
const missed = (rows: typeof randomPicks, b: number) => rows.filter((r) => r.budget === b && r.classesPicked < images.classes.length).length;
budgets.forEach((b, k) => console.log(`budget ${String(b).padEnd(3)} random ${budgetMedians.random[k].toFixed(3)} (a class missed in ${missed(randomPicks, b)}/${budgetCfg.splitSeeds.length})` +
  `  suggest ${budgetMedians.suggest[k].toFixed(3)} (missed in ${missed(suggestedPicks, b)})`));

// %% [markdown]
// **What to look at:** at each total budget, does labelling the suggested images beat labelling random
// ones? Suggestions help most when random picks miss a class (the count in brackets). On a tiny
// stand-in set with weak features (the `ci` encoders) the suggestions can do *worse* than random:
// k-medoids covers the feature space, and a feature space that does not separate the classes gives a
// coverage pick no advantage. Judge this on real data with a good encoder.

// %% [markdown]
// The same runs as a danfo DataFrame (one row per fit; the CSV/JSON above hold the same table):
// mean accuracy per encoder, protocol and n.

// %%
const df = runsToDataFrame(all);
df.groupby(["encoder", "protocol", "n"]).col(["accuracy"]).mean().print();

// %% [markdown]
// ## How much does watching the test split inflate accuracy?
// Median(paper) − median(honest) at each n, same encoders, same splits, same labelled images.

// %%
show(protocolFigure(all, { note: note }), "03-protocol-inflation");
console.log("encoder          n   paper  honest  inflation");
for (const r of protocolInflation(all)) console.log(`${r.encoder.padEnd(16)} ${String(r.n).padStart(3)}  ${r.paper.toFixed(3)}  ${r.honest.toFixed(3)}  ${(r.inflation >= 0 ? "+" : "") + r.inflation.toFixed(3)}`);

// %% [markdown]
// **What to look at:** bars above zero are accuracy the paper protocol gains by peeking at the test
// split. Expect the gain to be largest at small n, where the test split is large compared with the
// labelled images and early stopping on it is a strong (and illegitimate) signal.

// %% [markdown]
// ## Medians [IQR], Mann–Whitney U between encoders, paper vs reproduced
// Our precision and recall are scikit-learn's weighted ones called as `f(y_true, y_pred)`. The
// authors' code called them as `f(y_pred, y_true)`, which swaps the two (their "precision" is the
// recall weighted by predicted-class counts and vice versa); accuracy is unaffected, so compare
// accuracies with the paper, not precision/recall.

// %%
console.log(mediansMarkdown(all));
for (const other of encoderNames.slice(1)) {
  console.log(`\nMann–Whitney U (two-sided), ${encoderNames[0]} vs ${other}, honest protocol:`);
  for (const c of compareEncoders(honest, encoderNames[0], other)) console.log(`n=${String(c.n).padStart(3)}  medians ${c.medianA.toFixed(3)} vs ${c.medianB.toFixed(3)}  U=${c.u}  p=${c.p.toExponential(2)} (${c.method})`);
}
const ref = paperReference();
console.log(`\nPaper medians: ${ref.citation} (read off its figure, ±0.01).\n`);
console.log(paperVsReproducedMarkdown(ref.nanowireAccuracy, all, study.dataLabel));

// %% [markdown]
// ## Confusion matrices (summed over runs, largest n, honest protocol)

// %%
const nMax = Math.max(...cfg.nanowire.labelsPerClass);
for (const enc of encoderNames) {
  show(confusionMatrix(confusionTotal(honest, enc, nMax, "honest"), images.classes, {
    title: `${enc}, ${nMax} labels/class, honest${note ? ` — ${note}` : ""}`, width: 520, height: 480,
  }), `03-confusion-${enc}`);
}

// %% [markdown]
// **What to look at:** off-diagonal cells are the mistakes, summed over all runs. In the paper the
// confusions are between neighbouring morphologies (dispersed ↔ network, bundle ↔ singular); a
// confusion between classes that look nothing alike points at the data (mislabelled or duplicated
// images) rather than the encoder.

// %% [markdown]
// ## t-SNE of test features with the one-shot anchors (split seed 42, first encoder)

// %%
const split = cfg.firstSplitSeed;
const oneShotCfg = resolveSweepConfig({ ...sweep("paper"), labelsPerClass: [1] });
const plan1 = planRun(sweepData, split, 1, oneShotCfg);
const shown = [...plan1.test, ...plan1.fit];
const feats = selectRows(sweepData.featureSets[0].X, shown);
const emb = tsne(feats, { perplexity: cfg.tsnePerplexity, seed: split });
const thumbs = await loadThumbnails(shown.map((i) => images.files[i]), 40);
const thumbMap = new Map(thumbs.map((t, k) => [k, t] as const).filter(([k]) => k % 3 === 0 || k >= plan1.test.length));
show(tsneFigure(emb.Y, shown.map((i) => images.labels[i]), images.classes, {
  title: `t-SNE of ${sweepData.featureSets[0].encoder} test features (split ${split}), one-shot anchors as stars`, note: note,
  anchors: plan1.fit.map((_, k) => plan1.test.length + k), thumbnails: thumbMap, hover: shown.map((i) => images.files[i].split("/").slice(-2).join("/")),
}), "03-tsne");
console.log(`t-SNE: KL ${emb.kl.toFixed(3)}, 10-NN preservation ${knnPreservation(feats, emb.Y, 10).toFixed(2)}`);

// %% [markdown]
// **What to look at:** points are test images placed by t-SNE from their features, coloured by true
// class; stars are the one labelled image per class of a one-shot run. A one-shot probe does well when
// each star sits inside its class's cloud; a star at the edge of its cloud, or inside another, explains
// a bad one-shot split. Distances between far-apart clouds mean little in t-SNE; the 10-NN preservation
// says how much of the local neighbourhood survived.

// %% [markdown]
// ## One-shot anchor analysis
// 1 label/class, paper protocol, 20 split seeds per encoder seed: accuracy when the dispersed and
// network anchors lie on opposite sides of their class medians of nanowire pixel density (from the
// masks) vs on the same side. Paper: ≈ 0.79 (opposite) vs ≈ 0.70 (same).

// %%
const oneShotSkip = oneShotSkipReason(images.files, images.labels, images.classes, study.masks);
if (oneShotSkip) console.log(`one-shot anchor analysis skipped: ${oneShotSkip}`);
const densities = oneShotSkip ? null : await imageDensities(images.files, study.masks);
const oneShotSweep = { ...sweep("paper"), labelsPerClass: [1], splitSeeds: Array.from({ length: 20 }, (_, i) => cfg.firstSplitSeed + i) };
const oneShotRuns = densities ? await runSweepParallel(sweepData, oneShotSweep) : [];
const analyses = densities ? encoderNames.map((enc) => ({
  encoder: enc, analysis: oneShotAnchorAnalysis(sweepData, oneShotRuns.filter((r) => r.encoder === enc), densities, oneShotSweep),
})) : [];
if (analyses.length) show(oneShotFigure(analyses, { note: note }), "03-oneshot-anchors");
for (const { encoder, analysis } of analyses) {
  const f = (s: typeof analysis.same) => (s ? `${s.median.toFixed(3)} (n=${s.n})` : "–");
  console.log(`${encoder.padEnd(12)} opposite ${f(analysis.opposite)}  same ${f(analysis.same)}  · class medians of density ${analysis.classMedians.map((m) => m.toFixed(3)).join(" / ")}`);
}

// %% [markdown]
// **What to look at:** one-shot accuracy split by where the two labelled anchors sit on the density
// axis. The paper reports that anchors on *opposite* sides of their class medians (a dense network
// image and a sparse dispersed one) teach the probe more than anchors on the same side. With few
// runs per group (n in brackets) the difference is within noise; read it only at the paper profile.

// %% [markdown]
// ## Record for the report

// %%
const dataKind = study.real ? "real" : "stand-in";
const dataSize = `${images.files.length} images in ${images.classes.length} classes (${images.classes.map((c, k) => `${c} ${images.labels.filter((l) => l === k).length}`).join(", ")}), ${dup.groups} content groups; ${cfg.encoderSeeds.length} encoder seed(s) × ${cfg.splits} splits per box`;
recordSummary({
  section: "nanowireAccuracy", data: dataKind, dataSize: dataSize,
  figures: ["03-accuracy-honest", "03-accuracy-paper", "03-protocol-inflation"],
  values: { ...mediansByEncoder(paper, "paper"), honest: mediansByEncoder(honest, "honest").medians },
  setting: `${encoderNames.join(", ")} at ${cfg.size}px, ${cfg.encoderSeeds.length} seed(s) × ${cfg.splits} splits; medians under the paper protocol (honest in 'honest')`,
});
recordSummary({
  section: "probeHeads", data: dataKind, dataSize: dataSize, figures: ["03-heads"],
  values: { labelsPerClass: headNs, medians: headMedians },
  setting: `${enc0} at ${cfg.size}px, preprocess ${cfg.preprocess}, ${cfg.encoderSeeds.length} seed(s) × ${cfg.splits} splits`,
});
recordSummary({
  section: "labelBudget", data: dataKind, dataSize: dataSize, figures: ["03-label-budget"],
  values: { labelsPerClass: budgets, medians: budgetMedians },
  setting: `${enc0}, honest head; rows are total label budgets (not per class), ${budgetCfg.splitSeeds.length} splits`,
});
const a0 = analyses.length ? analyses[0].analysis : null;
if (a0) recordSummary({
  section: "oneShot", data: dataKind, dataSize: `${oneShotRuns.length} one-shot runs on ${dataSize}`, figures: ["03-oneshot-anchors", "03-tsne"],
  values: { anchorsOppositeSides: a0.opposite?.median ?? null, anchorsSameSide: a0.same?.median ?? null },
  setting: `${analyses[0].encoder}, paper protocol, 1 label/class, 20 splits × ${cfg.encoderSeeds.length} seed(s)`,
});
console.log(`notebook 03 done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

// %% [markdown]
// ## Try this
// - `-p labelsPerClass=1,2,3,5,10`: where does the median stop rising? Expect most of the gain by 5.
// - `-p splits=20` (slower): the violins narrow and the encoder comparison's p-values shrink; at the
//   `ci` default a few splits cannot separate encoders whose medians differ by < 0.05.
// - `-p encoders=imagenet,resnet8`: an ImageNet-pretrained ResNet50 against a random ResNet-8 shows
//   how much of the accuracy is the pretraining (expect a large gap on real images).
// - `-p data=/your/class/folders`: your own classes. With two classes that differ in particle count
//   or density, expect near-perfect accuracy at n ≥ 5; if not, look at the confusion matrix.
// - `-p seeds=0,1,2`: encoder seeds only matter for randomly initialised or self-pretrained encoders.
