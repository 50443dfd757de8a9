/** Small shared tensor building blocks (batch norm, BN folding, …). */
export * from "./batchnorm";
export * from "./fold_bn";
export * from "./variable_grads";
export * from "./params";
