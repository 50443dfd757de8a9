/**
 * The encoder options shared by `nanomorph suggest` and `nanomorph audit` (--encoder, --size,
 * --tiles, --preprocess), resolved against the active profile of configs/probe.json, and the cached
 * feature extraction they both run.
 */
import * as path from "path";
import { UsageError, numberArg } from "./args";
import { loadProbeConfig } from "../probe/config";
import { encoderFeatureSets } from "../probe/dataset";
import { profileName, profileIsExplicit } from "../config/index";
import type { PreprocessChoice } from "../models/preprocess";
import type { FeatureMatrix } from "../probe/matrix";

/** util.parseArgs declarations of the shared options. */
export const ENCODER_OPTIONS = {
  encoder: { type: "string" },
  size: { type: "string" },
  tiles: { type: "string" },
  preprocess: { type: "string" },
} as const;

/** Help lines of the shared options. */
export const ENCODER_HELP = `  --encoder SPEC           imagenet | resnet50 | resnet18 | resnet8 | checkpoint dir | Keras .h5 (default imagenet)
  --size PX                encoder input side (default from configs/probe.json for the profile)
  --tiles K                test-time mean pooling over K×K tiles (default from the profile)
  --preprocess P           auto (default: what the weights were trained with) | unit | caffe`;

/** Resolved encoder settings. */
export interface EncoderSettings {
  spec: string;
  /** Display name (a path's base name). */
  name: string;
  size: number;
  tiles: number;
  preprocess: PreprocessChoice;
}

/** Resolve the shared options; throws UsageError naming the option on a bad value. */
export function encoderSettings(v: Record<string, string | boolean | undefined>): EncoderSettings {
  const cfg = loadProbeConfig();
  const spec = (v.encoder as string | undefined) ?? "imagenet";
  const preprocess = ((v.preprocess as string | undefined) ?? cfg.preprocess) as PreprocessChoice;
  if (!["auto", "unit", "caffe"].includes(preprocess)) throw new UsageError(`--preprocess must be auto, unit or caffe, got '${preprocess}'`);
  const size = numberArg("size", v.size as string | undefined, cfg.size);
  if (!Number.isInteger(size) || size < 32) throw new UsageError(`--size must be an integer ≥ 32, got '${v.size}'`);
  const tiles = numberArg("tiles", v.tiles as string | undefined, cfg.tiles);
  if (!Number.isInteger(tiles) || tiles < 1) throw new UsageError(`--tiles must be a positive integer, got '${v.tiles}'`);
  const name = /[\\/]/.test(spec) ? path.basename(spec.replace(/[\\/]+$/, "")) : spec;
  return { spec, name, size, tiles, preprocess };
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
