import * as fs from "fs";
import * as path from "path";
import { UsageError } from "./args";
import { defineCommand, opt } from "./options";
import { labelledSetOptions, labelsFolder } from "./labelled_options";
import { writeJsonAtomic } from "../util/fsx";

const f3 = (x: number): string => (Number.isFinite(x) ? x.toFixed(3) : "—");

/** `nanomorph particles eval`: score a particle method against true instance labels (lib/particle_model/evaluate). */
export const command = defineCommand({
  name: "particles eval",
  summary: "score a particle method (bundled model, Otsu, a U-Net) against true instance labels",
  usage: "particles eval --images DIR --instances DIR [--method model|otsu|segment] [options]",
  description: `Score a particle method against true instance labels (instance maps, or binary masks with separating
lines): particles touching the border or under 10 px dropped on both sides, predicted matched to true one-to-one
at IoU ≥ 0.5. Prints pooled precision, recall, F1, the KS statistic of the diameters, and per-image medians of
the count error |n̂−n|/n, the median-diameter error |d̂−d|/d and the foreground Dice.`,
  options: {
    ...labelledSetOptions({ images: "micrographs", part: "which list of --split", defaultPart: "validation" }),
    method: opt.enum(["model", "otsu", "segment"], { placeholder: "M", description: "model, otsu (Gaussian σ 1, Otsu, opening, watershed h 2) or segment (a U-Net from `nanomorph segment --out DIR` + the watershed; needs --segment)", default: "model" }),
    model: opt.string({ placeholder: "M", description: "particle model: bundled or a folder from `particles train`", defaultText: "bundled" }),
    design: opt.enum(["boundary", "distance"], { placeholder: "D", description: "decode design of the model", defaultText: "the model's" }),
    segment: opt.string({ placeholder: "DIR", description: "the segment model for --method segment" }),
    filter: opt.string({ placeholder: "F", description: "object filter removing what it scores as not particles: bundled, none or a JSON file (as particles --filter)", defaultText: "bundled with --method otsu, none otherwise" }),
    "grow-edges": opt.number({ placeholder: "PX", description: "with --method otsu and the filter: the edge growth of the default route (as particles --grow-edges)", integer: true, min: 0, max: 100, defaultText: "4" }),
    "edge-level": opt.number({ placeholder: "L", description: "with --method otsu and the filter: the edge level of that growth (as particles --edge-level)", min: 0, max: 1, defaultText: "0.15" }),
    "edge-refiner": opt.string({ placeholder: "R", description: "with --method otsu and the filter: the outline refiner after the growth (as particles --edge-refiner): bundled, none or a JSON file", defaultText: "bundled (none with --grow-edges 0)" }),
    judge: opt.string({ placeholder: "J", description: "with --method otsu and the filter: the object judge picking the particles among several segmentations (as particles --judge): bundled, none or a JSON file", defaultText: "bundled" }),
    "no-bars": opt.flag("do not look for burnt-in scale bars and data strips (by default each image's bar and strip are found as `particles` finds them, and particles touching them are dropped on both sides)"),
    out: opt.string({ placeholder: "FILE", description: "write the per-image and summary numbers as JSON" }),
  },
  examples: ["nanomorph particles eval --images emps/images --instances emps/segmaps --split models/particles-emps/split.json --part validation"],
}, async ({ values: v }) => {
  const labels = labelsFolder(v);
  if (!v.images || !labels) throw new UsageError("particles eval: --images DIR and --instances DIR are required");
  if (v.method === "segment" && !v.segment) throw new UsageError("--method segment needs --segment DIR (a `nanomorph segment --out` folder)");
  const { evaluateOnFolders, evaluationRecord } = await import("../particle_model/experiment");
  if ((v["grow-edges"] !== undefined || v["edge-level"] !== undefined) && (v.method !== "otsu" || v.filter === "none")) throw new UsageError("--grow-edges and --edge-level are settings of the default route: give them with --method otsu and an object filter");
  const growth = { ...(v["grow-edges"] !== undefined ? { maxPx: v["grow-edges"] as number } : {}), ...(v["edge-level"] !== undefined ? { level: v["edge-level"] as number } : {}) };
  if (v["edge-refiner"] !== undefined && (v.method !== "otsu" || v.filter === "none")) throw new UsageError("--edge-refiner is a setting of the default route: give it with --method otsu and an object filter");
  if (v.judge !== undefined && (v.method !== "otsu" || v.filter === "none")) throw new UsageError("--judge is a setting of the default route: give it with --method otsu and an object filter");
  const method = v.method === "otsu" ? { kind: "otsu" as const, growth, refiner: v["edge-refiner"] as string | undefined, judge: v.judge as string | undefined }
    : v.method === "segment" ? { kind: "segment" as const, segment: v.segment as string }
    : { kind: "model" as const, model: v.model as string | undefined, design: v.design as "boundary" | "distance" | undefined };
  const r = await evaluateOnFolders({ images: v.images as string, labels, split: v.split as string | undefined, part: v.part as string | undefined }, method, v.filter as string | undefined, v["no-bars"] !== true);
  const s = r.summary;
  console.log(`${r.method} on ${s.images} images: precision ${f3(s.precision)}, recall ${f3(s.recall)}, F1 ${f3(s.f1)}, KS ${f3(s.ksDiameter)}, median count error ${f3(s.medianCountError)}, median diameter error ${f3(s.medianDiameterError)}, median Dice ${f3(s.medianDice)}`);
  if (v.out) {
    const out = path.resolve(v.out as string);
    fs.mkdirSync(path.dirname(out), { recursive: true });
    writeJsonAtomic(out, evaluationRecord(r));
  }
  return 0;
});
