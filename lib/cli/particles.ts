import * as fs from "fs";
import * as path from "path";
import { type Command, parse, UsageError, numberArg } from "./args";
import { nmPerPxOption } from "./calibration_options";
import { analyseFolder } from "../particles/analyse_folder";
import { parseScaleBarArg } from "../particles/calibrate";
import type { ParsedLabel } from "../data/scalebar/parse_label";
import { imageRecord, summariseImages, summaryRows, particleRows, lengthName, type ImageRecord } from "../particles/records";
import { imageOutputNames, writeCheckOutputs } from "../particles/outputs";
import type { MaskRule } from "../data/masks";
import type { ParticlePolarity, Segmenter } from "../particles/image_particles";
import { writeJsonAtomic, writeFileAtomic } from "../util/fsx";
import { toCsv } from "../util/csv";
import { checkOutputDir } from "../util/output_dir";
import { withOutputRun } from "../util/output_run";

/** Top-level names in `particles --out` that a particles run writes (replaced together). */
/** What a particles run writes at the top of --out (earlier runs' are replaced; per-image PNGs sit beside them or in class folders). */
const PARTICLES_OUTPUTS = /^(particles\.json|particles\.csv|particles_summary\.csv|particles\.html|.*_(instances|overlay)\.png)$/;

const HELP = `usage: nanomorph particles --images DIR [--model M | --masks DIR | --segment MODEL | --threshold otsu] [options]
       nanomorph particles train --images DIR --instances DIR --out MODEL [--init bundled]   (see particles train --help)
       nanomorph particles eval --images DIR --instances DIR [--method model|otsu]           (see particles eval --help)

Size and shape of every particle in a folder of micrographs (class = sub-folder name):
foreground from masks, a trained U-Net or Otsu's threshold (the default) with touching particles split by a
distance-transform watershed (h-maxima markers), or particles from a particle model (--model bundled: a
small U-Net trained on EMPS electron micrographs that separates touching particles itself; see the README
for how it compares with Otsu); particles touching the border or under --min-area dropped and counted,
then per particle: area, equivalent-circle diameter, Feret max/min (rotating calipers on the convex
hull), aspect ratio (Feret max/min), circularity (4πA/P², Crofton perimeter), solidity, orientation
(second moments, degrees), centroid. Lengths in nm with a calibration, else in px; every field name
carries its unit (equivalentDiameterNm / equivalentDiameterPx, areaNm2 / areaPx2).
Statistics per image, per class and overall: count, mean, sd, CV, median, IQR, histogram.

  --images DIR        micrographs (jpg/png/tif, 8/16 bit), optionally in class sub-folders
  --model M           particle model: bundled (shipped, trained on EMPS) or a folder from \`particles train\`
  --masks DIR         foreground masks paired by name (x.png, x_mask.png, x_label.png, or x_pred.png as
                      written by \`nanomorph segment --out DIR\`); binary or 8/16-bit label maps
  --segment MODEL     foreground from a U-Net trained by \`nanomorph segment --out MODEL\` (MODEL is that
                      --out folder or its model/ sub-folder): each image is predicted as segment
                      predicts its held-out images (same size, resize/tile mode, preprocessing) and
                      thresholded at the model's --threshold, at native resolution
  --threshold otsu    threshold the images (the default without --model, --masks and --segment):
                      Gaussian σ 1 px, Otsu, opening by a 3-px disc (drops particles narrower than
                      6 px), holes filled
  --polarity P        Otsu foreground: border (the side touching less of the image border, default)
                      | auto (the minority side) | dark | bright
  --rule R            mask foreground rule: auto (default) | colour | nonzero | half
  --nm-per-px X       pixel size in nm (square pixels); lengths then in nm
  --scale-bar LABEL   the images' scale bars say LABEL (e.g. 100nm): each image's bar is measured, so mixed
                      magnifications come out in nm (below file metadata, above reading the label by OCR)
  --min-area PX       drop particles under this many pixels (default 10)
  --h PX              watershed marker dynamic: larger merges shallow necks (default 2; not with --model)
  --no-split          no watershed: one particle per connected component (not with --model)
  --keep-border       keep particles touching the image border
  --bins N            histogram bins (default Sturges: ceil(log2 n) + 1)
  --out DIR           write DIR/particles.json, DIR/particles.csv (one row per particle, with its
                      instanceId), DIR/particles_summary.csv, and what to check by eye: per image
                      <stem>_instances.png (16-bit label map: 0 = background, instanceId per particle,
                      dropped ones too: particles.json lists them with the reason) and <stem>_overlay.png
                      (kept particles outlined with their instanceId, dropped ones red, the scale-bar
                      region blue), and particles.html (self-contained: histograms, overlays, table)
  --json              print { "images": [...], "summary": {...} } on stdout

examples: nanomorph particles --images tem/ --threshold otsu --nm-per-px 0.52 --out results/particles
          nanomorph particles --images tem/ --model bundled --out results/model
          nanomorph segment --images lab/img --masks lab/mask --out results/seg
          nanomorph particles --images tem/ --segment results/seg --out results/particles`;

