import * as path from "path";
import { type Command, parse, UsageError, numberArg } from "./args";
import { ENCODER_OPTIONS, ENCODER_HELP, encoderSettings, describeSettings, featuresOf } from "./encoder_options";
import { initBackend } from "../backend/index";
import { listUnlabelledImages } from "../probe/unlabelled";
import { listClassFolder } from "../data/folders";
import { suggestRows, SUGGEST_DIMS, type CoverageMethod } from "../probe/suggest";
import { sha256File } from "../util/fsx";

const METHODS: readonly CoverageMethod[] = ["medoid", "typical", "kcenter"];

const HELP = `usage: nanomorph suggest --data DIR --budget K [--labelled DIR] [options]

Which images to label first. Takes a folder of unlabelled images (flat, or class folders whose names
are ignored) and prints the K images a person should label first, most useful first, with a reason
each. Without --labelled: one image per feature cluster (ImageNet features, standardised, top principal
components, k-medoids with k = K), largest cluster first, so a few labels cover every kind of image.
With --labelled (a folder-per-class of the images labelled so far): the next active-learning round —
the images the logistic head is least sure about, spread over different looks. Images of --data that
are also in --labelled (same content) are left out. Features are cached on disk.

  --data DIR               unlabelled images (jpg, png, tif …), flat or in sub-folders
  --budget K               how many images to suggest (≤ the number of unlabelled images)
  --labelled DIR           folder-per-class of already labelled images (≥ 1 image)
  --method M               coverage pick without labels: ${METHODS.join(" | ")} (default medoid)
  --dims N                 principal components of the distance space (default 8)
  --seed S                 seed of the clustering (default 0)
${ENCODER_HELP}
  --json                   print only { "suggestions": [ { "rank", "file", "reason", "score" } ] }

example: nanomorph suggest --data ~/tem/unsorted --budget 8 --json`;

const OPTIONS = {
  data: { type: "string" },
  budget: { type: "string" },
  labelled: { type: "string" },
  method: { type: "string" },
  seed: { type: "string" },
  dims: { type: "string" },
  ...ENCODER_OPTIONS,
  json: { type: "boolean" },
} as const;

/** One suggestion as printed. */
export interface Suggestion {
  rank: number;
  file: string;
  reason: string;
  score: number | null;
}

export const command: Command = {
  name: "suggest",
  summary: "which unlabelled images to label first (coverage pick, or the next active-learning round)",
  help: HELP,
  async run(argv) {
    const { values: v } = parse(argv, OPTIONS);
    if (!v.data) throw new UsageError(`suggest: --data DIR is required\n\n${HELP}`);
    if (v.budget === undefined) throw new UsageError(`suggest: --budget K is required (how many images to suggest)`);
    const budget = numberArg("budget", v.budget as string, 0);
    if (!Number.isInteger(budget) || budget < 1) throw new UsageError(`--budget must be a positive integer, got '${v.budget}'`);
    const method = ((v.method as string | undefined) ?? "medoid") as CoverageMethod;
    if (!METHODS.includes(method)) throw new UsageError(`--method must be one of ${METHODS.join(", ")}, got '${v.method}'`);
    const seed = numberArg("seed", v.seed as string | undefined, 0);
    const dims = numberArg("dims", v.dims as string | undefined, SUGGEST_DIMS);
    if (!Number.isInteger(dims) || dims < 1) throw new UsageError(`--dims must be a positive integer, got '${v.dims}'`);
    const settings = encoderSettings(v);
    let pool = listUnlabelledImages(path.resolve(v.data as string), "--data");
    const lab = v.labelled ? listClassFolder(path.resolve(v.labelled as string)) : null;
    if (lab) {
      const known = new Set<string>();
      for (const f of lab.files) known.add(await sha256File(f));
      const kept: string[] = [];
      for (const f of pool) if (!known.has(await sha256File(f))) kept.push(f);
      pool = kept;
      if (pool.length === 0) throw new UsageError(`--data holds no image that is not already in --labelled`);
    }
    if (budget > pool.length) throw new UsageError(`--budget ${budget} is larger than the ${pool.length} unlabelled images in --data; ask for at most ${pool.length}`);
    const backend = await initBackend();
    console.error(`suggest: ${pool.length} unlabelled images${lab ? `, ${lab.files.length} labelled (${lab.classes.join(", ")})` : ""}; budget ${budget}; ` +
      `${lab ? "active-learning round" : `coverage pick ${method}`}; ${describeSettings(settings)}; backend ${backend.name}`);
    const files = lab ? [...pool, ...lab.files] : pool;
    const X = await featuresOf(settings, files, seed);
    const rows = Array.from({ length: pool.length }, (_, i) => i);
    const labelled = lab ? { rows: lab.files.map((_, i) => pool.length + i), labels: lab.labels } : undefined;
    const picks = suggestRows(X, rows, budget, { seed, method, dims, labelled, K: lab?.classes.length, classNames: lab?.classes });
    const out: Suggestion[] = picks.map((p, i) => ({ rank: i + 1, file: files[p.row], reason: p.reason, score: p.score ?? null }));
    if (v.json) console.log(JSON.stringify({ suggestions: out }));
    else for (const s of out) console.log(`${String(s.rank).padStart(3)}  ${s.file}\n     ${s.reason}`);
    return 0;
  },
};
