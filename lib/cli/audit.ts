import { defineCommand, opt } from "./options";
import { ENCODER_OPTIONS } from "./encoder_options";

/** `nanomorph audit` (lib/probe/audit_folder.ts). */
export const command = defineCommand({
  name: "audit",
  summary: "which labels look wrong (out-of-fold confident learning on a folder-per-class set)",
  usage: "audit --data DIR [options]",
  description: `Which labels look wrong. Scores every image of a folder-per-class set by how well its label agrees with
out-of-fold predictions of the logistic head (each image judged by a model that never saw it; confident
learning with per-class thresholds = the mean self-confidence of the class) and lists the likely mislabelled
images first (flagged: another class clears its threshold, or the out-of-fold model prefers another class),
then the most ambiguous, with the class the model would give. Features are cached on disk.`,
  options: {
    data: opt.string({ placeholder: "DIR", required: true, description: "folder-per-class images (every class ≥ 2 images)" }),
    folds: opt.number({ placeholder: "K", description: "out-of-fold folds (at most the smallest class count)", integer: true, min: 2, max: 100, default: 5 }),
    seed: opt.number({ placeholder: "S", description: "seed of the folds", integer: true, min: 0, max: 2 ** 32 - 1, default: 0 }),
    top: opt.number({ placeholder: "N", description: "text output: list the N most suspicious", integer: true, min: 1, max: 1_000_000, default: 20 }),
    ...ENCODER_OPTIONS,
    json: opt.flag("print only { \"images\": [ { \"file\", \"label\", \"suggested\", \"score\", \"flagged\" } ] }, most suspicious first (score = out-of-fold probability of the given label)"),
  },
  examples: ["nanomorph audit --data ~/tem/sorted --json"],
}, async ({ values: v }) => {
  const { auditFolder } = await import("../probe/audit_folder");
  const { resolveEncoderSettings } = await import("../probe/encoder_settings");
  const images = await auditFolder({
    data: v.data, folds: v.folds, seed: v.seed,
    encoder: resolveEncoderSettings({ spec: v.encoder, size: v.size, tiles: v.tiles, preprocess: v.preprocess }),
  });
  if (v.json) { console.log(JSON.stringify({ images })); return 0; }
  const flagged = images.filter((i) => i.flagged).length;
  console.log(`${flagged} of ${images.length} images look mislabelled (flagged); the ${Math.min(v.top, images.length)} most suspicious:`);
  for (const i of images.slice(0, v.top)) console.log(`${i.flagged ? "!" : " "} ${i.score.toFixed(3)}  ${i.label} → ${i.suggested}  ${i.file}`);
  return 0;
});
