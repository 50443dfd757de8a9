export { paperReference } from "./paper";
export type { PaperReference } from "./paper";
export { recordSummary, readSummaries } from "./summary";
export type { SectionSummary } from "./summary";
export { writeReport } from "./report";
export type { ReportOptions } from "./report";
