/**
 * Issue 4 performance: one SimCLR training step (two augmented views, encoder + projection head with
 * batch-stat BN, the paper's SimCLR loss, backward, SGD update) of Keras ResNet50 at 224×224 and of the
 * narrow ResNet-8 at 64×64 batch 32, plus the ResNet50 inference forward pass at 224×224 batch 8.
 * ResNet50 training runs at batch 2, not 8: on wasm (wasm32, 4 GiB heap) batch 2 already peaks at
 * ~3.3 GB (2 views × 2 images with every activation kept for the backward pass); batch 8 exhausts the
 * heap and never finishes (measured). The peer runs the same batch, so the ratio is like for like. Peer: the identical networks, augmentations and loss written in PyTorch
 * (bench/peers/ssl_resnet.py, CPU, 2 threads; no torchvision needed).
 * Throughput: images/s = batch × 1000 / ms (a training image counts once although it is seen in 2 views).
 */
import * as tf from "@tensorflow/tfjs";
import type { Workload, WorkloadRunner, PeerSpec } from "../workload";
import { loadEncoder } from "../../lib/models/load";
import { ProjectionHead } from "../../lib/models/head";
import { Sgd } from "../../lib/ssl/sgd";
import { trainStep, lossFor } from "../../lib/ssl/trainer";
import { resolvePretrainConfig } from "../../lib/ssl/config";
import { torchUnavailable } from "./small_resnet";

const PYTHON = "/usr/bin/python3";


function peer(mode: "train" | "forward", arch: "resnet50" | "resnet8", size: number, batch: number): PeerSpec {
  return {
    name: "pytorch-cpu-2threads",
    command: [PYTHON, "bench/peers/ssl_resnet.py", "--mode", mode, "--arch", arch, "--size", String(size), "--batch", String(batch), "--threads", "2"],
    unavailable: torchUnavailable,
    warmup: mode === "train" ? 8 : 2,
  };
}

/** A prepared SimCLR training step (also used by bench/device/simclr_gpu.ts). */
export async function simclrStep(arch: "resnet50" | "resnet8", size: number, batch: number): Promise<WorkloadRunner> {
  const cfg = resolvePretrainConfig({ method: "simclr", encoder: arch, imageSize: size, batchSize: batch, augment: { crop: "random" } });
  const encoder = await loadEncoder(arch, { seed: 1 });
  const head = new ProjectionHead({ inputDim: encoder.featureDim, sizes: cfg.projection }, 2);
  const named = new Map<string, tf.Variable>();
  for (const [n, v] of encoder.params.entries()) if (encoder.params.kind(n) === "trainable") named.set(`encoder/${n}`, v);
  for (const [n, v] of head.params.entries()) if (head.params.kind(n) === "trainable") named.set(`head/${n}`, v);
  const sgd = new Sgd(named);
  const images = tf.randomUniform([batch, size, size, 3], 0, 1, "float32", 3) as tf.Tensor4D;
  const idx = Array.from({ length: batch }, (_, i) => i);
  const loss = lossFor(cfg);
  let step = 0;
  return {
    run() {
      // A small learning rate keeps the weights sane over many repetitions; cost is independent of it.
      const l = trainStep(images, idx, step++, cfg, encoder, head, named, sgd, loss, 1e-4);
      if (!Number.isFinite(l)) throw new Error(`ssl-training bench: loss ${l}`);
    },
    dispose() { images.dispose(); sgd.dispose(); head.dispose(); encoder.dispose(); },
  };
}

/** The workloads of this module. */
export const workloads: Workload[] = [
  {
    name: "ssl-simclr-step-resnet50-224-b2",
    description: "one SimCLR training step (2 augmented views, ResNet50 + head 128/64/1024, batch-stat BN, paper loss, backward, SGD), batch 2 (batch 8 exceeds the 4 GiB wasm heap), 224x224",
    warmup: 1,
    setup: () => simclrStep("resnet50", 224, 2),
    peer: peer("train", "resnet50", 224, 2),
  },
  {
    name: "ssl-simclr-step-resnet8-64-b32",
    description: "one SimCLR training step of the narrow ResNet-8 (16..128 channels) + head, batch 32, 64x64",
    setup: () => simclrStep("resnet8", 64, 32),
    peer: peer("train", "resnet8", 64, 32),
  },
  {
    name: "ssl-resnet50-forward-224-b8",
    description: "ResNet50 inference forward (moving-stat BN, GAP -> 2048), batch 8, 224x224",
    warmup: 1,
    async setup(): Promise<WorkloadRunner> {
      const encoder = await loadEncoder("resnet50", { seed: 1 });
      const x = tf.randomUniform([8, 224, 224, 3], 0, 1, "float32", 4) as tf.Tensor4D;
      return {
        run() { const f = encoder.embed(x); f.dataSync(); f.dispose(); },
        dispose() { x.dispose(); encoder.dispose(); },
      };
    },
    peer: peer("forward", "resnet50", 224, 8),
  },
];

/**
 * Issue 12: ResNet50 SimCLR at batch 32 fits only outside wasm32's 4 GiB heap (native backend). With the
 * fused batch norm and the freeing backward pass (lib/nn/variable_grads.ts) it peaks at ~7.4 GB (PyTorch
 * ~6.3 GB; it ran out of ~19 GB before them, measured 2026-12-02). Batch 64 (~14 GB) is opt-in
 * (NANOMORPH_BENCH_R50_B64=1): one step takes minutes on 2 cores.
 */
function r50(batch: number): Workload {
  return {
    name: `ssl-simclr-step-resnet50-224-b${batch}`,
    description: `one SimCLR training step of ResNet50 + head, batch ${batch}, 224x224 (needs the native backend: wasm's 4 GiB heap cannot hold it)`,
    warmup: 1,
    setup: () => simclrStep("resnet50", 224, batch),
    peer: { ...peer("train", "resnet50", 224, batch), warmup: 1 },
    unsupported: (b) => (b.name === "wasm" || b.name === "cpu" ? `${b.name}: a wasm32 heap (4 GiB) or the plain-JS cpu backend cannot hold or run it; build the native backend (docs: native/torch_backend/README.md)` : null),
  };
}
workloads.push(r50(32));
if (process.env.NANOMORPH_BENCH_R50_B64 === "1") workloads.push(r50(64));
