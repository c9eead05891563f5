#!/usr/bin/python3
"""Reference persistence of filtered simplicial complexes from GUDHI's SimplexTree.

  filtered_complex_gudhi.py generate OUT   writes the golden file tests/data/filtered_complex_gudhi.txt:
                                           seeded random filtered complexes and their GUDHI diagrams
  filtered_complex_gudhi.py compute IN OUT reads complexes in the same format (without diagrams)
                                           and writes them back with GUDHI's diagrams

Format, one block per complex and modulus:
  complex <name> modulus <p> simplices <N>
  <value> <v0> <v1> ...        N lines
  diagram <K>
  <dim> <birth> <death>        K lines (death 'inf' for an essential class; zero-length bars left out)
"""
import sys

import numpy as np
import gudhi


def gudhi_diagram(simplices, values, p):
    st = gudhi.SimplexTree()
    for s, v in sorted(zip(simplices, values), key=lambda sv: len(sv[0])):
        st.insert(list(s), filtration=float(v))
    # persistence_dim_max: also the homology of the top dimension; min_persistence 0 drops only
    # zero-length bars (GUDHI keeps bars with persistence > min_persistence).
    pairs = st.persistence(homology_coeff_field=p, persistence_dim_max=True, min_persistence=0.0)
    return sorted((d, b, e) for d, (b, e) in pairs)


def random_flag_complex(rng, n, q, max_dim, grid):
    """Clique complex of G(n, q) up to max_dim, monotone random values rounded to `grid` (ties)."""
    value = {}
    for i in range(n):
        value[(i,)] = rng.uniform(0, 0.3)
    edges = [(i, j) for i in range(n) for j in range(i + 1, n) if rng.uniform() < q]
    cliques = [list(value)] + [edges]
    for e in edges:
        value[e] = max(value[(e[0],)], value[(e[1],)], rng.uniform(0, 1))
    for d in range(2, max_dim + 1):
        nxt = []
        for s in cliques[-1]:
            for v in range(s[-1] + 1, n):
                if all((u, v) in value for u in s):
                    t = s + (v,)
                    faces = [t[:k] + t[k + 1:] for k in range(len(t))]
                    base = max(value[f] for f in faces)
                    value[t] = base if rng.uniform() < 0.6 else base + rng.uniform(0, 0.3)
                    nxt.append(t)
        cliques.append(nxt)
    simplices = list(value)
    values = [round(value[s] / grid) * grid for s in simplices]
    # Rounding keeps the filtration monotone: round is monotone.
    return simplices, values


def closure(maximal):
    out = set()
    for s in maximal:
        s = tuple(sorted(s))
        for mask in range(1, 1 << len(s)):
            out.add(tuple(v for k, v in enumerate(s) if mask >> k & 1))
    return sorted(out, key=lambda s: (len(s), s))


def random_values_on(rng, simplices, grid):
    value = {}
    for s in sorted(simplices, key=len):
        faces = [s[:k] + s[k + 1:] for k in range(len(s))] if len(s) > 1 else []
        base = max((value[f] for f in faces), default=0.0)
        value[s] = base + (rng.uniform(0, 0.4) if rng.uniform() < 0.7 else 0.0)
    return [round(value[s] / grid) * grid for s in simplices]


RP2 = [(0, 1, 2), (0, 2, 3), (0, 3, 4), (0, 4, 5), (0, 5, 1), (1, 2, 4), (2, 3, 5), (3, 4, 1), (4, 5, 2), (5, 1, 3)]
TORUS7 = [(i, (i + 1) % 7, (i + 3) % 7) for i in range(7)] + [(i, (i + 2) % 7, (i + 3) % 7) for i in range(7)]


def write_block(out, name, p, simplices, values, diagram):
    out.write(f"complex {name} modulus {p} simplices {len(simplices)}\n")
    for s, v in zip(simplices, values):
        out.write(repr(float(v)) + " " + " ".join(str(x) for x in s) + "\n")
    out.write(f"diagram {len(diagram)}\n")
    for d, b, e in diagram:
        out.write(f"{d} {float(b)!r} {'inf' if e == float('inf') else repr(float(e))}\n")


def generate(path):
    rng = np.random.default_rng(20261123)
    cases = []
    for k in range(10):
        n = int(rng.integers(6, 11))
        cases.append((f"flag{k}", *random_flag_complex(rng, n, 0.55, 3, 0.05)))
    for k in range(3):
        s = closure(RP2)
        cases.append((f"rp2_{k}", s, random_values_on(rng, s, 0.05)))
        s = closure(TORUS7)
        cases.append((f"torus7_{k}", s, random_values_on(rng, s, 0.05)))
    with open(path, "w") as out:
        out.write(f"# GUDHI {gudhi.__version__} SimplexTree persistence; made by tests/ph/filtered_complex_gudhi.py generate\n")
        for name, simplices, values in cases:
            for p in (2, 3):
                write_block(out, name, p, simplices, values, gudhi_diagram(simplices, values, p))


def compute(inp, outp):
    lines = [l.split() for l in open(inp) if l.strip() and not l.startswith("#")]
    k = 0
    with open(outp, "w") as out:
        while k < len(lines):
            head = lines[k]
            name, p, n = head[1], int(head[3]), int(head[5])
            rows = lines[k + 1:k + 1 + n]
            simplices = [tuple(int(x) for x in r[1:]) for r in rows]
            values = [float(r[0]) for r in rows]
            write_block(out, name, p, simplices, values, gudhi_diagram(simplices, values, p))
            k += 1 + n
            if k < len(lines) and lines[k][0] == "diagram":
                k += 1 + int(lines[k][1])


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "generate":
        generate(sys.argv[2])
    elif len(sys.argv) == 4 and sys.argv[1] == "compute":
        compute(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
