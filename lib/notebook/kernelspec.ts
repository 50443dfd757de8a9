import * as fs from "fs";
import * as path from "path";
import { writeJsonAtomic } from "../util/fsx";

/** Name of the project's Jupyter kernel (notebook metadata `kernelspec.name`). */
export const KERNEL_NAME = "tslab";

/** A Jupyter kernelspec (`kernel.json`). */
export interface KernelSpec {
  argv: string[];
  display_name: string;
  language: string;
}

/** The project-local Jupyter data dir that holds our kernelspec: `<root>/.jupyter` (gitignored). */
export function jupyterDataDir(root: string): string {
  return path.join(root, ".jupyter");
}

/** Path of the kernelspec file: `<root>/.jupyter/kernels/tslab/kernel.json`. */
export function kernelSpecPath(root: string): string {
  return path.join(jupyterDataDir(root), "kernels", KERNEL_NAME, "kernel.json");
}

/**
 * The kernelspec for `root`. tslab compiles notebook imports relative to the kernel's cwd, so the
 * kernel must start in the project root whatever directory Jupyter starts it in: argv runs
 * `/bin/sh -c "cd '<root>' && exec '<node>' '<root>/lib/notebook/kernel.js' --config-path \"$0\""`
 * with the connection file as `$0` (kernelspec argv cannot expand variables, hence absolute paths).
 * kernel.js starts the project's own tslab (node_modules/tslab) with TypeScript's directory watching
 * off, which otherwise kills the kernel when a cell creates directories under the root.
 * @throws when `root` contains a single quote (it could not be quoted safely for sh).
 */
export function kernelSpec(root: string): KernelSpec {
  const abs = path.resolve(root);
  if (abs.includes("'")) throw new Error(`kernelSpec: project path ${abs} contains a single quote; move the project`);
  const kernel = path.join(abs, "lib", "notebook", "kernel.js");
  return {
    argv: ["/bin/sh", "-c", `cd '${abs}' && exec '${process.execPath}' '${kernel}' --config-path "$0"`, "{connection_file}"],
    display_name: "TypeScript (nanomorph)",
    language: "typescript",
  };
}

/** Result of checking the registered kernelspec. */
export interface KernelSpecStatus {
  /** The file exists and equals `kernelSpec(root)`. */
  ok: boolean;
  file: string;
  /** Why not ok (missing, stale, unreadable, tslab binary missing). */
  problem?: string;
}

/** Check that the kernelspec is registered, current, and that its tslab binary exists. */
export function checkKernelSpec(root: string): KernelSpecStatus {
  const file = kernelSpecPath(root);
  const want = kernelSpec(root);
  const tslab = path.join(path.resolve(root), "node_modules", ".bin", "tslab");
  if (!fs.existsSync(tslab)) return { ok: false, file, problem: `${tslab} is missing (run \`npm ci\`)` };
  if (!fs.existsSync(file)) return { ok: false, file, problem: `${file} is missing` };
  try {
    const have = JSON.parse(fs.readFileSync(file, "utf8")) as KernelSpec;
    if (JSON.stringify(have.argv) !== JSON.stringify(want.argv)) return { ok: false, file, problem: `${file} is stale (argv points elsewhere)` };
  } catch (e) {
    return { ok: false, file, problem: `${file} is unreadable: ${(e as Error).message}` };
  }
  return { ok: true, file };
}

/** Write (or refresh) the project-local kernelspec atomically; returns the file written. */
export function registerKernelSpec(root: string): string {
  const file = kernelSpecPath(root);
  writeJsonAtomic(file, kernelSpec(root));
  return file;
}
