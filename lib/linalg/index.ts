export * from "./eigh";
export * from "./lbfgs";
export * from "./matrix";
