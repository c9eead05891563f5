#!/usr/bin/python3
"""The Topological Autoencoders' measures (src/evaluation/measures_optimized.py of the paper's
code, restated with NumPy only) for the cross-check in quality_metrics_test.cpp.
Usage: paper_measures.py X.npy Z.npy k_min k_max k_step  -> JSON on stdout."""
import json
import sys

import numpy as np


def pdist_square(a):
    return np.sqrt(((a[:, None, :] - a[None, :, :]) ** 2).sum(-1))


def neighbours_and_ranks(d, k):
    indices = np.argsort(d, axis=-1, kind="stable")
    return indices[:, 1:k + 1], indices.argsort(axis=-1, kind="stable")


def main():
    x = np.load(sys.argv[1]).astype(np.float64)
    z = np.load(sys.argv[2]).astype(np.float64)
    k_min, k_max, k_step = (int(v) for v in sys.argv[3:6])
    dx, dz = pdist_square(x), pdist_square(z)
    n = x.shape[0]
    nx, rx = neighbours_and_ranks(dx, k_max)
    nz, rz = neighbours_and_ranks(dz, k_max)
    out = {"trust": [], "cont": [], "mrre_zx": [], "mrre_xz": [], "kl": {}}
    for k in range(k_min, k_max + 1, k_step):
        def trust(x_nb, x_r, z_nb):
            result = 0.0
            for row in range(n):
                for nb in np.setdiff1d(z_nb[row, :k], x_nb[row, :k]):
                    result += x_r[row, nb] - k
            return 1 - 2 / (n * k * (2 * n - 3 * k - 1)) * result

        out["trust"].append(trust(nx, rx, nz))
        out["cont"].append(trust(nz, rz, nx))
        zx = sum(abs(rx[r, j] - rz[r, j]) / rz[r, j] for r in range(n) for j in nz[r, :k])
        xz = sum(abs(rx[r, j] - rz[r, j]) / rx[r, j] for r in range(n) for j in nx[r, :k])
        c = n * sum(abs(2 * j - n - 1) / j for j in range(1, k + 1))
        out["mrre_zx"].append(zx / c)
        out["mrre_xz"].append(xz / c)
    for sigma in [0.001, 0.01, 0.1, 1.0, 10.0]:
        a, b = dx / dx.max(), dz / dz.max()
        fx = np.exp(-(a ** 2) / sigma).sum(-1)
        fz = np.exp(-(b ** 2) / sigma).sum(-1)
        fx, fz = fx / fx.sum(), fz / fz.sum()
        out["kl"][repr(sigma)] = float((fx * (np.log(fx) - np.log(fz))).sum())
    out["rmse"] = float(np.sqrt(((dx - dz) ** 2).sum() / n ** 2))
    out["stress"] = float(np.sqrt(((dx - dz) ** 2).sum() / (dz ** 2).sum()))
    print(json.dumps(out))


if __name__ == "__main__":
    main()
