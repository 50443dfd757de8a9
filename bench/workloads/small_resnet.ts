/**
 * Issue 2 item 9: one training step (forward, backward, SGD update) and one inference forward pass of
 * the 4-stage residual CNN (bench/models/small_resnet.ts), batch 32, 64×64×3, 10 classes, with the
 * identical PyTorch model (bench/peers/small_resnet.py, 2 threads) as peer.
 */
import * as fs from "fs";
import { spawnSync } from "child_process";
import * as tf from "@tensorflow/tfjs";
import { Workload, WorkloadRunner, PeerSpec } from "../workload";
import { buildSmallResNet, smallResNetLogits, smallResNetTrainStep } from "../models/small_resnet";

const BATCH = 32;
const PYTHON = "/usr/bin/python3";

/** Why PyTorch cannot be used as a peer here, or null. */
export function torchUnavailable(): string | null {
  if (!fs.existsSync(PYTHON)) return `${PYTHON} not found`;
  const r = spawnSync(PYTHON, ["-c", "import torch"], { encoding: "utf8", timeout: 60_000 });
  return r.status === 0 ? null : `${PYTHON} cannot import torch (install Debian python3-torch)`;
}

function peer(mode: "train" | "forward"): PeerSpec {
  return {
    name: "pytorch-cpu-2threads",
    command: [PYTHON, "bench/peers/small_resnet.py", "--mode", mode, "--threads", "2", "--batch", String(BATCH)],
    unavailable: torchUnavailable,
    warmup: 8,
  };
}

function inputs(): { x: tf.Tensor4D; y: tf.Tensor2D } {
  return tf.tidy(() => ({
    x: tf.randomNormal([BATCH, 64, 64, 3], 0, 1, "float32", 1) as tf.Tensor4D,
    y: tf.oneHot(tf.randomUniform([BATCH], 0, 10, "int32", 2) as tf.Tensor1D, 10) as tf.Tensor2D,
  }));
}

/** The two workloads of this module. */
export const workloads: Workload[] = [
  {
    name: "small-resnet-train-step",
    description: `one SGD training step (forward with batch-stat BN, softmax CE, backward, update) of the 4-stage residual CNN, batch ${BATCH}, 64x64x3`,
    setup(): WorkloadRunner {
      const m = buildSmallResNet(0);
      const opt = tf.train.sgd(0.01);
      const { x, y } = inputs();
      return {
        run() { const loss = smallResNetTrainStep(m, opt, x, y); loss.dataSync(); loss.dispose(); },
        dispose() { opt.dispose(); tf.dispose([x, y, ...m.all]); },
      };
    },
    peer: peer("train"),
  },
  {
    name: "small-resnet-forward",
    description: `inference forward pass (moving-stat BN) of the 4-stage residual CNN, batch ${BATCH}, 64x64x3`,
    setup(): WorkloadRunner {
      const m = buildSmallResNet(0);
      const { x, y } = inputs();
      return {
        run() { const out = tf.tidy(() => smallResNetLogits(m, x, false)); out.dataSync(); out.dispose(); },
        dispose() { tf.dispose([x, y, ...m.all]); },
      };
    },
    peer: peer("forward"),
  },
];
