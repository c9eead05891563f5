#!/usr/bin/python3
"""topoembed ph against Debian's ripser binary (Ripser 1.2.1), end to end on the same files:
reading the file, distances, persistence, printing. Median wall time of --repeat runs and peak
resident memory (GNU time). Usage:
    /usr/bin/python3 bench/compare_ripser.py [--topoembed build/bench-core/bin/topoembed] [--repeat 3]
Prints a Markdown table for docs/benchmarks.md."""
import argparse, os, statistics, subprocess, tempfile, platform
import numpy as np


def spheres_subsample(n, seed=0):
    # The Spheres data of the TopoAE paper (np.random.seed(42) recipe), a random subsample.
    np.random.seed(42)
    shift = np.random.normal(0, 1.0, [11, 101])
    parts = []
    for i in range(10):
        x = np.random.randn(500, 101)
        parts.append(x / np.linalg.norm(x, axis=1, keepdims=True) * 5 + shift[i])
    x = np.random.randn(5000, 101)
    parts.append(x / np.linalg.norm(x, axis=1, keepdims=True) * 25)
    data = np.concatenate(parts)
    return data[np.random.default_rng(seed).choice(len(data), n, replace=False)]


def datasets():
    rng = np.random.default_rng(0)
    t = rng.uniform(0, 2 * np.pi, (1000, 2))
    torus = np.stack([(2 + np.cos(t[:, 1])) * np.cos(t[:, 0]), (2 + np.cos(t[:, 1])) * np.sin(t[:, 0]), np.sin(t[:, 1])], 1)
    s = rng.normal(size=(300, 3))
    sphere = s / np.linalg.norm(s, axis=1, keepdims=True)
    return [("cube R^3, n=1000", rng.uniform(size=(1000, 3)), 1),
            ("cube R^3, n=2000", rng.uniform(size=(2000, 3)), 1),
            ("torus R^3, n=1000", torus, 1),
            ("2-sphere R^3, n=300", sphere, 2),
            ("Spheres R^101, n=200", spheres_subsample(200), 2)]


def measure(cmd, repeat):
    times, mem = [], 0
    for _ in range(repeat):
        out = subprocess.run(["/usr/bin/time", "-f", "%e %M"] + cmd, stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, text=True, check=True)
        e, m = out.stderr.strip().splitlines()[-1].split()
        times.append(float(e)); mem = max(mem, int(m))
    return statistics.median(times), mem / 1024


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--topoembed", default="build/bench-core/bin/topoembed")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores; repeat {args.repeat}, median wall time\n")
    print("| data | dim | ripser s | topoembed 1 thr s | ratio | topoembed 2 thr s | ratio | ripser MiB | topoembed MiB | ratio |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for name, x, dim in datasets():
            path = os.path.join(tmp, "cloud.txt")
            np.savetxt(path, x, fmt="%.9g", delimiter=",")
            r_t, r_m = measure(["ripser", "--format", "point-cloud", "--dim", str(dim), path], args.repeat)
            o1_t, o1_m = measure([args.topoembed, "ph", path, "--dim", str(dim), "--threads", "1"], args.repeat)
            o2_t, _ = measure([args.topoembed, "ph", path, "--dim", str(dim), "--threads", "2"], args.repeat)
            print(f"| {name} | {dim} | {r_t:.2f} | {o1_t:.2f} | {o1_t / r_t:.2f} | {o2_t:.2f} | {o2_t / r_t:.2f} | "
                  f"{r_m:.0f} | {o1_m:.0f} | {o1_m / r_m:.2f} |")


if __name__ == "__main__":
    main()
