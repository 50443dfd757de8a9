/**
 * The encoder settings shared by `suggest` and `audit` (and their notebook calls): which encoder, its
 * input size, tiles and preprocessing, resolved against the active profile of configs/probe.json, and
 * the cached feature extraction both run.
 */
import * as path from "path";
import { loadProbeConfig } from "./config";
import { encoderFeatureSets } from "./dataset";
import { profileName, profileIsExplicit } from "../config/index";
import type { PreprocessChoice } from "../models/preprocess";
import type { FeatureMatrix } from "../linalg/matrix";

/** Resolved encoder settings. */
export interface EncoderSettings {
  /** Encoder spec: imagenet | resnet50 | resnet18 | resnet8 | checkpoint dir | Keras .h5. */
  spec: string;
  /** Display name (a path's base name). */
  name: string;
  /** Input side, px. */
  size: number;
  /** Test-time tiles per side. */
  tiles: number;
  preprocess: PreprocessChoice;
}

/** Settings from what a caller gave; the rest from the profile (encoder "imagenet"). */
export function resolveEncoderSettings(o: Partial<Omit<EncoderSettings, "name">> = {}): EncoderSettings {
  const cfg = loadProbeConfig();
  const spec = o.spec ?? "imagenet";
  const name = /[\\/]/.test(spec) ? path.basename(spec.replace(/[\\/]+$/, "")) : spec;
  return { spec, name, size: o.size ?? cfg.size, tiles: o.tiles ?? cfg.tiles, preprocess: o.preprocess ?? cfg.preprocess };
}

/** One line naming the settings (printed on stderr at the start of a run). */
export function describeSettings(s: EncoderSettings): string {
  return `encoder ${s.name} at ${s.size}px${s.tiles > 1 ? ` × ${s.tiles}² tiles` : ""}, preprocess ${s.preprocess}; ` +
    `profile ${profileName()}${profileIsExplicit() ? "" : " (default; --profile to change)"}`;
}

/** Features of `files` (one row each, cached on disk) under the resolved encoder; `seed` seeds random-init encoders. */
export async function featuresOf(s: EncoderSettings, files: string[], seed: number): Promise<FeatureMatrix> {
  const sets = await encoderFeatureSets({ spec: s.spec, name: s.name, seeds: [seed], preprocess: s.preprocess }, files, { size: s.size, tiles: s.tiles });
  return sets[0].X;
}
