// The task contract, a module of its own so task implementations (tasks/*) and the registry do not import each other.

export interface TaskContext {
  /** Cell id (content hash of the config). */
  id: string;
  /** Print a progress line prefixed with the cell id. */
  log(msg: string): void;
}

export type TaskFn = (config: Record<string, unknown>, ctx: TaskContext) => Promise<Record<string, unknown>>;
