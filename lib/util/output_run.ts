import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as crypto from "crypto";
import { checkOutputDir, type OutputDirOptions } from "./output_dir";
import { fsyncDir, writeJsonAtomic } from "./fsx";
import { InterruptedError } from "./interrupt";
import { processAlive } from "./stale_tmp";

/**
 * One command's run into an `--out` folder, as a transaction: the new run writes into a hidden staging
 * folder inside `--out`, and its outputs replace the earlier run's only in {@link OutputRun.commit}
 * (a few renames, after everything was written). A failed or interrupted run ({@link OutputRun.abort})
 * leaves the earlier run's files exactly as they were and a note, `<command>.status.json`, saying what
 * happened. A lock file (`.nanomorph.lock`: pid, host, command, start) keeps two runs from writing into
 * one folder at once; a lock whose process is gone (same host) is stale and taken over with a note.
 *
 * Why staging inside `--out` rather than a sibling folder swapped whole: `--out` may hold files that are
 * not this command's (another command's outputs, the user's notes); only this command's own outputs
 * (`outputs`, matched on top-level names) are replaced.
 */

/** Options of {@link OutputRun.begin}. */
export interface OutputRunOptions extends Omit<OutputDirOptions, "staleOutputs"> {
  /** Command name for the lock, the note and messages (e.g. "segment"). */
  command: string;
  /**
   * Top-level names in `--out` that are this command's outputs: at commit, those of the earlier run
   * are replaced by the new run's (also the ones the new run did not write again). Default none
   * (only names the new run wrote are replaced).
   */
  outputs?: RegExp;
}

/** Contents of `.nanomorph.lock`. */
export interface OutputLock { pid: number; host: string; command: string; started: string }

/** Contents of `<command>.status.json`. */
export interface OutputRunStatus {
  command: string;
  /** complete: the folder holds this run's outputs; failed / interrupted: it holds the earlier run's. */
  state: "complete" | "failed" | "interrupted";
  started: string;
  finished: string;
  /** The top-level outputs of the run now in the folder (complete only). */
  outputs?: string[];
  /** What went wrong (failed / interrupted). */
  reason?: string;
  pid: number;
  host: string;
}

export const LOCK_FILE = ".nanomorph.lock";
const STAGING = /^\.staging-(\d+)-[0-9a-f]+$/;
const PREVIOUS = /^\.previous-(\d+)-[0-9a-f]+$/;

/** Names `--out` holds that belong to the transaction machinery, never to a run. */
function internal(name: string): boolean {
  return name === LOCK_FILE || STAGING.test(name) || PREVIOUS.test(name) || /\.status\.json$/.test(name) || /\.tmp-\d+-[0-9a-f]+$/.test(name);
}

/**
 * Take the lock of `dir` for `command`, or throw naming the run that holds it. A lock of a process
 * that no longer exists on this host is stale: it is replaced (returned `stale` says whose it was).
 * @throws Error when a live run (or a run on another host) holds the lock
 */
export function takeOutputLock(dir: string, command: string, option: string): { file: string; stale: OutputLock | null } {
  const file = path.join(dir, LOCK_FILE);
  const mine: OutputLock = { pid: process.pid, host: os.hostname(), command, started: new Date().toISOString() };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      fs.writeFileSync(file, JSON.stringify(mine), { flag: "wx" });
      return { file, stale: null };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") {
        // Created but not written (a full disk): an empty lock would stop the next run, so it goes.
        fs.rmSync(file, { force: true });
        throw new Error(`${option} ${dir}: cannot create its lock file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); choose a writable location`);
      }
    }
    let held: OutputLock | null = null;
    try {
      held = JSON.parse(fs.readFileSync(file, "utf8")) as OutputLock;
    } catch {
      held = null; // unreadable or half-written: treated as stale only if it stays so (a writer may be mid-write)
    }
    if (held && held.host !== os.hostname()) {
      throw new Error(`${option} ${dir} is in use by nanomorph ${held.command} (pid ${held.pid} on host ${held.host}, since ${held.started}); ` +
        `wait for it or choose another folder (if that run is gone, delete ${file})`);
    }
    if (held && processAlive(held.pid)) {
      throw new Error(`${option} ${dir} is in use by nanomorph ${held.command} (pid ${held.pid}, since ${held.started}); ` +
        "two runs into one folder would mix their outputs: wait for it to finish or choose another folder");
    }
    // Stale (its process is gone): replace it. The rename makes the take-over itself race-free.
    const tmp = `${file}.tmp-${process.pid}-${crypto.randomBytes(3).toString("hex")}`;
    fs.writeFileSync(tmp, JSON.stringify(mine));
    try {
      fs.renameSync(tmp, file);
    } catch (e) {
      fs.rmSync(tmp, { force: true });
      throw e;
    }
    // Another process may have taken it over at the same moment: the file says who won.
    const now = JSON.parse(fs.readFileSync(file, "utf8")) as OutputLock;
    if (now.pid === process.pid && now.host === mine.host) return { file, stale: held ?? { pid: -1, host: "?", command: "?", started: "?" } };
  }
  throw new Error(`${option} ${dir}: could not take its lock (${file}) after 3 attempts; another run is starting there`);
}

