#!/usr/bin/env python3
"""Real images for the training-fidelity comparison: Debian's dataset-fashion-mnist (Zalando's Fashion-MNIST, 10
classes of product photographs, 60,000 train / 10,000 test, 28x28 grey) written as a CIFAR-100 binary archive that
`oodlab download cifar100 --from FILE --no-verify` imports: each image padded to 32x32 with its black background,
grey copied to R, G and B, fine label = the Fashion-MNIST class (0..9), coarse label 0; the first 50,000
training images (CIFAR-100's count).

Usage: python3 fashion_mnist_cifar.py OUT.tar.gz [SOURCE_DIR=/usr/share/datasets/fashion-mnist]
"""
import gzip
import io
import os
import sys
import tarfile

import numpy as np


def idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def records(images, labels):
    n = images.shape[0]
    padded = np.zeros((n, 32, 32), dtype=np.uint8)
    padded[:, 2:30, 2:30] = images
    out = np.zeros((n, 3074), dtype=np.uint8)
    out[:, 1] = labels
    planes = padded.reshape(n, 1024)
    out[:, 2:1026] = planes
    out[:, 1026:2050] = planes
    out[:, 2050:3074] = planes
    return out.tobytes()


def main():
    out = sys.argv[1]
    src = sys.argv[2] if len(sys.argv) > 2 else "/usr/share/datasets/fashion-mnist"
    parts = {
        # CIFAR-100 has 50,000 training images and the importer checks the count: the first 50,000 of 60,000
        "train.bin": records(idx(f"{src}/train-images-idx3-ubyte.gz")[:50000], idx(f"{src}/train-labels-idx1-ubyte.gz")[:50000]),
        "test.bin": records(idx(f"{src}/t10k-images-idx3-ubyte.gz"), idx(f"{src}/t10k-labels-idx1-ubyte.gz")),
    }
    with tarfile.open(out, "w:gz") as tar:
        for name, data in parts.items():
            info = tarfile.TarInfo("cifar-100-binary/" + name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    print(f"wrote {out}: {len(parts['train.bin']) // 3074} train, {len(parts['test.bin']) // 3074} test images")


if __name__ == "__main__":
    main()
