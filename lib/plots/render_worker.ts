/**
 * Worker-thread side of `SyncPngRenderer` (lib/plots/sync_render.ts). Runs in its own thread so the
 * notebook kernel's main thread can block (Atomics.wait) on a render while this thread's event loop
 * drives playwright. Protocol: requests `{id, fig, width, height, scale}` arrive on `workerData.port`;
 * each reply `{id, ok, png?|error?}` is posted back on the same port, then `flag[0] = id` is stored and
 * notified. Not meant to be imported by anything else.
 */
import { workerData, type MessagePort } from "worker_threads";
import { PlotlyRenderer } from "./render";
import type { Figure } from "./figure";

interface Request { id: number; fig?: Figure; close?: boolean; width?: number; height?: number; scale?: number }
interface Init { port: MessagePort; flag: Int32Array; chromium: string | null }

const { port, flag, chromium } = workerData as Init;
// Start the browser at once, so it loads while the notebook computes.
const ready: Promise<PlotlyRenderer> = PlotlyRenderer.launch(chromium);
ready.catch(() => undefined); // reported on the first request

port.on("message", (req: Request) => {
  void (async () => {
    let reply: { id: number; ok: boolean; png?: Uint8Array; error?: string };
    try {
      const r = await ready;
      if (req.close) {
        await r.close();
        reply = { id: req.id, ok: true };
      } else {
        const png = await r.render(req.fig as Figure, { format: "png", width: req.width, height: req.height, scale: req.scale });
        reply = { id: req.id, ok: true, png: new Uint8Array(png) };
      }
    } catch (e) {
      reply = { id: req.id, ok: false, error: (e as Error).message };
    }
    port.postMessage(reply);
    Atomics.store(flag, 0, req.id);
    Atomics.notify(flag, 0);
  })();
});
