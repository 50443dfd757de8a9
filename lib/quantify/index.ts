/** Quantification of nanowire masks: percolation (the paper's DBSCAN test), density, domain measurements. */
export * from "./mask_io";
export * from "./dbscan";
export * from "./percolation";
export * from "./orientation";
export * from "./domains";
export * from "./draw";
export * from "./quantify_image";
export * from "./figures";
export * from "./by_class";
