import { UsageError, type Command } from "./args";
import { defineCommand, opt } from "./options";
import { nmPerPxOption } from "./calibration_options";

function fmt(v: number): string {
  return Number.isNaN(v) ? "—" : Number.isInteger(v) ? String(v) : v.toFixed(2);
}

/** `nanomorph particles` (lib/particles/experiment.ts); `particles train`, `particles eval` and `particles fit-edges` are their own commands. */
const analyse = defineCommand({
  name: "particles",
  summary: "particle sizes and shapes (watershed, Feret, ECD, circularity…) in nm or px, per image and class",
  usage: `particles --images DIR [--otsu | --model M | --masks DIR | --segment MODEL [--threshold P]] [options]
       nanomorph particles train --images DIR --instances DIR --out MODEL [--init bundled]   (see particles train --help)
       nanomorph particles eval --images DIR --instances DIR [--method model|otsu]           (see particles eval --help)
       nanomorph particles fit-edges --images DIR --instances DIR                            (see particles fit-edges --help)`,
  description: `Size and shape of every particle in a folder of micrographs (class = sub-folder name): foreground
from masks, a trained U-Net or Otsu's threshold (the default: Gaussian σ 1 px, Otsu, opening by a 3-px disc,
holes filled) with touching particles split by a distance-transform watershed (h-maxima markers; by default
on both sides of the threshold, the object filter keeping the side whose objects look like particles and
dropping letters, specks and fragments as notParticle: docs/particles.md), or particles
from a particle model (--model bundled: a small U-Net trained on EMPS electron micrographs that separates
touching particles itself; the README says how it compares with Otsu). Particles touching the border or under
--min-area are dropped and counted; then per particle: area, equivalent-circle diameter, Feret max/min,
aspect ratio, circularity (4πA/P², Crofton perimeter), solidity, orientation, centroid. Lengths in nm with a
calibration (--nm-per-px, else the file's metadata or sidecar, else --scale-bar over the measured bar, else
the bar's label read by OCR), else in px; every field name carries its unit (equivalentDiameterNm /
equivalentDiameterPx). Statistics per image, per class and overall: count, mean, sd, CV, median, IQR, histogram.

--out DIR writes particles.json, particles.csv (one row per particle, with its instanceId),
particles_summary.csv, and what to check by eye: per image <stem>_instances.png (16-bit label map: 0 =
background, instanceId per particle) and <stem>_overlay.png (kept particles outlined with their instanceId,
dropped ones red, the scale bar and any SEM/TEM data strip blue), and particles.html (self-contained:
histograms, overlays, table). An earlier run there is replaced only when this one finishes.`,
  options: {
    images: opt.string({ placeholder: "DIR", required: true, description: "micrographs (jpg/png/tif, 8/16 bit, microscope formats), optionally in class sub-folders" }),
    model: opt.string({ placeholder: "M", description: "particle model: bundled (shipped, trained on EMPS) or a folder from `particles train`" }),
    masks: opt.string({ placeholder: "DIR", description: "foreground masks paired by name (x.png, x_mask.png, x_label.png, or x_pred.png as written by `nanomorph segment --out DIR`); binary or 8/16-bit label maps" }),
    segment: opt.string({ placeholder: "MODEL", description: "foreground from a U-Net trained by `nanomorph segment --out MODEL`, predicted as segment predicts its held-out images, at native resolution" }),
    otsu: opt.flag("threshold the images with Otsu (the default without --model, --masks and --segment)"),
    threshold: opt.number({ placeholder: "P", description: "with --segment: the probability threshold of the U-Net's output (as in `segment --threshold`)", min: 0, minExclusive: true, max: 1, maxExclusive: true, defaultText: "the model's own" }),
    polarity: opt.enum(["filter", "border", "auto", "dark", "bright"], { placeholder: "P", description: "Otsu foreground: filter (the side whose objects the object filter takes for particles), border (the side touching less of the image border), auto (the minority side), dark or bright", defaultText: "filter; border with --filter none" }),
    rule: opt.enum(["auto", "colour", "nonzero", "half"], { placeholder: "R", description: "mask foreground rule", default: "auto" }),
    "nm-per-px": opt.string({ placeholder: "X", description: "pixel size in nm (square pixels, 1e-6…1e9); lengths then in nm" }),
    "scale-bar": opt.string({ placeholder: "LABEL", description: "the images' scale bars say LABEL (e.g. 100nm): each image's bar is measured, so mixed magnifications come out in nm (below file metadata, above reading the label by OCR)" }),
    "min-area": opt.number({ placeholder: "PX", description: "drop particles under this many pixels", min: 0, max: 1e12, default: 10 }),
    h: opt.number({ placeholder: "PX", description: "watershed marker dynamic: larger merges shallow necks (not with --model; the judge's segmentations use their own h 1, 2 and 4: give --judge none to set it on the default route)", min: 0, max: 1e6, defaultText: "2" }),
    "no-split": opt.flag("no watershed: one particle per connected component (not with --model)"),
    filter: opt.string({ placeholder: "F", description: "object filter dropping what is not a particle (text, specks, fragments; dropped as notParticle, shown red): bundled (fitted on EMPS micrographs), none, or a JSON file", defaultText: "bundled with --otsu, none otherwise" }),
    "grow-edges": opt.number({ placeholder: "PX", description: "default route: grow each kept particle up to PX px out to its edge (--edge-level), as people outline particles; 0 keeps Otsu's outline", integer: true, min: 0, max: 100, defaultText: "4" }),
    "edge-level": opt.number({ placeholder: "L", description: "default route: where a particle's edge lies between its surround's grey (0) and its inside's (1) for --grow-edges; `particles fit-edges` picks it from a few labelled images", min: 0, max: 1, defaultText: "0.15" }),
    judge: opt.string({ placeholder: "J", description: "default route: pick the particles among several segmentations (Otsu with and without hole filling, watershed h 1/2/4, shading flattened, a cut nearer the background; both sides) with boosted trees fitted on EMPS: bundled, none (the object filter's one segmentation), or a JSON file", defaultText: "bundled" }),
    "edge-refiner": opt.string({ placeholder: "R", description: "default route: after --grow-edges, grow each kept particle up to 2 px more where a learned per-pixel model (fitted on EMPS outlines) says particle: bundled, none, or a JSON file", defaultText: "bundled (none with --grow-edges 0)" }),
    "keep-border": opt.flag("keep particles touching the image border"),
    bins: opt.number({ placeholder: "N", description: "histogram bins", integer: true, min: 1, max: 10000, defaultText: "Sturges: ceil(log2 n) + 1" }),
    out: opt.string({ placeholder: "DIR", description: "write the tables, instance maps, overlays and particles.html here" }),
    json: opt.flag("print { \"images\": [...], \"summary\": {...} } on stdout"),
  },
  examples: [
    "nanomorph particles --images tem/ --nm-per-px 0.52 --out results/particles",
    "nanomorph particles --images tem/ --model bundled --out results/model",
    "nanomorph segment --images lab/img --masks lab/mask --out results/seg && nanomorph particles --images tem/ --segment results/seg --out results/particles",
  ],
}, async ({ values: v }) => {
  const routes = [v.model !== undefined && "--model", v.masks !== undefined && "--masks", v.segment !== undefined && "--segment", v.otsu && "--otsu"].filter(Boolean);
  if (routes.length > 1) throw new UsageError(`give one of --otsu, --model M, --masks DIR or --segment MODEL, not ${routes.join(" and ")}`);
  // --threshold means a probability in every command (segment's and this); Otsu has a flag of its own.
  if (v.threshold !== undefined && v.segment === undefined) throw new UsageError("--threshold P is the probability threshold of a --segment model's output; Otsu's threshold is chosen from each image (--otsu, the default)");
  const { runParticlesExperiment } = await import("../particles/experiment");
  const { lengthName } = await import("../particles/records");
  const minArea = v["min-area"];
  const nmPerPx = nmPerPxOption(v["nm-per-px"]);
  let model: import("../particle_model/route").ParticleModelRoute | undefined;
  if (v.model !== undefined) {
    const { particleModelRoute } = await import("../particle_model/route");
    try {
      model = await particleModelRoute(v.model);
    } catch (e) {
      throw new UsageError(`--model: ${(e as Error).message}`);
    }
  }
  const { records, summary, report, out } = await runParticlesExperiment({
    images: v.images, masks: v.masks, segment: v.segment, segmentThreshold: v.threshold, model, rule: v.rule, polarity: v.polarity,
    nmPerPx, scaleBar: v["scale-bar"], minArea, h: v.h, noSplit: v["no-split"],
    objectFilter: v.filter, growEdges: v["grow-edges"], edgeLevel: v["edge-level"], edgeRefiner: v["edge-refiner"], objectJudge: v.judge, keepBorder: v["keep-border"], bins: v.bins, out: v.out,
  });
  if (v.json) {
    console.log(JSON.stringify(report));
    return 0;
  }
  const cols = ["image", "class", "unit", "found", "kept", "border", "tooSmall", "notParticle", "median ECD", "median Feret max", "median AR"];
  const rows = records.map((r) => {
    const g = summary.perImage[r.file];
    return [r.file, r.class || "—", r.unit, String(r.dropped.found), String(r.dropped.kept), String(r.dropped.border), String(r.dropped.tooSmall), String(r.dropped.notParticle),
      fmt(g.stats[lengthName("equivalentDiameter", r.unit)].median), fmt(g.stats[lengthName("feretMax", r.unit)].median), fmt(g.stats.aspectRatio.median)];
  });
  const widths = cols.map((c, i) => Math.max(c.length, ...rows.map((r) => r[i].length)));
  console.log(cols.map((c, i) => c.padEnd(widths[i])).join("  "));
  for (const r of rows) console.log(r.map((c, i) => c.padEnd(widths[i])).join("  "));
  console.log("");
  for (const [cls, g] of Object.entries(summary.perClass)) {
    const parts = Object.entries(g.stats).filter(([k]) => k.startsWith("equivalentDiameter")).map(([k, s]) =>
      `${k} median ${fmt(s.median)} (IQR ${fmt(s.iqr)}), mean ${fmt(s.mean)} ± ${fmt(s.sd)}, CV ${fmt(s.cv)}`);
    console.log(`class ${cls}: ${g.images} image(s), ${g.particles} particle(s) kept; dropped ${g.dropped.border} at the border, ${g.dropped.tooSmall} under ${minArea} px, ${g.dropped.notParticle} as not particles; ${parts.join("; ")}`);
  }
  if (report.skipped.length) console.log(`\n${report.skipped.length} file(s) skipped, not readable as images: ${report.skipped.map((k) => k.file).join(", ")} (why: above, and "skipped" in particles.json)`);
  if (out) console.log(`\nparticles.json, particles.csv, particles_summary.csv, particles.html and per image <stem>_instances.png, <stem>_overlay.png in ${out}`);
  return 0;
});

/** `particles`, with `particles train …`, `particles eval …` and `particles fit-edges …` as subcommands of their own. */
export const command: Command = {
  ...analyse,
  subcommands: {
    train: () => require("./particles_train").command,
    eval: () => require("./particles_eval").command,
    "fit-edges": () => require("./particles_fit_edges").command,
  },
};
