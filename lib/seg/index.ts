/** Segmentation: U-Net decoder over an encoder's skips, Dice/IoU, training, label sweeps, tiling, mask I/O. */
export * from "./metrics";
export * from "./losses";
export * from "./unet";
export * from "./train";
export * from "./schedule";
export * from "./sweep";
export * from "./results";
export * from "./config";
export * from "./tiles";
export * from "./pairs";
export * from "./figures";
export * from "./study";
export * from "./cached_sweep";
export * from "./otsu_baseline";
export * from "./model_file";
export * from "./apply";
