/**
 * The probe protocols (which head, and how its stopping or regularisation is chosen; see sweep.ts):
 * a module of its own so option tables can list them without loading the sweep (and tfjs).
 */
export type Protocol = "honest" | "honest-adam" | "paper";

/** Every protocol name, for option parsing. */
export const PROTOCOLS = ["honest", "honest-adam", "paper"] as const satisfies readonly Protocol[];
