#!/usr/bin/env python3
"""PyTorch given exactly OODLab's `quick` recipe, on the images of a CIFAR-100 binary archive (the same file OODLab
imports): ResNet-18 (width 8; bench/fidelity/torch_steps.py's network), 16 epochs of 5,000 images drawn afresh each
epoch, batch 64, SGD lr 0.1 Nesterov momentum 0.9 weight decay 5e-4 on every parameter, one warm-up epoch (linear per
step) then cosine per step, RandomCrop(32, 4) + horizontal flip, CIFAR-100 normalisation, Kaiming-normal (fan_out)
convolutions, BN momentum 0.1 eps 1e-5. Prints one JSON line (test accuracy on the whole test set, train accuracy in
eval mode, test accuracy per epoch) and writes the final network's features in OODLab's .npy layout, so that
`oodlab evaluate --features DIR` scores the same detectors on them.

Usage: OMP_NUM_THREADS=2 python3 torch_quick.py ARCHIVE.tar.gz SEED OUT_DIR [EPOCHS=16] [SAMPLES=5000] [WIDTH=8]
"""
import json
import math
import os
import sys
import tarfile
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_steps import MEAN, STD, ResNet18  # noqa: E402


def read_split(archive, name):
    with tarfile.open(archive) as tar:
        member = next(m for m in tar.getmembers() if m.name.endswith("/" + name))
        raw = np.frombuffer(tar.extractfile(member).read(), dtype=np.uint8).reshape(-1, 3074)
    return raw[:, 2:].reshape(-1, 3, 32, 32).copy(), raw[:, 1].astype(np.int64)


def normalise(u8):
    x = torch.from_numpy(u8).float() / 255.0
    return (x - torch.tensor(MEAN).view(1, 3, 1, 1)) / torch.tensor(STD).view(1, 3, 1, 1)


def augment(u8, gen):
    x = torch.from_numpy(u8).float() / 255.0
    padded = F.pad(x, (4, 4, 4, 4))
    out = torch.empty_like(x)
    tops = torch.randint(0, 9, (x.shape[0],), generator=gen)
    lefts = torch.randint(0, 9, (x.shape[0],), generator=gen)
    flips = torch.rand(x.shape[0], generator=gen) < 0.5
    for k in range(x.shape[0]):
        crop = padded[k, :, tops[k]:tops[k] + 32, lefts[k]:lefts[k] + 32]
        out[k] = torch.flip(crop, [2]) if flips[k] else crop
    return (out - torch.tensor(MEAN).view(1, 3, 1, 1)) / torch.tensor(STD).view(1, 3, 1, 1)


@torch.no_grad()
def forward_all(net, u8, batch=500):
    net.eval()
    feats, logits = [], []
    for s in range(0, u8.shape[0], batch):
        x = normalise(u8[s:s + batch])
        h = F.relu(net.bn1(net.conv1(x)))
        for i in range(4):
            h = getattr(net, f"layer{i + 1}")(h)
        f = F.adaptive_avg_pool2d(h, 1).flatten(1)
        feats.append(f)
        logits.append(net.linear(f))
    return torch.cat(feats).numpy(), torch.cat(logits).numpy()


def main():
    archive, seed, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    epochs = int(sys.argv[4]) if len(sys.argv) > 4 else 16
    samples = int(sys.argv[5]) if len(sys.argv) > 5 else 5000
    width = int(sys.argv[6]) if len(sys.argv) > 6 else 8
    batch, lr, classes = 64, 0.1, 100
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    xtr, ytr = read_split(archive, "train.bin")
    xte, yte = read_split(archive, "test.bin")
    net = ResNet18(width, classes)
    for m in net.modules():
        if isinstance(m, nn.Conv2d):
            nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
    opt = torch.optim.SGD(net.parameters(), lr=lr, momentum=0.9, nesterov=True, weight_decay=5e-4)
    steps = samples // batch
    per_epoch = []
    t0 = time.time()
    test_sub = torch.randperm(xte.shape[0], generator=gen)[:2000].numpy()
    for e in range(epochs):
        net.train()
        order = torch.randperm(xtr.shape[0], generator=gen)[:samples].numpy()
        for b in range(steps):
            step = e * steps + b
            t = step / steps
            cur = lr * (step + 1) / steps if t < 1 else lr * (1 + math.cos(math.pi * min(1.0, (t - 1) / (epochs - 1)))) / 2
            for g in opt.param_groups:
                g["lr"] = cur
            idx = order[b * batch:(b + 1) * batch]
            x = augment(xtr[idx], gen)
            loss = F.cross_entropy(net(x), torch.from_numpy(ytr[idx]))
            opt.zero_grad()
            loss.backward()
            opt.step()
        _, lg = forward_all(net, xte[test_sub])
        per_epoch.append(float((lg.argmax(1) == yte[test_sub]).mean()))
    ftr, ltr = forward_all(net, xtr)
    fte, lte = forward_all(net, xte)
    os.makedirs(out, exist_ok=True)
    np.save(f"{out}/fc_weight.npy", net.linear.weight.detach().numpy())
    np.save(f"{out}/fc_bias.npy", net.linear.bias.detach().numpy())
    np.save(f"{out}/id_train_features.npy", ftr)
    np.save(f"{out}/id_train_labels.npy", ytr.astype(np.int64))
    np.save(f"{out}/id_test_features.npy", fte)
    np.save(f"{out}/id_test_labels.npy", yte.astype(np.int64))
    print(json.dumps({"framework": "pytorch-" + torch.__version__, "seed": seed, "testAcc": float((lte.argmax(1) == yte).mean()),
                      "trainAccEval": float((ltr.argmax(1) == ytr).mean()), "testAccPerEpoch": per_epoch,
                      "seconds": round(time.time() - t0, 1)}))


if __name__ == "__main__":
    main()
