/**
 * The benchmark workload contract. A workload is a named, timed unit of work on the selected tfjs
 * backend, optionally with a "peer" (the same computation in PyTorch/sklearn/… on the same machine)
 * so `npm run bench` can report `ratio = ours / peer`.
 *
 * To add one: create `bench/workloads/<topic>.ts` exporting `workloads: Workload[]` (one module may
 * define several related workloads, e.g. a training step and a forward pass). `bench/run.ts` imports
 * every module in that folder. Keep setup out of the timed part: `setup` builds tensors/models once,
 * `run` does one repetition and must block until the result is computed (call `dataSync()` or await
 * `data()` on an output), and `dispose` frees everything `setup` made.
 *
 * Peer protocol: `peer.command` is an argv run from the project root with
 * `--repeats K --warmup W` appended; it must print ONE JSON line `{"ms": <median ms>, ...}` to stdout
 * (anything else to stderr) and exit 0. Extra keys are kept in the report under `peer.info`.
 */
import { BackendInfo } from "../lib/backend/index";

/** What the harness hands to `setup`. */
export interface WorkloadContext {
  /** The backend `initBackend()` selected. */
  backend: BackendInfo;
}

/** A prepared workload: one timed repetition and cleanup. */
export interface WorkloadRunner {
  /** One repetition; must not return before the work is done (sync or awaited). */
  run(): void | Promise<void>;
  /** Free every tensor/variable made in `setup`. */
  dispose(): void;
  /** Items one repetition processes (e.g. 50 images): the report then gives items/s for ours and the peer. */
  items?: { count: number; unit: string };
  /** What the workload ran on (e.g. which data set was found), copied to the report's `info`. */
  info?: Record<string, unknown>;
}

/** The same computation in another framework, for a ratio. */
export interface PeerSpec {
  /** Display name, e.g. "pytorch-cpu-2threads". */
  name: string;
  /** argv (program first), run from the project root; `--repeats K --warmup W` are appended. */
  command: string[];
  /**
   * Least warm-up runs for this peer (the harness uses the larger of this and `--warmup`). PyTorch's
   * training step needs ~8 before it is steady when the bench process holds a large wasm heap: its
   * first steps run up to 2× slower while its allocator gets fresh pages.
   */
  warmup?: number;
  /** Why the peer cannot run here (e.g. no torch), or null when it can. Checked before running. */
  unavailable?: () => string | null;
}

/** A named benchmark workload. */
export interface Workload {
  /** Unique name, kebab-case, used by `--only`. */
  name: string;
  /** One line: what is timed (shapes, batch, mode). */
  description: string;
  /** Untimed warm-up repetitions before the timed ones (default 2; the first runs are slow). */
  warmup?: number;
  /** Build inputs and models (untimed). */
  setup(ctx: WorkloadContext): WorkloadRunner | Promise<WorkloadRunner>;
  /** Optional peer implementation for a ratio. */
  peer?: PeerSpec;
  /** Why this workload cannot run on `backend` (it is then listed as skipped), or null when it can. */
  unsupported?: (backend: BackendInfo) => string | null;
}
