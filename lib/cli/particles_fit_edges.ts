import * as fs from "fs";
import * as path from "path";
import { UsageError } from "./args";
import { defineCommand, opt } from "./options";
import { labelledSetOptions, labelsFolder } from "./labelled_options";
import { writeJsonAtomic } from "../util/fsx";

const f3 = (x: number): string => (Number.isFinite(x) ? x.toFixed(3) : "—");

/** `nanomorph particles fit-edges`: pick the default route's edge growth from a few labelled micrographs (lib/particle_model/fit_edges). */
export const command = defineCommand({
  name: "particles fit-edges",
  summary: "pick where the default route puts particle edges from a few of your labelled micrographs",
  usage: "particles fit-edges --images DIR --instances DIR [--split FILE --part KEY] [--filter F] [--out FILE]",
  description: `People outline particles differently (the outer edge of the blur, or its half level); the default
route grows its particles to where the EMPS annotators drew them. This runs the default route on your
labelled micrographs (instance maps, or binary masks with separating lines, paired by name) with each
growth setting (none; edge levels 0.15, 0.25, 0.35, 0.5 of the contrast, up to 4 px, each with and without
the outline refiner that grows particles up to 2 px more where a learned model says particle), prints how each agrees
with your labels, and the setting whose particle sizes agree best image by image (lowest mean over your
images of each one's KS distance of the diameters + median diameter error, so a crowded image does not
decide alone): pass its --grow-edges, --edge-level (and --edge-refiner none) to \`nanomorph particles\`. Ten or twenty
labelled images of one source chose alike there; five chose a little less surely (docs/particles.md).`,
  options: {
    ...labelledSetOptions({ images: "labelled micrographs", part: "which list of --split", defaultPart: "train" }),
    filter: opt.string({ placeholder: "F", description: "object filter of the route: bundled or a JSON file (as particles --filter)", defaultText: "bundled" }),
    judge: opt.string({ placeholder: "J", description: "object judge of the route: bundled, none or a JSON file (as particles --judge)", defaultText: "bundled" }),
    out: opt.string({ placeholder: "FILE", description: "write every setting's scores and the choice as JSON" }),
  },
  examples: ["nanomorph particles fit-edges --images lab/img --instances lab/inst"],
}, async ({ values: v }) => {
  const labels = labelsFolder(v);
  if (!v.images || !labels) throw new UsageError("particles fit-edges: --images DIR and --instances DIR are required");
  const { fitEdgesOnFolders } = await import("../particle_model/experiment");
  const fit = await fitEdgesOnFolders({ images: v.images as string, labels, split: v.split as string | undefined, part: v.part as string | undefined }, v.filter as string | undefined, v.judge as string | undefined);
  console.log(`default route on ${fit.images} labelled images:`);
  const flags = (e: (typeof fit)["best"]): string => (e.maxPx === 0 ? "--grow-edges 0" : `--grow-edges ${e.maxPx} --edge-level ${e.level}${e.refine ? "" : " --edge-refiner none"}`);
  for (const c of fit.candidates) {
    const s = c.summary, name = flags(c.setting);
    console.log(`  ${name.padEnd(54)} size score ${f3(c.score)} (mean per image of KS + diameter error), F1 ${f3(s.f1)}, pooled KS ${f3(s.ksDiameter)}, median diameter error ${f3(s.medianDiameterError)}, median Dice ${f3(s.medianDice)}${c.setting === fit.best ? "  <- best" : ""}`);
  }
  console.log(`use: nanomorph particles ${flags(fit.best)} --images …`);
  if (v.out) {
    const out = path.resolve(v.out as string);
    fs.mkdirSync(path.dirname(out), { recursive: true });
    writeJsonAtomic(out, { images: fit.images, best: fit.best, candidates: fit.candidates.map((c) => ({ ...c.setting, score: c.score, summary: c.summary })) });
  }
  return 0;
});
