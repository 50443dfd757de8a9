/**
 * Loading `@tensorflow/tfjs-node(-gpu)` when it is really there.
 *
 * Two traps (docs/toolchain.md §4c): the package may be missing or lack its native binding
 * (`require` throws), and our npm `overrides` alias `@tensorflow/tfjs-node` to plain `@tensorflow/tfjs`,
 * so `require` can succeed with no "tensorflow" backend. We read the resolved package.json first (an
 * alias is skipped without loading a second tfjs copy) and accept only `tf.getBackend() === "tensorflow"`.
 */
import * as fs from "fs";
import * as tf from "@tensorflow/tfjs";
import { BackendAttempt, BackendChoice } from "./types";

/** npm package behind each node choice. */
export const NODE_PACKAGES: Record<"node-gpu" | "node", string> = {
  "node-gpu": "@tensorflow/tfjs-node-gpu",
  node: "@tensorflow/tfjs-node",
};

function firstLine(e: unknown): string {
  return String((e as Error)?.message ?? e).split("\n")[0];
}

/** The installed package's name and version, or an attempt explaining why it is not usable. */
export function resolveNodePackage(pkg: string): { name: string; version: string } | string {
  let manifest: string;
  try {
    manifest = require.resolve(`${pkg}/package.json`);
  } catch (e) {
    return `not installed (${firstLine(e)})`;
  }
  try {
    const j = JSON.parse(fs.readFileSync(manifest, "utf8")) as { name?: string; version?: string };
    return { name: j.name ?? "?", version: j.version ?? "?" };
  } catch (e) {
    return `unreadable ${manifest}: ${firstLine(e)}`;
  }
}

/** Try one node choice; on success the "tensorflow" backend is active. Never throws. */
export async function tryNodeBackend(choice: "node-gpu" | "node"): Promise<BackendAttempt> {
  const pkg = NODE_PACKAGES[choice];
  const meta = resolveNodePackage(pkg);
  if (typeof meta === "string") return { choice, ok: false, detail: `${pkg}: ${meta}` };
  if (meta.name !== pkg) {
    return { choice, ok: false, detail: `${pkg} resolves to ${meta.name}@${meta.version} (npm override alias), skipped` };
  }
  try {
    require(pkg);
  } catch (e) {
    return { choice, ok: false, detail: `${pkg}@${meta.version} failed to load: ${firstLine(e)}` };
  }
  if (!tf.findBackendFactory("tensorflow")) {
    return { choice, ok: false, detail: `${pkg}@${meta.version} loaded but registered no "tensorflow" backend` };
  }
  const ok = await tf.setBackend("tensorflow");
  if (!ok || tf.getBackend() !== "tensorflow") {
    return { choice, ok: false, detail: `${pkg}@${meta.version}: tf.setBackend("tensorflow") failed (got ${tf.getBackend()})` };
  }
  return { choice, ok: true, detail: `${pkg}@${meta.version}` };
}

/** Whether `c` is a node choice. */
export function isNodeChoice(c: BackendChoice): c is "node-gpu" | "node" {
  return c === "node-gpu" || c === "node";
}
