export * from "./kfold";
export * from "./ks";
export * from "./mann_whitney";
export * from "./normal";
export * from "./quantiles";
export * from "./splits";
