// %% [markdown]
// # 02 · Self-supervised pretraining (SimCLR and Barlow Twins)
//
// The paper pretrains a ResNet50 on unlabelled TEM images with SimCLR or Barlow Twins, then freezes it.
// Here both methods train on the default data of the profile (the synthetic nanowire set under `ci`),
// with the settings of `configs/pretrain.json`: under `ci` a narrow ResNet-8 at 64 px for a few epochs,
// under `paper` the paper's exact recipe (ImageNet-initialised ResNet50, 224 px, batch 64, 200 epochs,
// SGD lr 0.2 with cosine decay over 1000 steps). A kNN monitor (leave-one-out, cosine, k = 5) on the
// labelled images tracks whether the representation improves; it is compared with the untrained encoder
// and with the frozen ImageNet ResNet50. Labels are used only by the monitor, never by the training.
//
// **Your own data:** `-p data=DIR` pretrains on a folder of unlabelled images (flat, or class folders
// whose labels then feed only the monitor; a flat folder has no monitor). The encoders land in
// `results/pretrain/<method>-<profile>/`, where notebook 03 picks them up. The first line printed
// names the data.

// %%
import { initBackend } from "./dist/lib/backend/index";
import { profileName } from "./dist/lib/config/index";
import { resultsDir } from "./dist/lib/util/paths";
import { pretrainOrReuse, pretrainConfigFor, baselineAccuracies, type RunPretrainResult } from "./dist/lib/ssl/index";
import { listClassFolder, loadImages } from "./dist/lib/data/index";
import { lineWithBands, show } from "./dist/lib/plots/index";

// %% tags=["parameters"]
let data: string = "";   // folder of unlabelled images (flat or class folders); "" = the profile's synthetic nanowire set
let epochs: number = 0;  // pretraining epochs; 0 = the profile's (configs/pretrain.json)
let size: number = 0;    // training image size in px; 0 = the profile's

// %%
const activeProfile = profileName();
const backend = await initBackend();
const methods = ["simclr", "barlow"] as const;
const overrides = { ...(epochs > 0 ? { epochs: epochs } : {}), ...(size > 0 ? { imageSize: size } : {}) };
const dataDir = data ? data : undefined; // undefined = the profile's synthetic set
console.log(`data: ${dataDir ? `your images in ${dataDir}` : "the synthetic nanowire stand-in set of the profile"}`);
for (const m of methods) {
  const c = pretrainConfigFor(activeProfile, { ...overrides, method: m });
  console.log(`${m.padEnd(7)} encoder ${c.encoder}, ${c.imageSize} px, batch ${c.batchSize}, ${c.epochs} epochs, ` +
    `lr ${c.lr.initial} cosine ${c.lr.spanRun ? "over the run" : `over ${c.lr.decaySteps} steps`}, crop ${c.augment.crop ?? "random"}, ` +
    `head ${c.projection.join("→")}, loss ${c.loss}`);
}
console.log(`profile ${activeProfile} · backend ${backend.name}`);

// %% [markdown]
// ## Pretrain both methods
// Each run writes `results/pretrain/<method>-<profile>/` (checkpoints, `loss.csv`, `log.json`); any
// later notebook or command can use it as `--encoder results/pretrain/<method>-<profile>`. A finished
// run with the same config on the same data is read back instead of retrained.

// %%
const runs: Record<string, RunPretrainResult> = {};
for (const method of methods) {
  const out = resultsDir("pretrain", `${method}-${activeProfile}`);
  const t0 = Date.now();
  const r = await pretrainOrReuse({ method, out, profile: activeProfile, data: dataDir, overrides: overrides });
  runs[method] = r;
  const last = r.epochs[r.epochs.length - 1];
  console.log(`${method}: ${r.imageCount} images, ${r.steps} steps ${r.reused ? "(read back from the finished run)" : `in ${((Date.now() - t0) / 1000).toFixed(1)} s`}; ` +
    `loss ${r.stepLosses[0].toFixed(3)} → ${last.meanLoss.toFixed(3)} (epoch mean); ` +
    (r.classes.length >= 2 ? `kNN ${r.initialMonitorAccuracy?.toFixed(3)} (untrained) → ${last.monitorAccuracy?.toFixed(3)}` : "no kNN monitor (unlabelled images)"));
  r.encoder.dispose();
  r.head.dispose();
}

// %% [markdown]
// ## Loss curves
// Per optimiser step. The two losses live on different scales (SimCLR: cross-entropy over the batch,
// starting near log N; Barlow: mean squared deviation of the cross-correlation from the identity).

// %%
show(lineWithBands(methods.map((m) => ({
  name: m, x: runs[m].stepLosses.map((_, i) => i + 1), y: runs[m].stepLosses, mode: "lines" as const,
})), { title: "Pretraining loss per step", xTitle: "step", yTitle: "loss", logY: true, width: 760, height: 420 }), "02-pretraining-loss");

