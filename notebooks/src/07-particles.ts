// %% [markdown]
// # 07 · Particle sizes and shapes (beyond the paper)
//
// The paper classifies nanowire morphologies; users of particle micrographs mostly want a size
// distribution. This notebook runs `lib/particles` — the same code as `nanomorph particles` — on
// (1) a synthetic set with known lognormal sizes and touching pairs, and (2) the EMPS electron
// micrographs with their instance segmentations when `../shared/data/emps-train` (or
// `$NANOMORPH_EMPS_DIR`) is present: foreground (mask or Otsu), distance-transform watershed with
// h-maxima markers, border and tiny particles dropped and counted, per-particle ECD, Feret max/min,
// aspect ratio, circularity, solidity, orientation, in nm when calibrated. Sizes per profile are in
// `configs/particles.json`.

// %%
import * as fs from "fs";
import { profileName } from "./lib/config/index";
import { show, imageGrid } from "./lib/plots/index";
import { recordSummary } from "./lib/report/index";
import { empsDir } from "./lib/data/external";
import {
  loadParticlesConfig, ensureSizedSet, analyseFolder, imageRecord, summariseImages, readGrey, particleOverlay,
  sizeHistogramFigure, syntheticSizeCheck, measuredVsTrueFigure, listTruthPairs, spreadSubset, evaluateTruthSet,
  detectionScoresFigure, analyseImage, calibrationFor, type MatchResult,
} from "./lib/particles/index";

const t0 = Date.now();
const cfg = loadParticlesConfig();
const synthDir = await ensureSizedSet(cfg);
const emps = empsDir();
const haveEmps = fs.existsSync(`${emps}/segmaps`);
console.log(`profile ${profileName()} · synthetic set ${synthDir} (${cfg.classes.map((c) => c.name).join(", ")}, ${cfg.perClass} image(s) each)`);
console.log(haveEmps ? `EMPS ground truth: ${emps}` : `EMPS not found at ${emps}: detection scores use the synthetic stand-in only`);

// %% [markdown]
// ## Calibration per image
// Every length is in nm only when a pixel size is known; `calibrationFor` is the single place it is
// looked up (today: the user's `--nm-per-px`; file metadata and scale bars are to be wired in there).
// The synthetic set is given `nmPerPx` from the config, as a user would; EMPS images get none.

// %%
const analysed = await analyseFolder(`${synthDir}/images`, { nmPerPx: cfg.nmPerPx, minArea: cfg.minArea, h: cfg.h, progress: false });
const empsPairs = haveEmps ? spreadSubset(listTruthPairs(emps), cfg.empsImages) : [];
const empsAnalysed = [];
for (const p of empsPairs.slice(0, 4)) empsAnalysed.push(await analyseImage(p.image, "emps", { kind: "otsu" }, await calibrationFor(p.image), { minArea: cfg.minArea, h: cfg.h }));
for (const a of [...analysed, ...empsAnalysed]) {
  const c = a.calibration;
  console.log(`${a.file.replace(/^.*[\\/]/, "").padEnd(22)} ${c ? `${c.nmPerPxX} × ${c.nmPerPxY} nm/px (${c.source}: ${c.detail})` : "none: lengths in px"} · ` +
    `${a.extracted.dropped.kept} kept, ${a.extracted.dropped.border} at the border, ${a.extracted.dropped.tooSmall} under ${cfg.minArea} px`);
}

// %% [markdown]
// ## Detected particles
// Otsu foreground, watershed split; each kept particle in its own colour, dropped ones grey.

// %%
const shown = [...analysed.filter((a, i) => analysed.findIndex((b) => b.class === a.class) === i), ...empsAnalysed.slice(0, 2)];
const overlays = [];
for (const a of shown) overlays.push(particleOverlay(await readGrey(a.file), a.extracted));
show(imageGrid(overlays, { title: "Detected particles (Otsu + watershed)", cols: overlays.length, tile: 240,
  captions: shown.map((a) => `${a.class}: ${a.extracted.dropped.kept} particles`) }), "07-particle-overlays");

// %% [markdown]
// ## Size distribution per class
// Equivalent-circle diameter in nm (synthetic set at the configured nm/px), with count, mean, sd, CV,
// median and IQR per class.

