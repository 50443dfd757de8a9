export * from "./field";
export * from "./wire";
export * from "./tem";
export * from "./png";
export * from "./nanowire";
export * from "./particles";
export * from "./write";
export * from "./sized_particles";
