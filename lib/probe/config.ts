/**
 * `configs/probe.json`: settings shared by `nanomorph probe` and notebooks 03/04, per profile.
 */
import { loadConfig, type ProfileName } from "../config/index";
import type { Protocol, SweepConfig } from "./sweep";
import type { PreprocessChoice } from "../models/preprocess";

/** Probe settings of one profile (all fields present after merging "defaults"; see configs/probe.json). */
export interface ProbeRunConfig {
  /** Default "honest". */
  protocol: Protocol;
  /** Labelled images per class (paper: 80, 32, 16, 8, 4, 2, 1). */
  labelsPerClass: number[];
  /** Number of split seeds, starting at `firstSplitSeed` (paper: 20 from 42). */
  splits: number;
  firstSplitSeed: number;
  /** Encoder seeds (paper: 42–46); for a fixed encoder such as ImageNet they seed the probe only. */
  encoderSeeds: number[];
  testFraction: number;
  valFraction: number;
  fixedEpochs: number;
  standardize: boolean;
  /** Encoder input side, px (paper 224), and tiles per side (test-time pooling). */
  size: number;
  tiles: number;
  /** Encoder input preprocessing: "auto" (what the weights were trained with; default) | "unit" (paper) | "caffe". */
  preprocess: PreprocessChoice;
  /** Notebook 03: encoders compared and n list. */
  nanowire: { encoders: string[]; labelsPerClass: number[] };
  /** Notebook 04: encoders, number of split seeds and n lists for the transfer sets. */
  transfer: { encoders: string[]; splits: number; nanoparticleLabelsPerClass: number[]; virusLabelsPerClass: number[] };
  /** t-SNE perplexity. */
  tsnePerplexity: number;
}

/** Load configs/probe.json for a profile (default: the active one). */
export function loadProbeConfig(profile?: ProfileName): ProbeRunConfig {
  return loadConfig<ProbeRunConfig>("probe", profile);
}

/** The split seeds of a config: firstSplitSeed, firstSplitSeed+1, … (splits of them). */
export function splitSeedsOf(cfg: Pick<ProbeRunConfig, "splits" | "firstSplitSeed">): number[] {
  return Array.from({ length: cfg.splits }, (_, i) => cfg.firstSplitSeed + i);
}

/** The SweepConfig a ProbeRunConfig describes (n list and protocol can be overridden). */
export function sweepConfigOf(cfg: ProbeRunConfig, over: Partial<SweepConfig> = {}): SweepConfig {
  return {
    labelsPerClass: cfg.labelsPerClass, splitSeeds: splitSeedsOf(cfg), testFraction: cfg.testFraction,
    protocol: cfg.protocol, valFraction: cfg.valFraction, fixedEpochs: cfg.fixedEpochs, standardize: cfg.standardize,
    ...over,
  };
}