// %% [markdown]
// **What to look at:** both losses should fall, quickly at first. SimCLR's falls as the encoder makes two
// views of one image agree more than views of different images; Barlow Twins' falls as the embedding
// dimensions decorrelate. A curve
// that is flat from the start means the learning rate or the augmentations are off; a noisy curve at a
// small batch is normal.

// %% [markdown]
// ## Monitor accuracy per epoch, against the frozen ImageNet ResNet50 and the untrained encoder
// The ImageNet ResNet50 sees the same images at the training size, once with the paper's [0,1]
// inputs and once with the Caffe preprocessing its weights were trained with.

// %%
const cfg = pretrainConfigFor(activeProfile, { ...overrides, method: "simclr" });
const labelled = runs.simclr.classes.length >= 2;
if (!labelled) console.log(`no class folders in ${runs.simclr.dataDir}: no kNN monitor, no baselines (the loss curves above are all there is)`);
const folder = labelled ? listClassFolder(runs.simclr.dataDir) : { files: [] as string[], labels: [] as number[], classes: [] as string[] };
const images = labelled ? await loadImages(folder.files, cfg.imageSize) : null;
const baselines = !images ? [] : await baselineAccuracies([
  { label: "ImageNet ResNet50, [0,1] inputs (paper)", spec: "imagenet", options: { preprocess: "unit" } },
  { label: "ImageNet ResNet50, caffe preprocessing", spec: "imagenet", options: { preprocess: "caffe" } },
], { images, labels: folder.labels }, cfg.monitorK);
images?.dispose();
for (const b of baselines) console.log(`${b.label.padEnd(42)} kNN ${b.accuracy.toFixed(3)} at ${b.size} px (${b.seconds.toFixed(1)} s)`);

const epochsAxis = (m: string): number[] => [0, ...runs[m].epochs.filter((e) => e.monitorAccuracy !== undefined).map((e) => e.epoch)];
const accAxis = (m: string): number[] => [runs[m].initialMonitorAccuracy ?? NaN, ...runs[m].epochs.filter((e) => e.monitorAccuracy !== undefined).map((e) => e.monitorAccuracy as number)];
const maxEpoch = Math.max(...methods.map((m) => runs[m].epochs.length));
if (labelled) show(lineWithBands([
  ...methods.map((m) => ({ name: `${m} (${cfg.encoder})`, x: epochsAxis(m), y: accAxis(m), mode: "lines+markers" as const })),
  ...baselines.map((b) => ({ name: b.label, x: [0, maxEpoch], y: [b.accuracy, b.accuracy], mode: "lines" as const })),
  { name: `chance (1/${folder.classes.length})`, x: [0, maxEpoch], y: [1 / folder.classes.length, 1 / folder.classes.length], mode: "lines" as const },
], { title: "kNN monitor accuracy (leave-one-out, k = 5); epoch 0 = untrained", xTitle: "epoch", yTitle: "accuracy", width: 760, height: 440 }), "02-pretraining-monitor");

// %% [markdown]
// **What to look at:** the kNN accuracy of each encoder's features, per epoch (epoch 0 = untrained),
// against two fixed references: the ImageNet ResNet50 and chance. Self-supervision has worked when a
// curve climbs above its epoch-0 value; the paper's claim is that a TEM-pretrained encoder ends above
// ImageNet. Under `ci` the encoder is a narrow ResNet-8 trained for a few epochs on a small synthetic
// set, so it usually stays near chance and below ImageNet: `ci` shows the machinery, not the result.

// %% [markdown]
// ## Summary

// %%
if (labelled) console.log("encoder".padEnd(44) + "kNN accuracy");
for (const m of labelled ? methods : []) {
  const last = runs[m].epochs[runs[m].epochs.length - 1];
  console.log(`${(m + " untrained (" + cfg.encoder + ")").padEnd(44)}${runs[m].initialMonitorAccuracy?.toFixed(3)}`);
  console.log(`${(m + " after " + last.epoch + " epochs").padEnd(44)}${last.monitorAccuracy?.toFixed(3)}`);
}
for (const b of baselines) console.log(`${b.label.padEnd(44)}${b.accuracy.toFixed(3)}`);
for (const m of methods) {
  const last = runs[m].epochs[runs[m].epochs.length - 1].monitorAccuracy ?? 0;
  if (labelled && !(last > (runs[m].initialMonitorAccuracy ?? 1))) console.log(`note: ${m} did not beat its untrained encoder on this run`);
}

// %% [markdown]
// ## Try this
// - `-p epochs=30`: longer pretraining; watch whether the monitor keeps climbing or plateaus (on the
//   stand-in set expect a plateau well below the ImageNet line).
// - `-p size=96`: larger crops keep more texture; slower per step (about (96/64)² ≈ 2× at `ci`).
// - `-p data=/your/unlabelled/images`: pretrain on your own micrographs, then run notebook 03 on a
//   labelled subset — it picks these encoders up automatically.
