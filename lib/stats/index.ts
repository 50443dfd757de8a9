export * from "./gbdt";
export * from "./kfold";
export * from "./ks";
export * from "./logistic_fit";
export * from "./mann_whitney";
export * from "./normal";
export * from "./quantiles";
export * from "./splits";
