/**
 * Progress bar for long work: count, rate, ETA and free-form fields (loss, epoch ...), on stderr.
 * On a terminal it redraws one line. In a notebook kernel (NANOMORPH_NOTEBOOK=1, set by the project's
 * tslab kernel) it writes carriage-return updates, which Jupyter shows as one line updated in place,
 * at most every `logEverySec` seconds. Elsewhere (CI logs, pipes) it prints a line at most every
 * `logEverySec` seconds and at the end, so logs stay short. `NANOMORPH_QUIET=1` silences it.
 */
export interface ProgressOptions {
  /** Label printed before the bar. */
  label: string;
  /** Total number of units (steps, bytes, images). */
  total: number;
  /** Unit name for the rate, e.g. "img" or "B" (bytes get k/M/G formatting). Default "it". */
  unit?: string;
  /** Seconds between log lines when not on a TTY. Default 5. */
  logEverySec?: number;
  /** Where to write. Default process.stderr. */
  stream?: NodeJS.WritableStream & { isTTY?: boolean };
}

function formatDuration(sec: number): string {
  if (!Number.isFinite(sec) || sec < 0) return "--:--";
  const s = Math.round(sec);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

function formatAmount(x: number, unit: string): string {
  if (unit !== "B") return Number.isInteger(x) ? String(x) : x.toFixed(1);
  const units = ["B", "kB", "MB", "GB", "TB"];
  let i = 0;
  while (x >= 1000 && i < units.length - 1) { x /= 1000; i++; }
  return `${x.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}

export class Progress {
  private done = 0;
  private readonly start = Date.now();
  private lastPrint = 0;
  private fields: Record<string, string | number> = {};
  private readonly opts: Required<Omit<ProgressOptions, "stream">> & { stream: ProgressOptions["stream"] };
  private readonly quiet = process.env.NANOMORPH_QUIET === "1";

  constructor(opts: ProgressOptions) {
    this.opts = { unit: "it", logEverySec: 5, ...opts, stream: opts.stream ?? process.stderr };
  }

  /** Start counting from `n` already-done units (after a resume); the rate only counts new work. */
  private offset = 0;
  resumeFrom(n: number): void {
    this.done = n;
    this.offset = n;
  }

  /** Advance by `n` units and update named fields (shown as `key=value`). */
  tick(n = 1, fields: Record<string, string | number> = {}): void {
    this.done += n;
    Object.assign(this.fields, fields);
    const now = Date.now();
    const every = this.mode() === "tty" ? 200 : this.opts.logEverySec * 1000;
    if (this.done >= this.opts.total || now - this.lastPrint >= every) {
      this.lastPrint = now;
      this.render();
    }
  }

  /** The current line, as printed. */
  line(): string {
    const { label, total, unit } = this.opts;
    const elapsed = (Date.now() - this.start) / 1000;
    const rate = elapsed > 0 ? (this.done - this.offset) / elapsed : 0;
    const eta = rate > 0 ? (total - this.done) / rate : NaN;
    const frac = total > 0 ? Math.min(1, this.done / total) : 1;
    const width = 24;
    const filled = Math.round(frac * width);
    const bar = "#".repeat(filled) + "-".repeat(width - filled);
    const f = Object.entries(this.fields)
      .map(([k, v]) => `${k}=${typeof v === "number" ? (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e4 ? v.toExponential(3) : v.toFixed(4)) : v}`)
      .join(" ");
    return `${label} [${bar}] ${formatAmount(this.done, unit)}/${formatAmount(total, unit)} ` +
      `${formatAmount(rate, unit)}${unit === "B" ? "" : " " + unit}/s ETA ${formatDuration(eta)} ${f}`.trimEnd();
  }

  /** How updates are drawn: redrawn in place on a terminal or in a notebook, one line each elsewhere. */
  private mode(): "tty" | "notebook" | "log" {
    if (this.opts.stream?.isTTY) return "tty";
    return process.env.NANOMORPH_NOTEBOOK === "1" ? "notebook" : "log";
  }

  private render(final = this.done >= this.opts.total): void {
    if (this.quiet || !this.opts.stream) return;
    const text = this.line();
    const mode = this.mode();
    if (mode === "tty") this.opts.stream.write(`\r${text}\x1b[K${final ? "\n" : ""}`);
    // Jupyter's stream output treats \r as "back to the line's start": one line, updated in place.
    else if (mode === "notebook") this.opts.stream.write(`\r${text}${final ? "\n" : ""}`);
    else this.opts.stream.write(text + "\n");
  }

  /** Print the final line (once) if it was not printed yet, and end an in-place line. */
  finish(): void {
    if (this.done < this.opts.total) this.render(true);
  }
}
