import { defineCommand, opt } from "./options";
import { ENCODER_OPTIONS } from "./encoder_options";

/** `nanomorph suggest` (lib/probe/suggest_images.ts). */
export const command = defineCommand({
  name: "suggest",
  summary: "which unlabelled images to label first (coverage pick, or the next active-learning round)",
  usage: "suggest --data DIR --budget K [--labelled DIR] [options]",
  description: `Which images to label first. Takes a folder of unlabelled images (flat, or class folders whose names
are ignored) and prints the K images a person should label first, most useful first, with a reason each.
Without --labelled: one image per feature cluster (ImageNet features, standardised, top principal components,
k-medoids with k = K), largest cluster first, so a few labels cover every kind of image. With --labelled (a
folder-per-class of the images labelled so far): the next active-learning round, the images the logistic head
is least sure about, spread over different looks. Images of --data that are also in --labelled (same content)
are left out. Features are cached on disk.`,
  options: {
    data: opt.string({ placeholder: "DIR", required: true, description: "unlabelled images (jpg, png, tif …), flat or in sub-folders" }),
    budget: opt.number({ placeholder: "K", description: "how many images to suggest (≤ the number of unlabelled images)", integer: true, min: 1, max: 1_000_000, required: true }),
    labelled: opt.string({ placeholder: "DIR", description: "folder-per-class of already labelled images (≥ 1 image)" }),
    method: opt.enum(["medoid", "typical", "kcenter"], { placeholder: "M", description: "coverage pick without labels", default: "medoid" }),
    dims: opt.number({ placeholder: "N", description: "principal components of the distance space", integer: true, min: 1, max: 4096, default: 8 }),
    seed: opt.number({ placeholder: "S", description: "seed of the clustering", integer: true, min: 0, max: 2 ** 32 - 1, default: 0 }),
    ...ENCODER_OPTIONS,
    json: opt.flag("print only { \"suggestions\": [ { \"rank\", \"file\", \"reason\", \"score\" } ] }"),
  },
  examples: ["nanomorph suggest --data ~/tem/unsorted --budget 8 --json"],
}, async ({ values: v }) => {
  const { suggestImages } = await import("../probe/suggest_images");
  const { resolveEncoderSettings } = await import("../probe/encoder_settings");
  const out = await suggestImages({
    data: v.data, budget: v.budget, labelled: v.labelled, method: v.method, dims: v.dims, seed: v.seed,
    encoder: resolveEncoderSettings({ spec: v.encoder, size: v.size, tiles: v.tiles, preprocess: v.preprocess }),
  });
  if (v.json) console.log(JSON.stringify({ suggestions: out }));
  else for (const s of out) console.log(`${String(s.rank).padStart(3)}  ${s.file}\n     ${s.reason}`);
  return 0;
});
