/**
 * Timing of workloads and peers for `npm run bench` (the CLI is bench/run.ts).
 */
import * as fs from "fs";
import * as path from "path";
import { spawnSync } from "child_process";
import * as tf from "@tensorflow/tfjs";
import { BackendInfo } from "../lib/backend/index";
import { Workload } from "./workload";
import { median, round } from "./stats";

/** Timing of a peer command. */
export interface PeerResult {
  name: string;
  /** Median ms reported by the peer, null when it did not run. */
  ms: number | null;
  /** Why it did not run (missing torch, non-zero exit, bad output). */
  skipped?: string;
  /** Extra keys the peer printed (versions, threads, all timings). */
  info?: Record<string, unknown>;
}

/** One workload's line in the report. */
export interface WorkloadResult {
  name: string;
  description: string;
  backend: string;
  threads: number;
  /** Median ms over `repeats` timed runs. */
  ms: number;
  /** Every timed run, ms. */
  allMs: number[];
  /**
   * Median CPU time per run (user + system, all threads of the process), ms. Less sensitive to other
   * load than wall time; with n threads it approaches n × ms when they never idle.
   */
  cpuMs: number;
  /** Tensors alive after dispose minus before setup (0 = no leak). */
  leakedTensors: number;
  /**
   * Peak RSS of the bench process during this workload, MB: on Linux the high-water mark is reset
   * before setup (/proc/self/clear_refs); elsewhere it is the process's peak so far.
   */
  peakRssMb: number;
  peer: PeerResult | null;
  /** ms / peer.ms, null without a peer timing. */
  ratio: number | null;
  /** The runner's `info` (e.g. the data it used), when it gave one. */
  info?: Record<string, unknown>;
  /** Items per second (runner's `items`): ours from `ms`, the peer's from `peer.ms`. */
  throughput?: { unit: string; perRun: number; ours: number; peer: number | null };
}

/** Items per second of a workload whose runner declared `items`, for ours and the peer. */
export function throughputOf(items: { count: number; unit: string } | undefined, ms: number, peerMs: number | null | undefined): WorkloadResult["throughput"] {
  if (!items) return undefined;
  const rate = (t: number): number => round((items.count * 1000) / t, 2);
  return { unit: `${items.unit}/s`, perRun: items.count, ours: rate(ms), peer: peerMs ? rate(peerMs) : null };
}

/** Load every `workloads` export of bench/workloads/*.ts, in file-name order. @throws on a duplicate name */
export function loadWorkloads(dir = path.join(__dirname, "workloads")): Workload[] {
  const out: Workload[] = [];
  for (const f of fs.readdirSync(dir).filter((n) => n.endsWith(".ts")).sort()) {
    const mod = require(path.join(dir, f)) as { workloads?: Workload[] };
    if (!Array.isArray(mod.workloads)) throw new Error(`bench/harness.ts: ${f} exports no 'workloads' array`);
    for (const w of mod.workloads) {
      if (out.some((o) => o.name === w.name)) throw new Error(`bench/harness.ts: duplicate workload name ${w.name} (${f})`);
      out.push(w);
    }
  }
  return out;
}

/**
 * Merge the peer runs of several rounds: ms = median over every timed run (from each run's `all_ms`,
 * else its median), info of the first run plus `rounds`. A skipped round makes the whole peer skipped.
 */
export function mergePeerRounds(parts: PeerResult[]): PeerResult | null {
  if (parts.length === 0) return null;
  const bad = parts.find((p) => p.ms === null);
  if (bad || parts.length === 1) return bad ?? parts[0];
  const all = parts.flatMap((p) => Array.isArray(p.info?.all_ms) ? (p.info!.all_ms as number[]) : [p.ms as number]);
  return { name: parts[0].name, ms: round(median(all), 2), info: { ...parts[0].info, all_ms: all, rounds: parts.length } };
}

