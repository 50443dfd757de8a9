/** Particle analysis: watershed separation, per-particle shape measurements, size statistics, matching against ground truth. */
export * from "./instances";
export * from "./reconstruct";
export * from "./heap";
export * from "./watershed";
export * from "./hull";
export * from "./perimeter";
export * from "./measure";
export * from "./extract";
export * from "./fill_holes";
export * from "./files";
export * from "./image_particles";
export * from "./analyse_folder";
export * from "./records";
export * from "./calibrate";
export * from "./size_stats";
export * from "./ks";
export * from "./match";
