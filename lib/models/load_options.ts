// Options of every encoder loader (load.ts, checkpoint.ts, h5_import.ts): their own module, so the loaders do not import each other.
import type { PreprocessMode } from "./preprocess";

/** Options of {@link loadEncoder}. */
export interface LoadEncoderOptions {
  /** Seed of the random initialisation (default 0). Also used before weights are overwritten. */
  seed?: number;
  /** Input preprocessing (default "unit": the paper's [0,1] inputs; "caffe" for Keras ImageNet preprocessing). */
  preprocess?: PreprocessMode;
  /** Nominal input size (default 224; 64 for resnet8). */
  inputSize?: number;
  /** For "imagenet": also load the 1000-way classifier as `predictions/kernel|bias` (default false). */
  classifier?: boolean;
}
