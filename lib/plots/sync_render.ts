import * as path from "path";
import { Worker, MessageChannel, receiveMessageOnPort, type MessagePort } from "worker_threads";
import type { Figure } from "./figure";
import { findChromium } from "./render";
import { projectRoot } from "../util/paths";

/**
 * Synchronous PNG rendering for `show()` inside a notebook kernel.
 *
 * Why synchronous: notebooks call `show(fig, name)` without `await`; output written after a cell has
 * finished would land in the wrong cell (or nowhere, after the last one). So `show` blocks until the
 * PNG is back. The browser lives in a worker thread (lib/plots/render_worker.ts) whose event loop
 * runs playwright while the kernel's main thread waits on `Atomics.wait`.
 *
 * Lifetime: one worker + one Chromium per process, started lazily (or early via `warm()`), and
 * `unref()`ed, so they never keep a kernel or a CLI process alive. Chromium is driven over a pipe
 * and exits when its parent process does.
 */
export class SyncPngRenderer {
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly flag = new Int32Array(new SharedArrayBuffer(4));
  private seq = 0;
  private failed: string | null = null;
  private closed = false;

  /** Start the worker (which immediately launches Chromium and loads plotly.js). */
  constructor(chromium: string | null = findChromium()) {
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    // The TypeScript source, also when this file runs compiled from dist/.
    const entry = path.join(projectRoot(), "lib", "plots", "render_worker.ts");
    // The worker is TypeScript: register ts-node (transpile only, no tsconfig lookup) inside the
    // worker thread. A start-up failure is answered on the port, because the main thread may be
    // blocked in Atomics.wait and would never see the worker's 'error' event.
    const boot = `
      const w = require("worker_threads");
      try {
        require(w.workerData.tsnode).register({ transpileOnly: true, skipProject: true,
          compilerOptions: { module: "commonjs", target: "es2022", esModuleInterop: true } });
        require(w.workerData.entry);
      } catch (e) {
        const msg = "render worker failed to start: " + (e && e.message ? e.message : String(e));
        w.workerData.port.on("message", (req) => {
          w.workerData.port.postMessage({ id: req.id, ok: false, error: msg });
          Atomics.store(w.workerData.flag, 0, req.id);
          Atomics.notify(w.workerData.flag, 0);
        });
      }`;
    this.worker = new Worker(boot, {
      eval: true,
      workerData: { port: port2, flag: this.flag, chromium, entry, tsnode: require.resolve("ts-node") },
      transferList: [port2],
      stdout: false,
      stderr: false,
    });
    this.worker.on("error", (e) => { this.failed = `render worker crashed: ${(e as Error).message}`; });
    this.worker.on("exit", (code) => { this.failed = this.failed ?? `render worker exited (code ${code})`; });
    this.worker.unref();
    this.port.unref();
  }

  /**
   * Render `fig` to PNG, blocking the calling thread up to `timeoutMs` (default 60 s, which covers
   * the first call's Chromium start + plotly.js load of ≈5 s on 2 cores).
   * @throws with the worker's error message, or on timeout.
   */
  renderPng(fig: Figure, opts: { width?: number; height?: number; scale?: number; timeoutMs?: number } = {}): Buffer {
    if (this.failed) throw new Error(`SyncPngRenderer: ${this.failed}`);
    const id = ++this.seq;
    this.port.postMessage({ id, fig: JSON.parse(JSON.stringify(fig)), width: opts.width, height: opts.height, scale: opts.scale });
    const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
    for (;;) {
      // Drain replies; an earlier timed-out request may answer late, so match ids.
      for (let m = receiveMessageOnPort(this.port); m; m = receiveMessageOnPort(this.port)) {
        const r = m.message as { id: number; ok: boolean; png?: Uint8Array; error?: string };
        if (r.id !== id) continue;
        if (!r.ok) throw new Error(`SyncPngRenderer: ${r.error}`);
        return Buffer.from(r.png as Uint8Array);
      }
      if (this.failed) throw new Error(`SyncPngRenderer: ${this.failed}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`SyncPngRenderer: no PNG after ${opts.timeoutMs ?? 60_000} ms`);
      const seen = Atomics.load(this.flag, 0);
      if (seen < id) Atomics.wait(this.flag, 0, seen, Math.min(left, 1000));
    }
  }

  /** Close Chromium (waiting up to 10 s for it) and stop the worker. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (!this.failed) {
      const id = ++this.seq;
      this.port.postMessage({ id, close: true });
      const deadline = Date.now() + 10_000;
      while (Atomics.load(this.flag, 0) < id && Date.now() < deadline && !this.failed) Atomics.wait(this.flag, 0, Atomics.load(this.flag, 0), 200);
    }
    void this.worker.terminate();
    this.port.close();
  }
}