/**
 * Hold the lock of `dir` for a command that writes its folder in place (e.g. `pretrain`: checkpoints
 * are its resumable state): {@link takeOutputLock}, released by the returned function and, failing
 * that, when the process exits. Returns [release, stale-lock note or null].
 * @throws Error when a live run holds the lock
 */
export function holdOutputLock(dir: string, command: string, option: string): [() => void, string | null] {
  const lock = takeOutputLock(dir, command, option);
  const release = (): void => {
    process.removeListener("exit", release);
    try {
      const held = JSON.parse(fs.readFileSync(lock.file, "utf8")) as OutputLock;
      if (held.pid === process.pid) fs.rmSync(lock.file, { force: true });
    } catch {
      // already gone
    }
  };
  process.on("exit", release);
  return [release, lock.stale ? `took over the lock of an earlier ${lock.stale.command} run (pid ${lock.stale.pid}) that is no longer running` : null];
}

/** A run of one command into one `--out` folder (see the module comment). */
export class OutputRun {
  private done = false;
  private readonly onExit: () => void;

  private constructor(
    /** The `--out` folder (absolute). */
    readonly dir: string,
    /** Where this run writes its outputs until {@link commit} (inside `dir`). */
    readonly staging: string,
    private readonly lockFile: string,
    private readonly o: OutputRunOptions,
    readonly started: string,
    /** Notes for the user from {@link begin} (stale lock taken over, leftovers restored or removed). */
    readonly notes: string[],
  ) {
    // A forced exit (second signal, grace period over) still releases the lock and drops the staging.
    this.onExit = () => this.cleanup();
    process.on("exit", this.onExit);
  }

  /**
   * Check `dir` (as {@link checkOutputDir}: creatable, writable, not an input folder), take its lock,
   * tidy what killed runs left (their staging folders are removed; outputs a killed commit had moved
   * aside are put back) and create this run's staging folder. Touches no output of an earlier run.
   * @throws Error naming the option and the fix (bad folder, folder in use)
   */
  static begin(dir: string, o: OutputRunOptions): OutputRun {
    const abs = checkOutputDir(dir, o);
    const lock = takeOutputLock(abs, o.command, o.option);
    const notes: string[] = [];
    try {
      if (lock.stale) notes.push(`took over the lock of an earlier ${lock.stale.command} run (pid ${lock.stale.pid}) that is no longer running`);
      for (const name of fs.readdirSync(abs)) {
        const p = path.join(abs, name);
        if (STAGING.test(name)) {
          fs.rmSync(p, { recursive: true, force: true });
          notes.push(`removed ${name}, the unfinished outputs of a run that was killed`);
        } else if (PREVIOUS.test(name)) {
          // A commit was killed between moving the earlier outputs aside and removing them: put back
          // whatever is not in the folder any more, drop the rest.
          for (const f of fs.readdirSync(p)) if (!fs.existsSync(path.join(abs, f))) fs.renameSync(path.join(p, f), path.join(abs, f));
          fs.rmSync(p, { recursive: true, force: true });
          notes.push(`restored outputs a killed run had moved aside (${name})`);
        }
      }
      const staging = path.join(abs, `.staging-${process.pid}-${crypto.randomBytes(4).toString("hex")}`);
      fs.mkdirSync(staging);
      return new OutputRun(abs, staging, lock.file, o, new Date().toISOString(), notes);
    } catch (e) {
      fs.rmSync(lock.file, { force: true });
      throw e;
    }
  }

  /** Path of output `name` (relative) while the run is open: inside the staging folder. */
  path(...name: string[]): string {
    return path.join(this.staging, ...name);
  }

  /** Where staged path `p` lands after {@link commit} (for paths written into reports). */
  finalPath(p: string): string {
    const rel = path.relative(this.staging, p);
    return rel.startsWith("..") || path.isAbsolute(rel) ? p : path.join(this.dir, rel);
  }

