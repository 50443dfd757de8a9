/**
 * Cooperative cancellation on SIGINT / SIGTERM / SIGHUP for long-running commands.
 *
 * Why: a handler installed with `process.on("SIGINT")` replaces Node's default (exit at once), and it
 * only runs when the event loop gets a turn. A training loop that never awaits anything therefore
 * ignores Ctrl-C and a cluster's SIGTERM completely. The contract here:
 *  - {@link watchInterrupts} installs one handler pair that only records the signal;
 *  - long loops call `await` {@link interruptPoint} between steps / batches / cells: it yields to the
 *    event loop (so the handler can run) and throws {@link InterruptedError} once a signal came;
 *  - the loop catches nothing: code around it writes its checkpoint (or cleans up) in `finally`/`catch`
 *    and the CLI turns the error into exit code 130 (SIGINT), 143 (SIGTERM) or 129 (SIGHUP: the terminal
 *    closed, an ssh session dropped);
 *  - a second signal, or a run still alive `graceMs` after the first, exits at once with that code
 *    (atomic writes keep every file whole), so nothing can hang past a cluster's kill deadline.
 */

/** Exit code of a process stopped by `signal` (128 + signal number, as shells report it). */
export function exitCodeForSignal(signal: NodeJS.Signals): number {
  return signal === "SIGINT" ? 130 : signal === "SIGTERM" ? 143 : signal === "SIGHUP" ? 129 : 1;
}

/** The signals every long command handles alike. */
export const INTERRUPT_SIGNALS: readonly NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];

/** Thrown by {@link interruptPoint} after SIGINT/SIGTERM/SIGHUP. `exitCode` is 130, 143 or 129. */
export class InterruptedError extends Error {
  readonly exitCode: number;
  constructor(readonly signal: NodeJS.Signals, readonly detail = "") {
    super(`interrupted by ${signal}${detail ? `: ${detail}` : ""}`);
    this.exitCode = exitCodeForSignal(signal);
  }
}

let received: NodeJS.Signals | null = null;
let watchers = 0;
let forceTimer: NodeJS.Timeout | null = null;
let graceMs = 20000;
const callbacks = new Set<(sig: NodeJS.Signals) => void>();

function onSignal(sig: NodeJS.Signals): void {
  if (received) {
    // Second signal: the user means it.
    process.exit(exitCodeForSignal(sig));
  }
  received = sig;
  for (const cb of callbacks) cb(sig);
  if (process.env.NANOMORPH_QUIET !== "1") process.stderr.write(`\nnanomorph: ${sig} received, stopping at the next safe point (send it again to stop at once)\n`);
  forceTimer = setTimeout(() => process.exit(exitCodeForSignal(sig)), graceMs);
  forceTimer.unref();
}

/**
 * Start recording SIGINT/SIGTERM/SIGHUP (reference counted; pair every call with the returned `stop`).
 * `grace` (ms, default 20000, or `$NANOMORPH_INTERRUPT_GRACE_MS`) bounds how long a run may take to
 * reach its next safe point after the first signal.
 */
export function watchInterrupts(grace?: number): () => void {
  const env = Number(process.env.NANOMORPH_INTERRUPT_GRACE_MS);
  graceMs = grace ?? (Number.isFinite(env) && env > 0 ? env : 20000);
  if (watchers++ === 0) {
    for (const sig of INTERRUPT_SIGNALS) process.on(sig, onSignal);
  }
  let stopped = false;
  return () => {
    if (stopped) return;
    stopped = true;
    if (--watchers === 0) {
      for (const sig of INTERRUPT_SIGNALS) process.removeListener(sig, onSignal);
    }
  };
}

/**
 * Call `cb(signal)` when the first SIGINT/SIGTERM/SIGHUP arrives while watching (e.g. to forward it to a
 * child process). Returns the function that unregisters it.
 */
export function onInterrupt(cb: (sig: NodeJS.Signals) => void): () => void {
  callbacks.add(cb);
  return () => { callbacks.delete(cb); };
}

/** The signal received since watching began (null when none). Does not yield. */
export function interruptSignal(): NodeJS.Signals | null {
  return received;
}

/** Clear a recorded signal (after the run that saw it has stopped; tests that reuse a process). */
export function clearInterrupt(): void {
  received = null;
  if (forceTimer) clearTimeout(forceTimer);
  forceTimer = null;
}

/** Give the event loop one turn (setImmediate), so signal handlers and timers can run. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * A safe point of a long loop: yield to the event loop, then throw {@link InterruptedError} if a
 * signal was received. `detail` goes into the message (e.g. "checkpoint written to …" is added by callers).
 */
export async function interruptPoint(detail = ""): Promise<void> {
  await yieldToEventLoop();
  if (received) throw new InterruptedError(received, detail);
}
