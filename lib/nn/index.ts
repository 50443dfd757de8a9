/** Small shared tensor building blocks (batch norm, …). */
export * from "./batchnorm";