  /**
   * Replace the earlier run's outputs by this run's: earlier outputs (names matching `outputs`, and
   * any name this run wrote) are moved aside, the staged ones renamed in, then the earlier ones
   * removed; on a failure half-way everything is moved back. Writes `<command>.status.json`
   * (complete, with the list of outputs) and releases the lock. Returns the committed names.
   * @throws Error naming the folder when the swap failed (the earlier run is then back in place)
   */
  commit(): string[] {
    if (this.done) throw new Error(`OutputRun.commit: the ${this.o.command} run into ${this.dir} is already closed`);
    const staged = fs.readdirSync(this.staging).filter((n) => !/\.tmp-\d+-[0-9a-f]+$/.test(n));
    const earlier = fs.readdirSync(this.dir).filter((n) => !internal(n) && (staged.includes(n) || (this.o.outputs?.test(n) ?? false)));
    const aside = path.join(this.dir, `.previous-${process.pid}-${crypto.randomBytes(4).toString("hex")}`);
    const moved: string[] = [];
    const placed: string[] = [];
    try {
      fs.mkdirSync(aside);
      for (const n of earlier) { fs.renameSync(path.join(this.dir, n), path.join(aside, n)); moved.push(n); }
      for (const n of staged) { fs.renameSync(path.join(this.staging, n), path.join(this.dir, n)); placed.push(n); }
      fsyncDir(this.dir);
    } catch (e) {
      for (const n of placed) fs.renameSync(path.join(this.dir, n), path.join(this.staging, n));
      for (const n of moved) fs.renameSync(path.join(aside, n), path.join(this.dir, n));
      fs.rmSync(aside, { recursive: true, force: true });
      const err = new Error(`${this.o.command}: could not move the new outputs into ${this.dir} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); the earlier run's outputs are unchanged`);
      this.abort(err);
      throw err;
    }
    fs.rmSync(aside, { recursive: true, force: true });
    this.writeStatus({ state: "complete", outputs: staged.sort() });
    this.cleanup();
    return staged;
  }

  /**
   * Close a run that did not finish: drop its staging folder, leave the earlier run's outputs as they
   * are, write `<command>.status.json` (failed / interrupted, with the reason), release the lock.
   * Returns the one-line note to print. Safe to call twice (the second call does nothing).
   */
  abort(reason: unknown): string {
    if (this.done) return "";
    const interrupted = reason instanceof InterruptedError;
    const why = reason instanceof Error ? reason.message : String(reason);
    const earlier = fs.readdirSync(this.dir).some((n) => !internal(n) && (this.o.outputs?.test(n) ?? false));
    try {
      this.writeStatus({ state: interrupted ? "interrupted" : "failed", reason: why });
    } catch {
      // a full disk may refuse the note too; the message below still says what happened
    }
    this.cleanup();
    return `${this.o.command}: ${interrupted ? "interrupted" : "failed"}; nothing of this run was kept in ${this.dir}` +
      `${earlier ? " (the earlier run's outputs there are unchanged)" : ""}; see ${path.join(this.dir, `${this.o.command}.status.json`)}`;
  }

  private writeStatus(s: Pick<OutputRunStatus, "state" | "outputs" | "reason">): void {
    const status: OutputRunStatus = { command: this.o.command, ...s, started: this.started, finished: new Date().toISOString(), pid: process.pid, host: os.hostname() };
    writeJsonAtomic(path.join(this.dir, `${this.o.command}.status.json`), status);
  }

  private cleanup(): void {
    if (this.done) return;
    this.done = true;
    process.removeListener("exit", this.onExit);
    fs.rmSync(this.staging, { recursive: true, force: true });
    try {
      const held = JSON.parse(fs.readFileSync(this.lockFile, "utf8")) as OutputLock;
      if (held.pid === process.pid) fs.rmSync(this.lockFile, { force: true });
    } catch {
      // already gone
    }
  }
}

/**
 * Run `body(run)` as one {@link OutputRun}: commit when it resolves, abort (printing the note to
 * stderr) when it throws, then rethrow. Returns the body's value.
 */
export async function withOutputRun<T>(dir: string, o: OutputRunOptions, body: (run: OutputRun) => Promise<T>): Promise<T> {
  const run = OutputRun.begin(dir, o);
  for (const n of run.notes) console.error(`${o.command}: ${n}`);
  let value: T;
  try {
    value = await body(run);
  } catch (e) {
    console.error(run.abort(e));
    throw e;
  }
  run.commit();
  return value;
}
