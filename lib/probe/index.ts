// Label-efficient classification: feature matrices, the paper's linear probe, sweeps under the
// paper's and the honest protocol, metrics, statistics, results I/O.
export * from "./linear_probe";
export * from "./duplicate_groups";
export * from "./metrics";
export * from "./sweep";
export * from "./results";
export * from "./features";
export * from "./parallel";
export * from "./config";
export * from "./dataset";
export * from "./tsne";
export * from "./oneshot";
export * from "./figures";
export * from "./thumbnails";
export * from "./study_data";
export * from "./logistic";
export * from "./sklearn_baseline";
export * from "./budget";
export * from "./feasible";
export * from "./suggest";
export * from "./audit";
