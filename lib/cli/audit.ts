import * as path from "path";
import { type Command, parse, UsageError, numberArg } from "./args";
import { ENCODER_OPTIONS, ENCODER_HELP, encoderSettings, describeSettings, featuresOf } from "./encoder_options";
import { initBackend } from "../backend/index";
import { listClassFolder } from "../data/folders";
import { auditLabels } from "../probe/audit";

const HELP = `usage: nanomorph audit --data DIR [options]

Which labels look wrong. Scores every image of a folder-per-class set by how well its label agrees
with out-of-fold predictions of the logistic head (each image judged by a model that never saw it;
confident learning with per-class thresholds = the mean self-confidence of the class) and lists the
likely mislabelled images first (flagged: another class clears its threshold, or the out-of-fold model prefers another class), then the most
ambiguous, with the class the model would give. Features are cached on disk.

  --data DIR               folder-per-class images (every class ≥ 2 images)
  --folds K                out-of-fold folds (default 5; at most the smallest class count)
  --seed S                 seed of the folds (default 0)
  --top N                  text output: list the N most suspicious (default 20)
${ENCODER_HELP}
  --json                   print only { "images": [ { "file", "label", "suggested", "score", "flagged" } ] },
                           most suspicious first (score = out-of-fold probability of the given label)

example: nanomorph audit --data ~/tem/sorted --json`;

const OPTIONS = {
  data: { type: "string" },
  folds: { type: "string" },
  seed: { type: "string" },
  top: { type: "string" },
  ...ENCODER_OPTIONS,
  json: { type: "boolean" },
} as const;

/** One audited image as printed. */
export interface AuditedImage {
  file: string;
  label: string;
  suggested: string;
  score: number;
  flagged: boolean;
}

export const command: Command = {
  name: "audit",
  summary: "which labels look wrong (out-of-fold confident learning on a folder-per-class set)",
  help: HELP,
  async run(argv) {
    const { values: v } = parse(argv, OPTIONS);
    if (!v.data) throw new UsageError(`audit: --data DIR is required\n\n${HELP}`);
    const folds = numberArg("folds", v.folds as string | undefined, 5);
    if (!Number.isInteger(folds) || folds < 2) throw new UsageError(`--folds must be an integer ≥ 2, got '${v.folds}'`);
    const seed = numberArg("seed", v.seed as string | undefined, 0);
    const top = numberArg("top", v.top as string | undefined, 20);
    const settings = encoderSettings(v);
    const set = listClassFolder(path.resolve(v.data as string));
    if (set.classes.length < 2) throw new UsageError(`--data ${v.data} has one class folder (${set.classes[0]}); an audit needs at least 2`);
    set.classes.forEach((c, k) => {
      if (set.labels.filter((y) => y === k).length < 2) throw new UsageError(`--data: class folder '${c}' holds one image; every class needs at least 2 for out-of-fold predictions`);
    });
    const backend = await initBackend();
    console.error(`audit: ${set.files.length} images, ${set.classes.length} classes (${set.classes.join(", ")}); ${folds} folds; ${describeSettings(settings)}; backend ${backend.name}`);
    const X = await featuresOf(settings, set.files, seed);
    const r = auditLabels(X, set.labels, set.classes.length, undefined, { folds, seed });
    const images: AuditedImage[] = r.rows.map((q) => ({
      file: set.files[q.row], label: set.classes[q.label], suggested: set.classes[q.suggested], score: q.score, flagged: q.flagged,
    }));
    if (v.json) { console.log(JSON.stringify({ images })); return 0; }
    const flagged = images.filter((i) => i.flagged).length;
    console.log(`${flagged} of ${images.length} images look mislabelled (flagged); the ${Math.min(top, images.length)} most suspicious:`);
    for (const i of images.slice(0, top)) {
      console.log(`${i.flagged ? "!" : " "} ${i.score.toFixed(3)}  ${i.label} → ${i.suggested}  ${i.file}`);
    }
    return 0;
  },
};
