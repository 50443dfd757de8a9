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

/**
 * Notebook parameters that override a probe config; the "unset" value of each (0 or []) keeps the
 * profile's setting.
 */
export interface ProbeOverrides {
  /** Labelled images per class (03: the nanowire sweep; 04: both transfer sets). [] = the profile's. */
  labelsPerClass?: number[];
  /** Encoder specs (03: nanowire, 04: transfer). [] = the profile's. */
  encoders?: string[];
  /** Encoder seeds. [] = the profile's. */
  seeds?: number[];
  /** Split seeds per box. 0 = the profile's. */
  splits?: number;
  /** Encoder input size in px. 0 = the profile's. */
  size?: number;
}

/**
 * `cfg` with the set overrides applied to the nanowire study (03) and the transfer study (04).
 * @throws naming the parameter for a non-positive or non-integer n, split count or size.
 */
export function withProbeOverrides(cfg: ProbeRunConfig, o: ProbeOverrides): ProbeRunConfig {
  const positiveInt = (name: string, x: number): void => {
    if (!(Number.isInteger(x) && x > 0)) throw new Error(`withProbeOverrides: ${name} must be a positive integer, got ${x}`);
  };
  for (const n of o.labelsPerClass ?? []) positiveInt("labelsPerClass", n);
  if (o.splits) positiveInt("splits", o.splits);
  if (o.size) positiveInt("size", o.size);
  const n = o.labelsPerClass?.length ? o.labelsPerClass : null;
  const enc = o.encoders?.length ? o.encoders : null;
  return {
    ...cfg,
    encoderSeeds: o.seeds?.length ? o.seeds : cfg.encoderSeeds,
    splits: o.splits || cfg.splits,
    size: o.size || cfg.size,
    nanowire: { encoders: enc ?? cfg.nanowire.encoders, labelsPerClass: n ?? cfg.nanowire.labelsPerClass },
    transfer: {
      ...cfg.transfer,
      encoders: enc ?? cfg.transfer.encoders,
      splits: o.splits || cfg.transfer.splits,
      nanoparticleLabelsPerClass: n ?? cfg.transfer.nanoparticleLabelsPerClass,
      virusLabelsPerClass: n ?? cfg.transfer.virusLabelsPerClass,
    },
  };
}
