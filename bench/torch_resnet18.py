#!/usr/bin/env python3
"""Reference throughput of a CIFAR ResNet-18 in PyTorch (the peer a user would pick instead).

Usage: python3 torch_resnet18.py WIDTH BATCH [STEPS] [DEVICE]
DEVICE: cpu (default; all cores) or cuda. Prints one JSON line: train and inference images per second, fp32,
and per CPU-second of this process (all its threads; on a busy machine it moves less than the wall-clock rate).
On CPU, set OMP_NUM_THREADS to the core count for a fair comparison.
(OODLab's copy of ../shared/bench/torch_resnet18.py, with the CPU-second figures added and the network in the
study's module layout.) The one PyTorch ResNet-18 of the repository: bench/fidelity/torch_steps.py and
scripts/make-pytorch-fixture.py import it from here. It stays standalone (bench/gpu-kit/build.ts copies it alone).
"""
import json, sys, time
import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.shortcut = nn.Sequential()
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        return F.relu(self.bn2(self.conv2(y)) + self.shortcut(x))


class ResNet18(nn.Module):
    """kuangliu/pytorch-cifar's ResNet-18 layout, the one the seed study trains (names match OODLab's: conv1, bn1,
    layerK.B.conv1, shortcut.0/1, linear). Modules are created in that order, so a seeded initialisation is fixed."""

    def __init__(self, width=64, classes=100):
        super().__init__()
        w = width
        self.conv1 = nn.Conv2d(3, w, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(w)
        cin = w
        for i, c in enumerate([w, 2 * w, 4 * w, 8 * w]):
            blocks = []
            for j in range(2):
                blocks.append(Block(cin, c, 2 if (i > 0 and j == 0) else 1))
                cin = c
            setattr(self, f"layer{i + 1}", nn.Sequential(*blocks))
        self.linear = nn.Linear(cin, classes)

    def forward(self, x):
        h = F.relu(self.bn1(self.conv1(x)))
        for i in range(4):
            h = getattr(self, f"layer{i + 1}")(h)
        return self.linear(F.adaptive_avg_pool2d(h, 1).flatten(1))


def main():
    width, batch = int(sys.argv[1]), int(sys.argv[2])
    steps = int(sys.argv[3]) if len(sys.argv) > 3 else 4
    dev = torch.device(sys.argv[4] if len(sys.argv) > 4 else 'cpu')
    sync = torch.cuda.synchronize if dev.type == 'cuda' else (lambda: None)
    torch.manual_seed(0)
    net = ResNet18(width).to(dev)
    params = sum(p.numel() for p in net.parameters())
    opt = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9, weight_decay=5e-4)
    x = torch.randn(batch, 3, 32, 32, device=dev)
    y = torch.randint(0, 100, (batch,), device=dev)
    net.train()
    times, cpu = [], []
    for i in range(steps + 1):
        t0 = time.perf_counter()
        c0 = time.process_time()
        opt.zero_grad()
        loss = F.cross_entropy(net(x), y)
        loss.backward()
        opt.step()
        sync()
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    train = sorted(times[1:])[len(times[1:]) // 2]
    train_cpu = sum(cpu[1:]) / len(cpu[1:])
    net.eval()
    itimes, icpu = [], []
    with torch.no_grad():
        for i in range(steps + 1):
            t0 = time.perf_counter()
            c0 = time.process_time()
            net(x)
            sync()
            itimes.append(time.perf_counter() - t0)
            icpu.append(time.process_time() - c0)
    infer = sorted(itimes[1:])[len(itimes[1:]) // 2]
    infer_cpu = sum(icpu[1:]) / len(icpu[1:])
    print(json.dumps({"framework": "pytorch-" + torch.__version__, "device": str(dev), "threads": torch.get_num_threads(),
                      "width": width, "batch": batch, "params": params,
                      "trainImgPerSec": round(batch / train, 2), "inferImgPerSec": round(batch / infer, 2),
                      "trainImgPerCpuSec": round(batch / train_cpu, 2), "inferImgPerCpuSec": round(batch / infer_cpu, 2)}))


if __name__ == "__main__":
    main()
