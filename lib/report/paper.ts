import * as path from "path";
import { readJson } from "../util/fsx";
import { projectRoot } from "../util/paths";

/** Reference numbers from the paper (medians read off its figures), with the citation. */
export interface PaperReference {
  citation: string;
  note: string;
  nanowireAccuracy: { figure: string; labelsPerClass: number[]; medians: Record<string, number[]> };
  mnpAccuracy: { figure: string; summary: string; labelsPerClass: number[]; range: [number, number][] };
  virusAccuracy: { figure: string; labelsPerClass: number[]; medians: Record<string, number[]> };
  segmentation: { figure: string; summary: string; labelsPerClass: number[]; dice224: number[]; iou224: number[]; dice512: number[] };
  quantification: { percolating: { dispersed: number; network: number; of: number }; pixelDensity: Record<"dispersed" | "network", [number, number]> };
  oneShot: { figure: string; anchorsOppositeSides: number; anchorsSameSide: number };
  hyperparameters: {
    figures: string[];
    barlowTEM: string;
    simclrTEM: { batchSize: Record<string, number>; lastProjectionSize: Record<string, number>; noCrop: number };
    barlowResolution: Record<string, number>;
  };
}

/** The paper's reference numbers (shipped with the project). */
export function paperReference(): PaperReference {
  return readJson<PaperReference>(path.join(projectRoot(), "lib", "report", "paper_reference.json"));
}
