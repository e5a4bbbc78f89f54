#!/usr/bin/env python3
"""Writes the PyTorch test fixtures of `oodlab import-model ... --arch resnet18-cifar` (test/fixtures/pytorch/).

A width-4 CIFAR ResNet-18 in the layout of the study's code (kuangliu/pytorch-cifar: conv1, bn1, layerK.B.conv1,
shortcut.0/1, linear), given random weights and random BN running statistics, saved by torch.save as a state_dict:
  resnet18_w4.pth              the plain state_dict (PyTorch's zip + pickle format)
  resnet18_w4_module.pth       the same under DataParallel's `module.` prefix, with torchvision-style names
                               (downsample.0/1, fc) so both key layouts are exercised
  resnet18_w4.safetensors      the same tensors in the safetensors format (written here: header + raw bytes)
  resnet18_w4.onnx             the same network through torch.onnx.export (opset 13, dynamic batch), as a user
                               following the README would export it
  input.npy                    a fixed batch (2, 3, 32, 32) of normalised images, float32
  logits.npy                   the logits PyTorch computes for it in eval mode, float32
Run: python3 scripts/make-pytorch-fixture.py   (needs python3-torch and python3-numpy)
"""
import json
import os
import struct
import sys
from collections import OrderedDict

import numpy as np
import torch
import torch.nn as nn

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'bench'))
from torch_resnet18 import ResNet18  # noqa: E402  the study's layout (kuangliu/pytorch-cifar)

OUT = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'pytorch')


def safetensors_bytes(sd):
    header = {}
    blobs = []
    offset = 0
    for k, v in sd.items():
        a = v.detach().cpu().contiguous().numpy()
        dtype = {np.float32: 'F32', np.int64: 'I64'}[a.dtype.type]
        b = a.tobytes()
        header[k] = {'dtype': dtype, 'shape': list(a.shape), 'data_offsets': [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    h = json.dumps(header, separators=(',', ':')).encode()
    h += b' ' * ((8 - len(h) % 8) % 8)
    return struct.pack('<Q', len(h)) + h + b''.join(blobs)


def main():
    torch.manual_seed(0)
    net = ResNet18(width=4, classes=100)
    with torch.no_grad():
        for m in net.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.2, 0.2)
                m.running_mean.uniform_(-0.3, 0.3)
                m.running_var.uniform_(0.5, 2.0)
                m.num_batches_tracked.fill_(7)
    net.eval()
    x = torch.randn(2, 3, 32, 32)
    with torch.no_grad():
        logits = net(x)
    os.makedirs(OUT, exist_ok=True)
    sd = net.state_dict()
    torch.save(sd, os.path.join(OUT, 'resnet18_w4.pth'))
    renamed = OrderedDict()
    for k, v in sd.items():
        k = k.replace('shortcut.', 'downsample.').replace('linear.', 'fc.')
        renamed['module.' + k] = v
    torch.save(renamed, os.path.join(OUT, 'resnet18_w4_module.pth'))
    with open(os.path.join(OUT, 'resnet18_w4.safetensors'), 'wb') as f:
        f.write(safetensors_bytes(sd))
    torch.onnx.export(net, x, os.path.join(OUT, 'resnet18_w4.onnx'), input_names=['input'],
                      output_names=['logits'], dynamic_axes={'input': {0: 'batch'}, 'logits': {0: 'batch'}},
                      opset_version=13)
    np.save(os.path.join(OUT, 'input.npy'), x.numpy().astype(np.float32))
    np.save(os.path.join(OUT, 'logits.npy'), logits.numpy().astype(np.float32))
    print('torch', torch.__version__, 'logits[0,:4]', logits[0, :4].tolist())


if __name__ == '__main__':
    main()