/** Run a peer command with `--repeats k --warmup w` appended and parse its one JSON line. Never throws. */
export function runPeer(w: Workload, repeats: number, warmup: number, root: string): PeerResult | null {
  const p = w.peer;
  if (!p) return null;
  const why = p.unavailable?.() ?? null;
  if (why) return { name: p.name, ms: null, skipped: why };
  const [prog, ...args] = p.command;
  const r = spawnSync(prog, [...args, "--repeats", String(repeats), "--warmup", String(warmup)], {
    cwd: root, encoding: "utf8", timeout: 30 * 60_000,
  });
  if (r.status !== 0) return { name: p.name, ms: null, skipped: `exit ${r.status ?? r.signal}: ${(r.stderr ?? "").trim().split("\n").pop()}` };
  try {
    const j = JSON.parse(r.stdout.trim().split("\n").pop() ?? "") as Record<string, unknown>;
    if (typeof j.ms !== "number") throw new Error("no numeric 'ms'");
    const { ms, ...info } = j;
    return { name: p.name, ms: round(ms as number, 2), info };
  } catch (e) {
    return { name: p.name, ms: null, skipped: `unparsable peer output (${(e as Error).message}): ${r.stdout.slice(0, 200)}` };
  }
}

/** Reset the kernel's RSS high-water mark of this process (Linux ≥ 4.0); false where it cannot. */
function resetPeakRss(): boolean {
  try { fs.writeFileSync("/proc/self/clear_refs", "5"); return true; } catch { return false; }
}

/** Peak RSS, MB: VmHWM (Linux, resettable), else Node's process maximum. */
function peakRssMb(): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync("/proc/self/status", "utf8"));
    if (m) return Math.round(Number(m[1]) / 1024);
  } catch { /* not Linux */ }
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

/** Split `repeats` into `rounds` near-equal positive chunks (fewer chunks when repeats < rounds). */
export function splitRounds(repeats: number, rounds: number): number[] {
  const n = Math.max(1, Math.min(rounds, repeats));
  return Array.from({ length: n }, (_, i) => Math.floor(repeats / n) + (i < repeats % n ? 1 : 0));
}

/**
 * Time one workload on the active backend: setup, `warmup` untimed runs, `repeats` timed runs, dispose.
 * With `rounds` > 1 the timed runs come in that many chunks and `between(i)` runs after chunk i (all
 * but the last): the bench runs the peer there, so slow drifts of a shared machine's speed reach both
 * sides alike.
 */
export async function timeWorkload(
  w: Workload, backend: BackendInfo, repeats: number, log: (s: string) => void,
  rounds = 1, between: (round: number) => void = () => {},
): Promise<Omit<WorkloadResult, "peer" | "ratio" | "throughput"> & { items?: { count: number; unit: string } }> {
  const before = tf.memory().numTensors;
  resetPeakRss();
  const runner = await w.setup({ backend });
  const times: number[] = [], cpu: number[] = [];
  const warm = w.warmup ?? 2;
  // Run index after which `between` is called: the cumulative ends of every chunk but the last.
  const cuts = new Map<number, number>();
  splitRounds(repeats, rounds).slice(0, -1).reduce((end, k, i) => { cuts.set(end + k, i); return end + k; }, warm);
  try {
    for (let i = 0; i < warm + repeats; i++) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      await runner.run();
      const dt = performance.now() - t0;
      const dc = process.cpuUsage(c0);
      if (i >= warm) { times.push(dt); cpu.push((dc.user + dc.system) / 1000); }
      log(`  ${w.name} ${i < warm ? "warm-up" : "run"} ${i + 1}/${warm + repeats}: ${dt.toFixed(1)} ms`);
      const round = cuts.get(i + 1);
      if (round !== undefined) between(round);
    }
  } finally {
    runner.dispose();
  }
  return {
    name: w.name, description: w.description, backend: backend.name, threads: backend.threads,
    ms: round(median(times), 2), allMs: times.map((t) => round(t, 1)), cpuMs: round(median(cpu), 1), leakedTensors: tf.memory().numTensors - before,
    peakRssMb: peakRssMb(),
    ...(runner.info ? { info: runner.info } : {}), ...(runner.items ? { items: runner.items } : {}),
  };
}