// %%
const records = analysed.map(imageRecord);
const summary = summariseImages(records);
show(sizeHistogramFigure(records, "Equivalent-circle diameter per class (synthetic, Otsu + watershed)"), "07-size-histograms");
for (const [cls, g] of Object.entries(summary.perClass)) {
  const s = g.stats.equivalentDiameterNm;
  console.log(`${cls.padEnd(6)} n ${s.count} · mean ${s.mean.toFixed(2)} ± ${s.sd.toFixed(2)} nm · CV ${s.cv.toFixed(3)} · median ${s.median.toFixed(2)} nm · IQR ${s.iqr.toFixed(2)} nm`);
}
for (const c of cfg.classes) console.log(`${c.name}: drawn median ${(c.spec.medianDiameter! * cfg.nmPerPx).toFixed(2)} nm (${c.spec.medianDiameter} px), σ(ln d) ${c.spec.sigmaLog}`);

// %% [markdown]
// ## Measured vs true sizes (synthetic)
// From the true masks (tests the watershed and the measurements) and from the rendered micrographs by
// Otsu (the whole pipeline), matched to the generator's particles at IoU ≥ 0.5.

// %%
const spec = cfg.classes[0].spec;
const fromMask = syntheticSizeCheck(spec, cfg.sizeCheckImages, cfg.seed, "mask", { minArea: cfg.minArea, h: cfg.h });
const fromOtsu = syntheticSizeCheck(spec, cfg.sizeCheckImages, cfg.seed, "otsu", { minArea: cfg.minArea, h: cfg.h });
show(measuredVsTrueFigure(fromOtsu.pairs, "Measured (Otsu + watershed) vs true equivalent diameter, synthetic"), "07-measured-vs-true");
for (const [name, r] of [["true masks", fromMask], ["Otsu", fromOtsu]] as const) {
  const m = r.match;
  console.log(`${name.padEnd(10)} precision ${m.precision.toFixed(3)} · recall ${m.recall.toFixed(3)} · median |ΔECD|/ECD ${m.medianDiameterRelError.toFixed(3)} · bias ${m.medianDiameterBias.toFixed(3)} · KS ${m.ksDiameter.toFixed(3)}`);
}

// %% [markdown]
// ## Precision and recall against EMPS instance maps
// (a) foreground = the binarised truth (only the watershed can err), (b) Otsu of the micrograph.
// Particles cut by the border or under the minimum area are dropped on both sides alike.

// %%
const scores: Record<string, MatchResult> = {};
if (haveEmps) {
  scores["EMPS, truth mask"] = (await evaluateTruthSet(empsPairs, "truth-mask", { minArea: cfg.minArea, h: cfg.h })).pooled;
  scores["EMPS, Otsu"] = (await evaluateTruthSet(empsPairs, "otsu", { minArea: cfg.minArea, h: cfg.h })).pooled;
}
scores["synthetic, true mask"] = fromMask.match;
scores["synthetic, Otsu"] = fromOtsu.match;
show(detectionScoresFigure(scores, `Particle detection vs ground truth (IoU ≥ 0.5)${haveEmps ? `, ${empsPairs.length} EMPS images` : " — stand-in only"}`), "07-detection-scores");
for (const [k, m] of Object.entries(scores)) {
  console.log(`${k.padEnd(22)} ${m.truePositives}/${m.truth} true found, ${m.predicted} predicted · P ${m.precision.toFixed(3)} R ${m.recall.toFixed(3)} F1 ${m.f1.toFixed(3)} · KS ${m.ksDiameter.toFixed(3)}`);
}

// %%
const round = (x: number): number => Math.round(x * 1000) / 1000;
recordSummary({
  section: "particles", data: haveEmps ? "real" : "stand-in",
  figures: ["07-particle-overlays", "07-size-histograms", "07-measured-vs-true", "07-detection-scores"],
  values: Object.fromEntries(Object.entries(scores).map(([k, m]) => [k, { precision: round(m.precision), recall: round(m.recall), ksDiameter: round(m.ksDiameter), medianDiameterRelError: round(m.medianDiameterRelError) }])),
  setting: `Otsu (smooth 1 px, border polarity, opening 3 px) or masks, watershed h ${cfg.h} px, min area ${cfg.minArea} px, IoU ≥ 0.5; ${haveEmps ? `${empsPairs.length} EMPS training images` : "no EMPS data"}; ${cfg.sizeCheckImages} synthetic images`,
});
console.log(`notebook 07 done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
