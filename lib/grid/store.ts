import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { writeJsonAtomic, readJson } from "../util/fsx";
import type { GridCell } from "./spec";

/** State of one cell in a results directory. */
export type CellState = "done" | "running" | "failed" | "pending";

/** What a finished cell's file holds. */
export interface CellRecord {
  id: string;
  point: Record<string, unknown>;
  config: Record<string, unknown>;
  result: Record<string, unknown>;
  host: string;
  startedAt: string;
  seconds: number;
}

interface LockInfo {
  pid: number;
  host: string;
  startedAt: string;
}

/**
 * One grid's results directory: one file per finished cell (`<id>.json`), a lock while a cell runs
 * (`<id>.lock`, created exclusively so two processes never run the same cell) and `<id>.error.json`
 * for a failed one. Every write is atomic, so a shared directory (NFS on a cluster, or a CI artefact)
 * never holds a half-written result, and a killed run leaves at most a stale lock.
 */
export class GridStore {
  constructor(readonly dir: string, readonly staleLockSec = 24 * 3600) {
    fs.mkdirSync(dir, { recursive: true });
  }

  private file(id: string, suffix: string): string {
    return path.join(this.dir, `${id}${suffix}`);
  }

  /** The finished record of a cell, or null. */
  read(id: string): CellRecord | null {
    const f = this.file(id, ".json");
    return fs.existsSync(f) ? readJson<CellRecord>(f) : null;
  }

  /** The state of a cell as seen now. */
  state(id: string): CellState {
    if (fs.existsSync(this.file(id, ".json"))) return "done";
    const lock = this.readLock(id);
    if (lock && this.lockAlive(lock)) return "running";
    if (fs.existsSync(this.file(id, ".error.json"))) return "failed";
    return "pending";
  }

  /** The error message of a failed cell. */
  error(id: string): string | null {
    const f = this.file(id, ".error.json");
    return fs.existsSync(f) ? readJson<{ message: string }>(f).message : null;
  }

  private readLock(id: string): LockInfo | null {
    try {
      return JSON.parse(fs.readFileSync(this.file(id, ".lock"), "utf8")) as LockInfo;
    } catch {
      return null;
    }
  }

  /** A lock is alive if its process still runs (same host) or it is younger than staleLockSec (other hosts). */
  private lockAlive(lock: LockInfo): boolean {
    if (lock.host === os.hostname()) {
      try {
        process.kill(lock.pid, 0);
        return true;
      } catch (e) {
        return (e as NodeJS.ErrnoException).code === "EPERM";
      }
    }
    return Date.now() - Date.parse(lock.startedAt) < this.staleLockSec * 1000;
  }

  /**
   * Try to claim a cell for this process. False when it is done or another live process holds it.
   * A stale lock (its process died) is taken over.
   */
  claim(id: string): boolean {
    if (fs.existsSync(this.file(id, ".json"))) return false;
    const lockFile = this.file(id, ".lock");
    const info: LockInfo = { pid: process.pid, host: os.hostname(), startedAt: new Date().toISOString() };
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        fs.writeFileSync(lockFile, JSON.stringify(info), { flag: "wx" });
        // Re-check: another process may have finished it between our check and the lock.
        if (fs.existsSync(this.file(id, ".json"))) {
          fs.rmSync(lockFile, { force: true });
          return false;
        }
        return true;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
        const held = this.readLock(id);
        if (held && this.lockAlive(held)) return false;
        // Stale: remove it by renaming (atomic; only one taker succeeds), then retry once.
        try {
          fs.renameSync(lockFile, `${lockFile}.stale-${process.pid}`);
          fs.rmSync(`${lockFile}.stale-${process.pid}`, { force: true });
        } catch { return false; }
      }
    }
    return false;
  }

  /** Record a finished cell and release its lock. */
  finish(cell: GridCell, result: Record<string, unknown>, startedAt: Date): void {
    const rec: CellRecord = {
      id: cell.id, point: cell.point, config: cell.config, result,
      host: os.hostname(), startedAt: startedAt.toISOString(), seconds: (Date.now() - startedAt.getTime()) / 1000,
    };
    writeJsonAtomic(this.file(cell.id, ".json"), rec);
    fs.rmSync(this.file(cell.id, ".error.json"), { force: true });
    fs.rmSync(this.file(cell.id, ".lock"), { force: true });
  }

  /** Record a failure and release the lock (the cell is retried by the next run). */
  fail(cell: GridCell, err: Error): void {
    writeJsonAtomic(this.file(cell.id, ".error.json"), { id: cell.id, point: cell.point, message: err.message, at: new Date().toISOString() });
    fs.rmSync(this.file(cell.id, ".lock"), { force: true });
  }

  /** Release a claim without recording anything (e.g. on SIGINT). */
  release(id: string): void {
    const lock = this.readLock(id);
    if (lock && lock.pid === process.pid && lock.host === os.hostname()) fs.rmSync(this.file(id, ".lock"), { force: true });
  }
}
