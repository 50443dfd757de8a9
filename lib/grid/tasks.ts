/**
 * Grid task kinds. A task turns one cell's config into a JSON result; it should cache its expensive
 * stages with `cachedJson`/`cachedDir` so that cells sharing an upstream config share the work.
 * A result may hold `rows` (one object per replicate/fold) which `collect` flattens into the table.
 */
import type { TaskContext, TaskFn } from "./task_types";
export type { TaskContext, TaskFn };

import { sslCvTask } from "./tasks/ssl_cv";

// Imported statically: tslab compiles only modules reached by static imports.
const builtins: Record<string, () => TaskFn> = {
  "ssl-cv": () => sslCvTask,
};
// One registry per process, also when a user's --tasks module reaches lib/grid through another copy of
// this module (the TypeScript sources, while the CLI runs compiled from dist/).
const REGISTRY = Symbol.for("nanomorph.gridTasks");
const registered: Record<string, TaskFn> = ((globalThis as Record<symbol, unknown>)[REGISTRY] ??= {}) as Record<string, TaskFn>;

/** Register a task kind (tests and user scripts can add their own). */
export function registerTask(name: string, fn: TaskFn): void {
  registered[name] = fn;
}

/** Look up a task kind; throws listing the known ones. */
export function getTask(name: string): TaskFn {
  if (registered[name]) return registered[name];
  if (builtins[name]) return builtins[name]();
  throw new Error(`unknown grid task '${name}'; known: ${[...Object.keys(builtins), ...Object.keys(registered)].join(", ")}`);
}
