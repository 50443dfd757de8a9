export * from "./find_bar";
export * from "./parse_label";
export * from "./read_label";
export * from "./find_scale_bar";
export * from "./mask";
export * from "./calibrate";
export * from "./synth_bar";
export * from "./report";
