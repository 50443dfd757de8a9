"""PyTorch peer of bench/workloads/ssl-training.ts: the same networks, augmentations and loss, on CPU.

Usage: /usr/bin/python3 bench/peers/ssl_resnet.py --mode train|forward --arch resnet50|resnet8
       [--size S] [--batch B] [--threads T] [--repeats K] [--warmup W]
Prints one JSON line {"ms": median, "images_per_s", "mode", "arch", "threads", "torch", "all_ms"}.

Networks (written out here, torchvision is not needed):
- resnet50 = Keras ResNet50 (include_top=False): 7x7/2 stem conv with bias after zero padding 3, BN
  eps 1.001e-5, ReLU, 3x3/2 max-pool after padding 1; bottleneck blocks [3, 4, 6, 3] (1x1 conv carries
  the stride, convs have biases), projection shortcut in each stage's first block; global average pool.
- resnet8 = lib/models/resnet_arch.ts RESNET8: 3x3/2 stem (16 ch, no bias), one basic block per stage
  (16/32/64/128, each stride 2), projection shortcuts, BN eps 1e-3.
Head (as lib/models/head.ts): Linear 128 -> ReLU -> BN -> Linear 64 -> ReLU -> BN -> Linear 1024 -> BN.
Train step (as lib/ssl/trainer.ts trainStep): two views with flip p=0.5, random square crop (side in
[0.25, 0.5)) resized back bilinearly, colour jitter p=0.8 (contrast, HSV saturation, hue), clip;
paper SimCLR loss (cross-view N x N logits, T = 0.1, CE over [S; S^T]); backward; SGD step.
Forward: eval-mode BN under torch.no_grad(), 2048-d pooled features.
"""
import argparse
import json
import resource
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class ConvBn(nn.Module):
    def __init__(self, cin, cout, k, stride, bias, eps, pad=None):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, k, stride=stride, padding=(k // 2 if pad is None else pad), bias=bias)
        self.bn = nn.BatchNorm2d(cout, eps=eps, momentum=0.01)

    def forward(self, x):
        return self.bn(self.conv(x))


class Bottleneck(nn.Module):
    def __init__(self, cin, width, stride, shortcut):
        super().__init__()
        e = 1.001e-5
        self.c1 = ConvBn(cin, width, 1, stride, True, e, pad=0)
        self.c2 = ConvBn(width, width, 3, 1, True, e)
        self.c3 = ConvBn(width, width * 4, 1, 1, True, e, pad=0)
        self.sc = ConvBn(cin, width * 4, 1, stride, True, e, pad=0) if shortcut else None

    def forward(self, x):
        h = F.relu(self.c1(x))
        h = F.relu(self.c2(h))
        h = self.c3(h)
        return F.relu(h + (self.sc(x) if self.sc is not None else x))


class Basic(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.c1 = ConvBn(cin, cout, 3, stride, False, 1e-3)
        self.c2 = ConvBn(cout, cout, 3, 1, False, 1e-3)
        self.sc = ConvBn(cin, cout, 1, stride, False, 1e-3, pad=0)

    def forward(self, x):
        return F.relu(self.c2(F.relu(self.c1(x))) + self.sc(x))


class ResNet50(nn.Module):
    feature_dim = 2048

    def __init__(self):
        super().__init__()
        self.stem = ConvBn(3, 64, 7, 2, True, 1.001e-5, pad=3)
        blocks, cin = [], 64
        for s, (w, n) in enumerate(zip([64, 128, 256, 512], [3, 4, 6, 3])):
            for b in range(n):
                blocks.append(Bottleneck(cin, w, 2 if (b == 0 and s > 0) else 1, b == 0))
                cin = w * 4
        self.blocks = nn.Sequential(*blocks)

    def forward(self, x):
        h = F.relu(self.stem(x))
        h = F.max_pool2d(h, 3, 2, padding=1)
        return self.blocks(h).mean(dim=(2, 3))


class ResNet8(nn.Module):
    feature_dim = 128

    def __init__(self):
        super().__init__()
        self.stem = ConvBn(3, 16, 3, 2, False, 1e-3)
        blocks, cin = [], 16
        for w in [16, 32, 64, 128]:
            blocks.append(Basic(cin, w, 2))
            cin = w
        self.blocks = nn.Sequential(*blocks)

    def forward(self, x):
        return self.blocks(F.relu(self.stem(x))).mean(dim=(2, 3))


class Head(nn.Module):
    def __init__(self, din, sizes=(128, 64, 1024)):
        super().__init__()
        layers, d = [], din
        for i, s in enumerate(sizes):
            layers.append(nn.Linear(d, s))
            if i < len(sizes) - 1:
                layers.append(nn.ReLU())
            layers.append(nn.BatchNorm1d(s, eps=1e-3, momentum=0.01))
            d = s
        self.net = nn.Sequential(*layers)

    def forward(self, x):
        return self.net(x)


def rgb_to_hsv(x):
    r, g, b = x[:, 0], x[:, 1], x[:, 2]
    v, _ = x.max(dim=1)
    mn, _ = x.min(dim=1)
    d = v - mn
    sd = torch.where(d > 0, d, torch.ones_like(d))
    s = torch.where(v > 0, d / torch.where(v > 0, v, torch.ones_like(v)), torch.zeros_like(v))
    h = torch.where(v == r, (g - b) / sd, torch.where(v == g, 2 + (b - r) / sd, 4 + (r - g) / sd))
    h = torch.where(d > 0, h, torch.zeros_like(h)) / 6
    return torch.stack([h - torch.floor(h), s, v], dim=1)


def hsv_to_rgb(x):
    h, s, v = x[:, 0], x[:, 1], x[:, 2]

    def chan(n):
        k = torch.remainder(h * 6 + n, 6)
        return v - v * s * torch.clamp(torch.minimum(k, 4 - k), 0, 1)

    return torch.stack([chan(5), chan(3), chan(1)], dim=1)


def augment(x, gen):
    n, _, hgt, wid = x.shape
    flip = torch.rand(n, generator=gen) < 0.5
    x = torch.where(flip[:, None, None, None], torch.flip(x, dims=[3]), x)
    side = 0.25 + 0.25 * torch.rand(n, generator=gen)
    y0 = torch.rand(n, generator=gen) * (1 - side)
    x0 = torch.rand(n, generator=gen) * (1 - side)
    theta = torch.zeros(n, 2, 3)
    theta[:, 0, 0] = side
    theta[:, 1, 1] = side
    theta[:, 0, 2] = 2 * x0 + side - 1
    theta[:, 1, 2] = 2 * y0 + side - 1
    grid = F.affine_grid(theta, list(x.shape), align_corners=True)
    x = F.grid_sample(x, grid, mode="bilinear", align_corners=True)
    jit = torch.rand(n, generator=gen) < 0.8
    c = (0.2 + 1.6 * torch.rand(n, generator=gen))[:, None, None, None]
    sat = (0.2 + 1.6 * torch.rand(n, generator=gen))[:, None, None]
    hue = (-0.2 + 0.4 * torch.rand(n, generator=gen))[:, None, None]
    mean = x.mean(dim=(2, 3), keepdim=True)
    j = torch.clamp((x - mean) * c + mean, 0, 1)
    hsv = rgb_to_hsv(j)
    h2 = hsv[:, 0] + hue
    hsv = torch.stack([h2 - torch.floor(h2), torch.clamp(hsv[:, 1] * sat, 0, 1), hsv[:, 2]], dim=1)
    j = hsv_to_rgb(hsv)
    x = torch.where(jit[:, None, None, None], j, x)
    return torch.clamp(x, 0, 1)


def simclr_loss(z1, z2, t=0.1):
    a, b = F.normalize(z1, dim=1), F.normalize(z2, dim=1)
    s = a @ b.T / t
    y = torch.arange(a.shape[0], device=a.device)
    return F.cross_entropy(torch.cat([s, s.T]), torch.cat([y, y]))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--mode", choices=["train", "forward"], required=True)
    p.add_argument("--arch", choices=["resnet50", "resnet8"], required=True)
    p.add_argument("--size", type=int, default=224)
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--warmup", type=int, default=1)
    p.add_argument("--device", default="cpu", help="cpu or cuda (augmentations stay on the CPU generator, then move)")
    a = p.parse_args()
    dev = torch.device(a.device)
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(1)
    enc = ResNet50() if a.arch == "resnet50" else ResNet8()
    x = torch.rand(a.batch, 3, a.size, a.size, generator=gen)
    if a.mode == "train":
        enc.to(dev)
        head = Head(enc.feature_dim).to(dev)
        params = list(enc.parameters()) + list(head.parameters())
        opt = torch.optim.SGD(params, lr=1e-4)
        enc.train()
        head.train()

        def once():
            v1, v2 = augment(x, gen).to(dev), augment(x, gen).to(dev)
            loss = simclr_loss(head(enc(v1)), head(enc(v2)))
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            return loss.item()
    else:
        enc.eval()

        def once():
            with torch.no_grad():
                return float(enc(x).sum())

    times = []
    for i in range(a.warmup + a.repeats):
        t0 = time.perf_counter()
        once()
        dt = (time.perf_counter() - t0) * 1000
        if i >= a.warmup:
            times.append(dt)
    ms = statistics.median(times)
    print(json.dumps({"ms": ms, "images_per_s": a.batch * 1000 / ms, "mode": a.mode, "arch": a.arch, "size": a.size,
                      "batch": a.batch, "threads": a.threads, "torch": torch.__version__, "all_ms": [round(t, 1) for t in times],
                      "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
                      "device": a.device,
                      "cuda_peak_mb": round(torch.cuda.max_memory_allocated() / 2**20) if dev.type == "cuda" else None}))


if __name__ == "__main__":
    main()
