"""PyTorch peer of bench/models/small_resnet.ts: the identical residual CNN, timed on CPU.

Usage: /usr/bin/python3 bench/peers/small_resnet.py --mode train|forward [--repeats K] [--warmup W]
       [--threads T] [--batch B]
Prints one JSON line {"ms": median, "cpu_ms": median process CPU time, "mode", "threads", "torch",
"repeats", "all_ms"} to stdout.
Model: stem conv3x3->16+BN+ReLU; 4 stages (16,32,64,128): conv3x3+BN+ReLU, conv3x3+BN, + shortcut
(identity or 1x1 conv), ReLU; max-pool 2 between stages; global average pool; dense 10.
BN with eps 1e-3 and momentum 0.01 (= Keras momentum 0.99). train: forward, softmax cross-entropy,
backward, SGD step (lr 0.01). forward: eval mode (moving statistics) under torch.no_grad().
"""
import argparse
import json
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class ConvBn(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, 3, padding=1, bias=False)
        self.bn = nn.BatchNorm2d(cout, eps=1e-3, momentum=0.01)

    def forward(self, x):
        return self.bn(self.conv(x))


class Stage(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.a = ConvBn(cin, cout)
        self.b = ConvBn(cout, cout)
        self.proj = None if cin == cout else nn.Conv2d(cin, cout, 1, bias=False)

    def forward(self, x):
        h = F.relu(self.a(x))
        h = self.b(h)
        return F.relu(h + (x if self.proj is None else self.proj(x)))


class SmallResNet(nn.Module):
    def __init__(self, channels=(16, 32, 64, 128), classes=10):
        super().__init__()
        self.stem = ConvBn(3, channels[0])
        stages, cin = [], channels[0]
        for c in channels:
            stages.append(Stage(cin, c))
            cin = c
        self.stages = nn.ModuleList(stages)
        self.fc = nn.Linear(cin, classes)

    def forward(self, x):
        h = F.relu(self.stem(x))
        for i, s in enumerate(self.stages):
            if i > 0:
                h = F.max_pool2d(h, 2)
            h = s(h)
        return self.fc(h.mean(dim=(2, 3)))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--mode", choices=["train", "forward"], required=True)
    p.add_argument("--repeats", type=int, default=7)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--batch", type=int, default=32)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    model = SmallResNet()
    x = torch.randn(a.batch, 3, 64, 64)
    y = torch.randint(0, 10, (a.batch,))
    opt = torch.optim.SGD(model.parameters(), lr=0.01)

    def train_step():
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss.item()

    def forward():
        with torch.no_grad():
            return model(x).sum().item()

    if a.mode == "train":
        model.train()
        fn = train_step
    else:
        model.eval()
        fn = forward
    for _ in range(a.warmup):
        fn()
    times, cpu = [], []
    for _ in range(a.repeats):
        c0, t0 = time.process_time(), time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    print(json.dumps({"ms": statistics.median(times), "cpu_ms": round(statistics.median(cpu), 1), "mode": a.mode, "threads": torch.get_num_threads(),
                      "torch": torch.__version__, "repeats": a.repeats, "all_ms": [round(t, 2) for t in times]}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
