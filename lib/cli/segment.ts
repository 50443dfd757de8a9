import { defineCommand, opt } from "./options";

/** `nanomorph segment`: the segmentation experiment (lib/seg/experiment.ts). */
export const command = defineCommand({
  name: "segment",
  summary: "train a U-Net on N image/mask pairs, predict the rest, report Dice/IoU",
  usage: "segment --images DIR --masks DIR [options]",
  description: `Train a U-Net (frozen encoder + Conv2DTranspose/BN/ReLU decoder, the paper's design) on N image/mask
pairs, predict the rest, write the predicted masks and print per-image and median Dice/IoU. Scores are the
paper's soft Dice/IoU on the sigmoid output plus the same thresholded; in resize mode they are computed at the
network resolution (as the paper), in tile mode at native resolution; the native-resolution scores are reported
in both modes. Beside them: Otsu thresholding of the same held-out images at native resolution (polarity chosen
on the training pairs), the baseline a model must beat. Without a profile the 'quality' settings apply
(measured on real micrographs, docs/defaults.md); the settings in use are printed at start.

--out DIR receives the predicted masks (<stem>_pred.png), segment.json and the trained model DIR/model/
(manifest.json + weights: the encoder's and the decoder's, and the size/fit/preprocess/threshold to apply it).
An earlier run there is replaced only when this one finishes (a failed or interrupted run leaves it whole;
DIR/segment.status.json says what happened); two runs cannot share one DIR. Apply the model with
\`nanomorph particles --images DIR2 --segment DIR\`.`,
  options: {
    images: opt.string({ placeholder: "DIR", required: true, description: "micrographs (any size; jpg/png/tif, 8 or 16 bit)" }),
    masks: opt.string({ placeholder: "DIR", required: true, description: "masks paired by file stem (x.png ↔ x.png / x_label.png / x_mask.png): binary PNGs, the paper's colour labels (G ≠ B) or 16-bit label maps (nonzero = foreground)" }),
    rule: opt.enum(["auto", "colour", "nonzero", "half"], { placeholder: "R", description: "mask foreground rule", default: "auto" }),
    invert: opt.flag("swap mask foreground and background (e.g. ISBI labels store cells white and membranes black: --invert segments the membranes)"),
    encoder: opt.string({ placeholder: "SPEC", description: "imagenet | resnet50 | resnet18 | resnet8 | checkpoint dir | Keras .h5", defaultText: "from configs/segment.json" }),
    preprocess: opt.enum(["unit", "caffe"], { placeholder: "P", description: "encoder input: unit ([0,1], the paper's) or caffe (ImageNet mean subtraction)", defaultText: "from the profile" }),
    // Its range depends on the data (1..pairs−1): checked by the experiment.
    train: opt.number({ placeholder: "N", description: "training pairs, drawn at random with --seed (1 to the number of pairs − 1)", integer: true, defaultText: "80% of the pairs" }),
    seed: opt.number({ placeholder: "S", description: "seed of the train/test draw and of the decoder", integer: true, min: 0, max: 2 ** 32 - 1, default: 42 }),
    size: opt.number({ placeholder: "PX", description: "network input side, a multiple of 32 (paper 224)", integer: true, min: 32, max: 4096, defaultText: "from the profile" }),
    fit: opt.enum(["resize", "tile"], { placeholder: "MODE", description: "resize: whole micrograph resized to size²; tile: size² tiles at native resolution, predictions stitched back", default: "resize" }),
    epochs: opt.number({ placeholder: "E", description: "epochs", integer: true, min: 1, max: 100000, defaultText: "the paper's schedule for N labelled images" }),
    batch: opt.number({ placeholder: "B", description: "batch size", integer: true, min: 1, max: 4096, defaultText: "from the profile (4)" }),
    lr: opt.number({ placeholder: "X", description: "Adam learning rate", min: 0, minExclusive: true, max: 10, defaultText: "from the profile (1e-3)" }),
    loss: opt.enum(["dice", "bce+dice"], { placeholder: "L", description: "dice (the paper's) or bce+dice", defaultText: "from the profile" }),
    filters: opt.numbers({ description: "decoder filters, deepest first (4 numbers)", integer: true, min: 1, max: 4096, maxLength: 4, defaultText: "from the profile / encoder" }),
    unfreeze: opt.flag("train the encoder too"),
    threshold: opt.number({ placeholder: "T", description: "probability threshold of written masks and hard scores", min: 0, minExclusive: true, max: 1, maxExclusive: true, defaultText: "from the profile (0.5)" }),
    out: opt.string({ placeholder: "DIR", description: "where predicted masks, segment.json and the trained model go", defaultText: "results/segment" }),
    json: opt.flag("print { \"images\": [...], \"median\": {...}, ... } on stdout"),
  },
  examples: ["nanomorph segment --images em/image --masks em/label --encoder imagenet --train 20 --size 128 --epochs 10"],
}, async ({ values: v }) => {
  const { runSegmentExperiment } = await import("../seg/experiment");
  const { report, summary, out } = await runSegmentExperiment({
    images: v.images, masks: v.masks, rule: v.rule, invert: v.invert, encoder: v.encoder, preprocess: v.preprocess,
    train: v.train, seed: v.seed, size: v.size, fit: v.fit, epochs: v.epochs, batchSize: v.batch, learningRate: v.lr,
    loss: v.loss, filters: v.filters, unfreeze: v.unfreeze, threshold: v.threshold, out: v.out,
  });
  if (v.json) {
    for (const line of summary) console.error(`segment: ${line}`);
    console.error(`segment: the trained model in ${report.model}`);
    console.log(JSON.stringify(report));
    return 0;
  }
  const threshold = report.settings.threshold as number;
  const at = `@${String(threshold).replace(/^0\./, ".")}`;
  console.log("image".padEnd(24) + ["dice", "iou", `dice${at}`, `iou${at}`, "otsu"].map((h) => h.padEnd(8)).join(""));
  for (const r of report.images) console.log(r.image.padEnd(24) + [r.dice, r.iou, r.diceT, r.iouT, r.otsuDice].map((x) => x.toFixed(4).padEnd(8)).join(""));
  console.log("median".padEnd(24) + [report.median.dice, report.median.iou, report.median.diceT, report.median.iouT, report.baseline.otsu.median.dice].map((x) => x.toFixed(4).padEnd(8)).join(""));
  console.log("\n" + summary.join("\n"));
  console.log(`\npredicted masks and segment.json in ${out}; the trained model in ${report.model} (apply it: nanomorph particles --images DIR --segment ${out})`);
  return 0;
});