const OPTIONS = {
  images: { type: "string" }, model: { type: "string" }, masks: { type: "string" }, threshold: { type: "string" }, segment: { type: "string" },
  polarity: { type: "string" }, rule: { type: "string" }, "nm-per-px": { type: "string" }, "scale-bar": { type: "string" }, "min-area": { type: "string" },
  h: { type: "string" }, "no-split": { type: "boolean" }, "keep-border": { type: "boolean" }, bins: { type: "string" },
  out: { type: "string" }, json: { type: "boolean" },
} as const;

function fmt(v: number): string {
  return Number.isNaN(v) ? "—" : Number.isInteger(v) ? String(v) : v.toFixed(2);
}

export const command: Command = {
  name: "particles",
  summary: "particle sizes and shapes (watershed, Feret, ECD, circularity…) in nm or px, per image and class",
  help: HELP,
  async run(argv) {
    if (argv[0] === "train") return require("./particles_train").command.run(argv.slice(1));
    if (argv[0] === "eval") return require("./particles_eval").command.run(argv.slice(1));
    const { values: v } = parse(argv, OPTIONS);
    if (!v.images) throw new UsageError(`particles: --images DIR is required\n\n${HELP}`);
    const sources = [v.model !== undefined && "--model", v.masks && "--masks", v.segment !== undefined && "--segment", v.threshold !== undefined && "--threshold"].filter(Boolean);
    if (sources.length > 1) throw new UsageError(`give one of --masks DIR, --segment MODEL or --threshold otsu, not ${sources.join(" and ")} (--model M is a fourth route)`);
    // The bundled model becomes the default route once it beats Otsu on held-out images (see the README's
    // table: with the weights shipped now it does not), so today it is opt-in with --model.
    const useModel = v.model !== undefined;
    if (useModel && (v["no-split"] || v.h !== undefined)) throw new UsageError("--h and --no-split tune the watershed of --masks/--segment/--threshold otsu; the particle model separates particles itself");
    if (v.threshold !== undefined && v.threshold !== "otsu") throw new UsageError(`--threshold must be 'otsu', got '${v.threshold}'`);
    const images = path.resolve(v.images as string);
    if (!fs.existsSync(images) || !fs.statSync(images).isDirectory()) throw new UsageError(`--images ${images} is not a folder`);
    const masksDir = v.masks ? path.resolve(v.masks as string) : undefined;
    if (masksDir && (!fs.existsSync(masksDir) || !fs.statSync(masksDir).isDirectory())) throw new UsageError(`--masks ${masksDir} is not a folder`);
    const rule = ((v.rule as string | undefined) ?? "auto") as MaskRule;
    if (!["auto", "colour", "nonzero", "half"].includes(rule)) throw new UsageError(`--rule must be auto, colour, nonzero or half, got '${v.rule}'`);
    const polarity = ((v.polarity as string | undefined) ?? "border") as ParticlePolarity;
    if (!["border", "auto", "dark", "bright"].includes(polarity)) throw new UsageError(`--polarity must be border, auto, dark or bright, got '${v.polarity}'`);
    const nm = nmPerPxOption(v["nm-per-px"] as string | undefined);
    let scaleBarLabel: ParsedLabel | undefined;
    if (v["scale-bar"] !== undefined) {
      try { scaleBarLabel = parseScaleBarArg(v["scale-bar"] as string); } catch (e) { throw new UsageError((e as Error).message); }
    }
    const minArea = numberArg("min-area", v["min-area"] as string | undefined, 10);
    if (!(minArea >= 0)) throw new UsageError(`--min-area must be ≥ 0 pixels, got '${v["min-area"]}'`);
    const h = numberArg("h", v.h as string | undefined, 2);
    if (!(h >= 0)) throw new UsageError(`--h must be ≥ 0 px, got '${v.h}'`);
    const bins = v.bins === undefined ? undefined : numberArg("bins", v.bins as string, 10);
    if (bins !== undefined && !(Number.isInteger(bins) && bins >= 1)) throw new UsageError(`--bins must be a positive integer, got '${v.bins}'`);
    const out = v.out ? path.resolve(v.out as string) : undefined;
    const outOptions = { option: "particles --out", command: "particles", inputs: [images, ...(masksDir ? [masksDir] : [])], outputs: PARTICLES_OUTPUTS };
    if (out) {
      try {
        checkOutputDir(v.out as string, outOptions); // as typed: a quoted ~ must be seen before resolving
      } catch (e) {
        throw new UsageError((e as Error).message);
      }
    }

    // The model is read before any image (a wrong folder fails fast); tensors only on this route.
    let model: import("../seg/model_file").SegmentModel | undefined;
    let segmenter: Segmenter | undefined;
    if (v.segment !== undefined) {
      const { loadSegmentModel, resolveSegmentModelDir } = await import("../seg/model_file");
      const { segmentImageWithModel } = await import("../seg/apply");
      try {
        resolveSegmentModelDir(v.segment as string);
      } catch (e) {
        throw new UsageError(`--segment: ${(e as Error).message}`);
      }
      model = await loadSegmentModel(v.segment as string);
      const m = model;
      segmenter = { name: m.dir, mask: (file) => segmentImageWithModel(m, file) };
      console.error(`particles: foreground from segment model ${m.dir} (encoder ${m.settings.encoderSpec}, ${m.settings.fit} ${m.settings.size}px, threshold ${m.settings.threshold})`);
    }
    let particleModel: import("../particle_model/model_file").ParticleModel | undefined;
    let instanceSegmenter: import("../particles/image_particles").InstanceSegmenter | undefined;
    if (useModel) {
      const { initBackend } = await import("../backend/index");
      await initBackend();
      const { loadParticleModel } = await import("../particle_model/load");
      const { predictInstances } = await import("../particle_model/predict");
      try {
        particleModel = loadParticleModel((v.model as string | undefined) ?? "bundled");
      } catch (e) {
        throw new UsageError(`--model: ${(e as Error).message}`);
      }
      const pm = particleModel;
      instanceSegmenter = { name: v.model === undefined || v.model === "bundled" ? "bundled" : pm.dir, instances: (file) => predictInstances(pm, file) };
      console.error(`particles: particle model ${v.model ?? "bundled"} (${pm.manifest.decode.design ?? "boundary"} design, trained ${pm.manifest.step} steps)`);
    }
    let analysed: Awaited<ReturnType<typeof analyseFolder>>;
    try {
      analysed = await analyseFolder(images, {
        masksDir, segmenter, instanceSegmenter, rule, polarity, nmPerPx: nm, scaleBarLabel, minArea, h, noSplit: v["no-split"] === true, dropBorder: v["keep-border"] !== true,
      });
    } finally {
      model?.dispose();
      particleModel?.dispose();
    }
    const records: ImageRecord[] = analysed.map(imageRecord).map((r) => ({ ...r, file: path.relative(images, r.file) || path.basename(r.file) }));
    if (out) imageOutputNames(records.map((r) => r.file)).forEach((names, i) => { records[i].outputs = names; });
    const summary = summariseImages(records, bins);
    const report = { images: records, summary, settings: { masks: masksDir ?? null, segment: model ? { model: model.dir, threshold: model.settings.threshold, size: model.settings.size, fit: model.settings.fit } : null, threshold: masksDir || model || particleModel ? null : "otsu", model: particleModel ? { model: instanceSegmenter!.name, design: particleModel.manifest.decode.design ?? "boundary" } : null, polarity, rule, minArea, h, split: v["no-split"] !== true, dropBorder: v["keep-border"] !== true } };
    if (out) {
      // Every file or none: written into a staging folder, swapped in together (a full disk or a
      // signal leaves the earlier run's files as they were).
      await withOutputRun(out, outOptions, async (run) => {
        writeJsonAtomic(run.path("particles.json"), report);
        writeFileAtomic(run.path("particles.csv"), toCsv(particleRows(records)));
        writeFileAtomic(run.path("particles_summary.csv"), toCsv(summaryRows(summary)));
        await writeCheckOutputs(run.staging, analysed, records, summary, { settings: report.settings });
      });
    }
    if (v.json) {
      console.log(JSON.stringify(report));
      return 0;
    }
    const cols = ["image", "class", "unit", "found", "kept", "border", "tooSmall", "median ECD", "median Feret max", "median AR"];
    const rows = records.map((r) => {
      const g = summary.perImage[r.file];
      return [r.file, r.class || "—", r.unit, String(r.dropped.found), String(r.dropped.kept), String(r.dropped.border), String(r.dropped.tooSmall),
        fmt(g.stats[lengthName("equivalentDiameter", r.unit)].median), fmt(g.stats[lengthName("feretMax", r.unit)].median), fmt(g.stats.aspectRatio.median)];
    });
    const widths = cols.map((c, i) => Math.max(c.length, ...rows.map((r) => r[i].length)));
    console.log(cols.map((c, i) => c.padEnd(widths[i])).join("  "));
    for (const r of rows) console.log(r.map((c, i) => c.padEnd(widths[i])).join("  "));
    console.log("");
    for (const [cls, g] of Object.entries(summary.perClass)) {
      const parts = Object.entries(g.stats).filter(([k]) => k.startsWith("equivalentDiameter")).map(([k, s]) =>
        `${k} median ${fmt(s.median)} (IQR ${fmt(s.iqr)}), mean ${fmt(s.mean)} ± ${fmt(s.sd)}, CV ${fmt(s.cv)}`);
      console.log(`class ${cls}: ${g.images} image(s), ${g.particles} particle(s) kept; dropped ${g.dropped.border} at the border, ${g.dropped.tooSmall} under ${minArea} px; ${parts.join("; ")}`);
    }
    if (out) console.log(`\nparticles.json, particles.csv, particles_summary.csv, particles.html and per image <stem>_instances.png, <stem>_overlay.png in ${out}`);
    return 0;
  },
};
