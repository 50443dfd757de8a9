/**
 * `npm run bench [-- --only NAME[,NAME]] [--repeats K] [--warmup W] [--rounds R] [--no-peer]`
 *
 * Times every workload in bench/workloads/*.ts on the backend `initBackend()` selects (so
 * NANOMORPH_BACKEND / NANOMORPH_WASM_THREADS apply) and its peer (e.g. PyTorch) if it has one, and
 * prints ONE JSON document to stdout; progress goes to stderr. Timings are medians; the load average
 * at start and end is recorded because timings on a shared machine are noisy. `--rounds R` interleaves
 * ours and the peer in R chunks of the repeats (the peer starts R times, each with its warm-up), so a
 * machine whose speed drifts (measured here: the PyTorch resnet8 step between 42 and 71 ms over
 * minutes) biases neither side; the ratios in README come from `--rounds 3` and `--rounds 4`.
 */
import * as os from "os";
import * as path from "path";
import { parseArgs } from "util";
import { initBackend, kernelUse, KernelUse } from "../lib/backend/index";
import { loadWorkloads, mergePeerRounds, PeerResult, runPeer, splitRounds, throughputOf, timeWorkload, WorkloadResult } from "./harness";
import { round } from "./stats";

/** Options of the bench CLI. */
export interface BenchOptions {
  /** Workload names to run (default: all). */
  only: string[] | null;
  /** Timed repetitions per workload and peer (default 5). */
  repeats: number;
  /** Peer warm-up runs (default 2; workloads set their own). */
  warmup: number;
  /** Skip peers (default false). */
  noPeer: boolean;
  /** Interleaved chunks of ours and the peer (default 1: all of ours, then the peer). */
  rounds: number;
}

/** The JSON document `npm run bench` prints. */
export interface BenchReport {
  date: string;
  node: string;
  cpus: number;
  /** 1-minute load average at start and end. */
  loadAverage: { start: number; end: number };
  backend: { name: string; threads: number; simd: boolean; reason: string; threadsReason: string };
  repeats: number;
  rounds: number;
  workloads: WorkloadResult[];
  /** Workloads that cannot run on this backend, with the reason. */
  skipped: { name: string; why: string }[];
  /** Kernel calls by name (native backend with NANOMORPH_RECORD_KERNELS=1), and cpu-fallback calls. */
  kernels?: KernelUse;
}

/** Parse argv. @throws naming the bad option */
export function parseBenchArgs(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv, strict: true,
    options: {
      only: { type: "string", multiple: true }, repeats: { type: "string" }, warmup: { type: "string" },
      rounds: { type: "string" }, "no-peer": { type: "boolean" },
    },
  });
  const int = (name: string, v: string | undefined, d: number): number => {
    if (v === undefined) return d;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1 && name !== "warmup" || n < 0) throw new Error(`bench/run.ts: --${name} must be a non-negative integer (repeats, rounds >= 1), got '${v}'`);
    return n;
  };
  const only = values.only ? values.only.flatMap((s) => s.split(",")).map((s) => s.trim()).filter(Boolean) : null;
  return {
    only, repeats: int("repeats", values.repeats, 5), warmup: int("warmup", values.warmup, 2), noPeer: Boolean(values["no-peer"]),
    rounds: int("rounds", values.rounds, 1),
  };
}

async function main(): Promise<void> {
  const opts = parseBenchArgs(process.argv.slice(2));
  const root = path.resolve(__dirname, "..");
  const log = (s: string): void => { process.stderr.write(s + "\n"); };
  const load0 = os.loadavg()[0];
  const backend = await initBackend();
  let all = loadWorkloads();
  if (opts.only) {
    const unknown = opts.only.filter((n) => !all.some((w) => w.name === n));
    if (unknown.length) throw new Error(`bench/run.ts: unknown workload(s) ${unknown.join(", ")}; known: ${all.map((w) => w.name).join(", ")}`);
    all = all.filter((w) => opts.only!.includes(w.name));
  }
  const results: WorkloadResult[] = [];
  const skipped: { name: string; why: string }[] = [];
  for (const w of all) {
    const why = w.unsupported?.(backend) ?? null;
    if (why) {
      log(`[bench] ${w.name}: skipped (${why})`);
      skipped.push({ name: w.name, why });
      continue;
    }
    log(`[bench] ${w.name}: ${w.description}`);
    const chunks = splitRounds(opts.repeats, opts.rounds);
    const peerWarmup = Math.max(opts.warmup, w.peer?.warmup ?? 0);
    const peerParts: PeerResult[] = [];
    const runPeerRound = (i: number): void => {
      if (opts.noPeer || !w.peer) return;
      const p = runPeer(w, chunks[i], peerWarmup, root);
      if (p) { peerParts.push(p); log(`[bench] ${w.name} peer round ${i + 1}/${chunks.length}: ${p.ms ?? "skipped: " + p.skipped} ms`); }
    };
    const ours = await timeWorkload(w, backend, opts.repeats, log, chunks.length, runPeerRound);
    log(`[bench] ${w.name}: median ${ours.ms} ms on ${ours.backend} (${ours.threads} threads)`);
    runPeerRound(chunks.length - 1);
    const peer = mergePeerRounds(peerParts);
    if (peer) log(`[bench] ${w.name} peer ${peer.name}: ${peer.ms ?? "skipped: " + peer.skipped} ms`);
    const { items, ...timed } = ours;
    const throughput = throughputOf(items, ours.ms, peer?.ms);
    if (throughput) log(`[bench] ${w.name}: ${throughput.ours} ${throughput.unit} ours, ${throughput.peer ?? "—"} ${throughput.unit} peer`);
    results.push({ ...timed, peer, ratio: peer?.ms ? round(ours.ms / peer.ms, 2) : null, ...(throughput ? { throughput } : {}) });
  }
  const report: BenchReport = {
    date: new Date().toISOString(), node: process.version, cpus: os.cpus().length,
    loadAverage: { start: round(load0, 2), end: round(os.loadavg()[0], 2) },
    backend: { name: backend.name, threads: backend.threads, simd: backend.simd, reason: backend.reason, threadsReason: backend.threadsReason },
    repeats: opts.repeats, rounds: opts.rounds, workloads: results, skipped,
    ...(backend.name === "native" ? { kernels: kernelUse() } : {}),
  };
  process.stdout.write(JSON.stringify(report, null, 2) + "\n");
}

if (require.main === module) {
  main().catch((e) => { process.stderr.write(`bench failed: ${(e as Error).stack ?? e}\n`); process.exitCode = 1; });
}
