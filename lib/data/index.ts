/** Data concern: synthetic generators, folder/split loaders, masks, manifest + downloader, dataset cache. */
export * from "./folders";
export * from "./decode";
export * from "./images";
export * from "./masks";
export * from "./dataset";
export * from "./synth/index";
export * from "./manifest";
export * from "./fetch";
export * from "./archive";
export * from "./inspect";
export * from "./external";
export * from "./calibration";
export { readMicroscopeImage, isMicroscopeFile, detectMicroscopeFormat, MICROSCOPE_EXTENSIONS, FormatError } from "./formats/index";
export type { MicroscopeImage, AxisScale, ReadImageOptions, MicroscopeFormat } from "./formats/index";
