#!/usr/bin/env python3
"""The PyTorch side of OODLab's fidelity harness: train a fidelity case (written by bench/fidelity/run.ts, see
test/helpers/fidelity.ts) with PyTorch's own modules, optimiser and augmentation, and write what OODLab is compared
with.

Usage: python3 torch_steps.py CASE_DIR OUT_DIR
Reads CASE_DIR/case.json, images.npy (N,32,32,3 uint8), labels.npy, draws.npy (N,3 uniforms: crop row, crop
column, flip), init/<name>.npy (OODLab's layout: conv filters HWIO). Trains the case twice, in float32 and in
float64 (the float64 run is the reference of truth: float32 PyTorch on CPU is itself 1e-2..5e-1 off it in some
gradients of a small net at initialisation). Writes OUT_DIR/torch.json (loss and learning rate of every step, both
precisions), OUT_DIR/grads[64]/<name>.npy (gradients at step 1, before weight decay) and OUT_DIR/final[64]/<name>.npy
(every tensor after the last step), converted back to OODLab's layout and stored as float32.

Everything here is written from PyTorch's definitions, not from OODLab's code: torchvision's CIFAR recipe
(RandomCrop(32, padding=4) pads the image with zeros before Normalize; then RandomHorizontalFlip), nn.BatchNorm2d
(momentum 0.1, eps 1e-5), F.cross_entropy with label_smoothing, torch.optim.SGD (weight decay on every parameter),
a linear per-step warm-up then per-step cosine decay, and gradient accumulation over micro-batches (loss scaled by
micro/batch, BN statistics per micro-batch).
"""
import json
import math
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from torch_resnet18 import ResNet18  # noqa: E402  the study's layout, names match OODLab's

MEAN = (0.5071, 0.4865, 0.4409)
STD = (0.2673, 0.2564, 0.2762)


def to_torch_layout(name, a):
    return a.transpose(3, 2, 0, 1) if a.ndim == 4 else a  # HWIO -> OIHW


def to_oodlab_layout(name, a):
    return a.transpose(2, 3, 1, 0) if a.ndim == 4 else a  # OIHW -> HWIO


def augment(u8, draws, enabled):
    """uint8 NHWC -> normalised float NCHW, with torchvision's crop and flip given by the shared uniforms."""
    x = torch.from_numpy(u8).permute(0, 3, 1, 2).float() / 255.0
    if enabled:
        padded = F.pad(x, (4, 4, 4, 4))  # zeros in pixel space, as RandomCrop(32, padding=4) on the image
        out = torch.empty_like(x)
        for k in range(x.shape[0]):
            top, left = math.floor(draws[k, 0] * 9), math.floor(draws[k, 1] * 9)
            crop = padded[k, :, top:top + 32, left:left + 32]
            out[k] = torch.flip(crop, [2]) if draws[k, 2] < 0.5 else crop
        x = out
    mean = torch.tensor(MEAN).view(1, 3, 1, 1)
    std = torch.tensor(STD).view(1, 3, 1, 1)
    return (x - mean) / std


def learning_rate(p, step):
    t = step / p["stepsPerEpoch"]
    warm = p["warmupEpochs"]
    if warm > 0 and t < warm:
        return p["lr"] * (step + 1) / (warm * p["stepsPerEpoch"])
    prog = min(1.0, (t - warm) / (p["epochs"] - warm))
    return p["lr"] * (1 + math.cos(math.pi * prog)) / 2


def train(case_dir, meta, dtype, out_dir, suffix):
    """The case's steps in one precision; gradients and final tensors go to OUT_DIR/grads<suffix>, final<suffix>."""
    p = meta["params"]
    images = np.load(os.path.join(case_dir, "images.npy"))
    labels = torch.from_numpy(np.load(os.path.join(case_dir, "labels.npy")).astype(np.int64))
    draws = np.load(os.path.join(case_dir, "draws.npy"))
    net = ResNet18(p["width"], p["classes"])
    state = net.state_dict()
    for t in meta["tensors"]:
        a = np.load(os.path.join(case_dir, "init", t["name"] + ".npy"))
        state[t["name"]].copy_(torch.from_numpy(np.ascontiguousarray(to_torch_layout(t["name"], a))))
    net = net.to(dtype)
    net.train()
    opt = torch.optim.SGD(net.parameters(), lr=p["lr"], momentum=p["momentum"], nesterov=p["nesterov"],
                          weight_decay=p["weightDecay"])
    B = p["batch"]
    micro = p.get("microBatch") or B
    losses, lrs = [], []
    for sub in ("grads", "final"):
        os.makedirs(os.path.join(out_dir, sub + suffix), exist_ok=True)
    for s in range(p["steps"]):
        lr = learning_rate(p, s)
        for g in opt.param_groups:
            g["lr"] = lr
        lrs.append(lr)
        rows = slice(s * B, (s + 1) * B)
        x = augment(images[rows], draws[rows], p["augment"]).to(dtype)
        y = labels[rows]
        opt.zero_grad()
        total = 0.0
        for start in range(0, B, micro):
            xs, ys = x[start:start + micro], y[start:start + micro]
            loss = F.cross_entropy(net(xs), ys, label_smoothing=p["labelSmoothing"]) * (xs.shape[0] / B)
            loss.backward()
            total += loss.item()
        losses.append(total)
        if s == 0:
            for name, prm in net.named_parameters():
                np.save(os.path.join(out_dir, "grads" + suffix, name + ".npy"),
                        np.ascontiguousarray(to_oodlab_layout(name, prm.grad.numpy().astype(np.float32))))
        opt.step()
    for name, t in net.state_dict().items():
        if name.endswith("num_batches_tracked"):
            continue
        np.save(os.path.join(out_dir, "final" + suffix, name + ".npy"),
                np.ascontiguousarray(to_oodlab_layout(name, t.numpy().astype(np.float32))))
    return losses, lrs


def main():
    case_dir, out_dir = sys.argv[1], sys.argv[2]
    torch.use_deterministic_algorithms(True)
    meta = json.load(open(os.path.join(case_dir, "case.json")))
    losses, lrs = train(case_dir, meta, torch.float32, out_dir, "")
    losses64, _ = train(case_dir, meta, torch.float64, out_dir, "64")
    json.dump({"framework": "pytorch-" + torch.__version__, "digest": meta["digest"], "losses": losses,
               "losses64": losses64, "lrs": lrs}, open(os.path.join(out_dir, "torch.json"), "w"))


if __name__ == "__main__":
    main()
