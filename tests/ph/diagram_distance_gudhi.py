#!/usr/bin/python3
"""Reference diagram distances from GUDHI: exact bottleneck (gudhi.bottleneck_distance, e=0) and
Hera's Wasserstein (gudhi.hera.wasserstein_distance, internal_p=inf, relative error delta=1e-10).

  diagram_distance_gudhi.py generate OUT   writes tests/data/diagram_distance_gudhi.txt

Format, one block per pair of diagrams:
  case <name> sizes <n> <m>
  <birth> <death>             n lines of the first diagram, then m lines of the second ('inf' = essential)
  bottleneck <d>
  wasserstein <p> <d>         one line per order p
"""
import sys

import numpy as np
import gudhi
import gudhi.hera

ORDERS = (1.0, 2.0, 3.5)


def random_diagram(rng, n, essential, grid):
    births = rng.uniform(0, 1, n)
    deaths = births + rng.exponential(0.3, n)
    pts = np.stack([births, deaths], axis=1)
    if grid:
        pts = np.round(pts / grid) * grid
    pts[:, 1] = np.maximum(pts[:, 1], pts[:, 0])
    ess = np.stack([np.round(rng.uniform(0, 1, essential) / 0.1) * 0.1, np.full(essential, np.inf)], axis=1)
    return np.concatenate([pts, ess]) if essential else pts


def fmt(x):
    return "inf" if x == float("inf") else repr(float(x))


def generate(path):
    rng = np.random.default_rng(1123)
    cases = []
    for k in range(24):
        n, m = (int(x) for x in rng.integers(0, 30, 2))
        grid = 0.05 if k % 3 == 0 else 0.0  # ties and points on the diagonal
        ea = int(rng.integers(0, 3)) if k % 4 == 1 else 0
        eb = ea if k % 8 != 5 else ea + 1  # different essential counts give +inf
        cases.append((f"random{k}", random_diagram(rng, n, ea, grid), random_diagram(rng, m, eb, grid)))
    cases.append(("empty", np.zeros((0, 2)), np.zeros((0, 2))))
    cases.append(("one_empty", random_diagram(rng, 5, 0, 0.0), np.zeros((0, 2))))
    cases.append(("large", random_diagram(rng, 150, 0, 0.0), random_diagram(rng, 180, 0, 0.0)))
    cases.append(("large_ties", random_diagram(rng, 170, 3, 0.02), random_diagram(rng, 140, 3, 0.02)))
    with open(path, "w") as out:
        out.write(f"# GUDHI {gudhi.__version__}: bottleneck_distance(e=0), hera.wasserstein_distance(internal_p=inf, "
                  f"delta=1e-10); made by tests/ph/diagram_distance_gudhi.py generate\n")
        for name, a, b in cases:
            out.write(f"case {name} sizes {len(a)} {len(b)}\n")
            for x in list(a) + list(b):
                out.write(f"{fmt(x[0])} {fmt(x[1])}\n")
            out.write(f"bottleneck {fmt(gudhi.bottleneck_distance(a, b, e=0))}\n")
            for p in ORDERS:
                w = gudhi.hera.wasserstein_distance(a, b, order=p, internal_p=float("inf"), delta=1e-10)
                out.write(f"wasserstein {p!r} {fmt(w)}\n")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "generate":
        generate(sys.argv[2])
    else:
        sys.exit(__doc__)
