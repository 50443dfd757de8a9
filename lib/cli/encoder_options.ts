/** The encoder options shared by `nanomorph suggest` and `nanomorph audit` (lib/probe/encoder_settings.ts). */
import { opt } from "./options";

/** Option declarations, spread into each command's table. */
export const ENCODER_OPTIONS = {
  encoder: opt.string({ placeholder: "SPEC", description: "imagenet | resnet50 | resnet18 | resnet8 | checkpoint dir | Keras .h5", default: "imagenet" }),
  size: opt.number({ placeholder: "PX", description: "encoder input side", integer: true, min: 32, max: 4096, defaultText: "from configs/probe.json for the profile" }),
  tiles: opt.number({ placeholder: "K", description: "test-time mean pooling over K×K tiles", integer: true, min: 1, max: 16, defaultText: "from the profile" }),
  preprocess: opt.enum(["auto", "unit", "caffe"], { placeholder: "P", description: "auto (what the weights were trained with), unit or caffe", defaultText: "from the profile (auto)" }),
};
