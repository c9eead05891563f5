#!/usr/bin/python3
"""Writes docs/results.md from experiments/results/<dataset>/<method>/seed<S>.json.

Each JSON is a run's metrics.json as `topoembed train` / `topoembed eval` write it (keys kl_0.01,
kl_0.1, kl_1, mrre_mean, continuity_mean, trustworthiness_mean, rmse, data_mse, ...) plus
"train_seconds". One table per data set: a row per method directory found, mean ± standard
deviation over its seeds (sample std, ddof 1; 0 for one seed), the seed count, and the paper's
published numbers beside them; then the issue's targets for TopoAE, met or missed, computed from
the same files. Standard library and NumPy only.

Usage: /usr/bin/python3 experiments/make_results.py [--results DIR] [--output docs/results.md]
"""
import argparse
import glob
import json
import os
import re
import sys
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# (column title, metrics.json key)
COLUMNS = [("KL_0.01", "kl_0.01"), ("KL_0.1", "kl_0.1"), ("KL_1", "kl_1"), ("ℓ-MRRE", "mrre_mean"),
           ("ℓ-Cont", "continuity_mean"), ("ℓ-Trust", "trustworthiness_mean"), ("ℓ-RMSE", "rmse"),
           ("data MSE", "data_mse")]

DATASETS = [("spheres", "Spheres (test split, n = 1,000)"),
            ("fmnist", "Fashion-MNIST (t10k test set, n = 10,000)")]

METHOD_NAMES = {"topoae": "TopoAE", "topoae-tuned": "TopoAE (tuned preset)",
                "topoae-tuned-last": "TopoAE (tuned preset), last-epoch model",
                "topoae-last": "TopoAE, last-epoch model (session 3, 10 epochs)", "ae": "AE",
                "ae-last": "AE, last-epoch model (session 3, 10 epochs)",
                "topoae-1epoch": "TopoAE, 1 epoch (session 2)", "ae-1epoch": "AE, 1 epoch (session 2)",
                "topoae-30epochs": "TopoAE, 30 epochs (session 4)", "topoae-20epochs": "TopoAE, 20 epochs (session 4)", "topoae-10epochs": "TopoAE, 10 epochs (session 3)", "ae-10epochs": "AE, 10 epochs (session 3)",
                "pca": "PCA", "tsne": "t-SNE", "isomap": "Isomap", "umap": "UMAP"}
METHOD_ORDER = ["topoae", "topoae-last", "topoae-tuned", "topoae-tuned-last", "topoae-30epochs", "topoae-20epochs", "topoae-10epochs", "topoae-1epoch", "ae",
                "ae-last", "ae-10epochs", "ae-1epoch", "pca", "tsne", "isomap", "umap"]

# The paper's published means over five runs: Moor, Horn, Rieck, Borgwardt, "Topological
# Autoencoders", ICML 2020, Table 1, as quoted in ../shared/reference/README.md (only the values
# quoted there; the others are left empty rather than guessed).
PAPER = {
    "spheres": {
        "topoae": {"kl_0.01": 0.085, "kl_0.1": 0.326, "kl_1": 0.00694, "mrre_mean": 0.272,
                   "continuity_mean": 0.822, "trustworthiness_mean": 0.658, "rmse": 13.5,
                   "data_mse": 0.8681},
        "ae": {"kl_0.1": 0.746, "data_mse": 0.8155},
        "pca": {"kl_0.1": 0.651, "data_mse": 0.9610},
    },
    "fmnist": {
        "topoae": {"kl_0.1": 0.054, "data_mse": 0.1207},
        "ae": {"kl_0.1": 0.068, "data_mse": 0.1020},
        "pca": {"kl_0.1": 0.052, "data_mse": 0.1844},
    },
}

# The measures of the paper's own latents files (one run each; the official code's
# data/visualizations/, commit 203e94a), as ../shared/reference/README.md tabulates them; the
# paper does not publish a data MSE for these files.
PAPER_LATENTS = {
    "spheres": {
        "topoae": {"kl_0.01": 0.0917266, "kl_0.1": 0.314986, "kl_1": 0.00669776, "mrre_mean": 0.267422,
                   "continuity_mean": 0.827383, "trustworthiness_mean": 0.660571, "rmse": 13.4515},
        "ae": {"kl_0.01": 0.561383, "kl_0.1": 0.775594, "kl_1": 0.0168518, "mrre_mean": 0.356940,
               "continuity_mean": 0.585937, "trustworthiness_mean": 0.581944, "rmse": 13.3438},
        "pca": {"kl_0.01": 0.340339, "kl_0.1": 0.654051, "kl_1": 0.0153781, "mrre_mean": 0.294878,
                "continuity_mean": 0.747077, "trustworthiness_mean": 0.625339, "rmse": 11.7701},
    },
    "fmnist": {
        "topoae": {"kl_0.01": 0.33674, "kl_0.1": 0.0389749, "kl_1": 0.000912017, "mrre_mean": 0.029868,
                   "continuity_mean": 0.980745, "trustworthiness_mean": 0.958809, "rmse": 20.9572},
        "ae": {"kl_0.01": 0.489445, "kl_0.1": 0.0674866, "kl_1": 0.001244, "mrre_mean": 0.0241236,
               "continuity_mean": 0.972065, "trustworthiness_mean": 0.974686, "rmse": 18.9107},
        "pca": {"kl_0.01": 0.35613, "kl_0.1": 0.0520715, "kl_1": 0.000688299, "mrre_mean": 0.0574331,
                "continuity_mean": 0.967757, "trustworthiness_mean": 0.916763, "rmse": 9.05141},
    },
}

# The targets for topoembed's TopoAE (mean of five seeds): (key, title, "≤" or "≥", bound).
TARGETS = {
    "spheres": [("kl_0.1", "KL_0.1", "≤", 0.30), ("kl_0.01", "KL_0.01", "≤", 0.085),
                ("continuity_mean", "ℓ-Cont", "≥", 0.82)],
    "fmnist": [("kl_0.1", "KL_0.1", "≤", 0.054)],
}


def fmt(v):
    if v is None:
        return "—"
    a = abs(v)
    if a >= 100:
        return f"{v:.1f}"
    if a >= 1:
        return f"{v:.3f}"
    if a >= 0.01:
        return f"{v:.4f}"
    return f"{v:.3g}" if a > 0 else "0"


def same(values):
    """Equal up to floating-point rounding (1e-12 relative)."""
    arr = np.asarray(values, dtype=np.float64)
    return bool(np.ptp(arr) <= 1e-12 * max(1.0, float(np.abs(arr).max())))


def mean_std(values):
    arr = np.asarray(values, dtype=np.float64)
    # Values equal up to rounding (PCA's and Isomap's seeds) have std 0, not the noise of the mean.
    std = float(arr.std(ddof=1)) if len(arr) > 1 and not same(arr) else 0.0
    return float(arr.mean()), std


def load_runs(results, dataset):
    """{method: [(seed, json), ...]} for every results/<dataset>/<method>/seed<S>.json."""
    runs = {}
    for path in sorted(glob.glob(os.path.join(results, dataset, "*", "seed*.json"))):
        match = re.fullmatch(r"seed(\d+)\.json", os.path.basename(path))
        if not match:
            continue
        with open(path) as f:
            try:
                data = json.load(f)
            except json.JSONDecodeError as e:
                sys.exit(f"error: {path} is not valid JSON: {e}")
        method = os.path.basename(os.path.dirname(path))
        runs.setdefault(method, []).append((int(match.group(1)), data))
    return runs


def by_seed(runs):
    return sorted(runs, key=lambda t: t[0])


def method_order(methods):
    known = [m for m in METHOD_ORDER if m in methods]
    return known + sorted(m for m in methods if m not in METHOD_ORDER)


def notes_of(method, runs):
    """Facts the JSONs carry that change how a row reads (epochs, what the method was fit on)."""
    notes = []
    epochs = sorted({r.get("epochs", r.get("epochs_run")) for _, r in runs if "epochs" in r or "epochs_run" in r} - {None})
    if epochs and method not in ("pca", "tsne", "isomap", "umap"):
        notes.append("epochs run " + "/".join(str(e) for e in epochs))
    if any(r.get("model") == "last" for _, r in runs):
        notes.append("the same runs scored with the model after the last epoch (the paper's protocol), "
                     "no data MSE (experiments/last_model.sh)")
    fit_on = sorted({r["fit_on"] for _, r in runs if "fit_on" in r})
    if fit_on:
        notes.append("fit on " + "/".join(fit_on) + " split")
    columns = [[r.get(k) for _, r in runs] for _, k in COLUMNS]
    numeric = [c for c in columns if all(isinstance(v, (int, float)) for v in c)]
    if len(runs) > 1 and numeric and all(same(c) for c in numeric):
        notes.append("deterministic: identical seeds" if method == "pca" else "identical across seeds")
    seconds = [r["train_seconds"] for _, r in runs if isinstance(r.get("train_seconds"), (int, float))]
    if seconds:
        notes.append(f"{np.mean(seconds):.1f} s per run")
    return "; ".join(notes)


def numeric(runs, key):
    """The values of key in the runs that have a number there."""
    return [r[key] for _, r in runs if isinstance(r.get(key), (int, float))]


def row(label, seeds, cells, notes):
    """One table row: method label, seed column, a cell per COLUMNS entry, notes."""
    return f"| {label} | {seeds} | " + " | ".join(cells) + f" | {notes} |"


def published_cells(values):
    """Cells of a published row: the quoted value of each column, — where none is quoted."""
    return [fmt(values.get(key)) for _, key in COLUMNS]


def measured_cells(runs):
    """Cells of a topoembed row: mean ± std over the runs with a value (the mean alone for one)."""
    cells = []
    for _, key in COLUMNS:
        values = numeric(runs, key)
        if not values:
            cells.append("—")
            continue
        m, s = mean_std(values)
        cells.append(f"{fmt(m)} ± {fmt(s)}" if len(values) > 1 else fmt(m))
    return cells


def table(dataset, runs):
    lines = ["| method | seeds | " + " | ".join(t for t, _ in COLUMNS) + " | notes |",
             "|---|---|" + "---|" * len(COLUMNS) + "---|"]
    paper = PAPER.get(dataset, {})
    for method in method_order(set(runs) | set(paper)):
        name = METHOD_NAMES.get(method, method)
        if method in runs:
            rs = runs[method]
            seeds = ",".join(str(s) for s, _ in by_seed(rs))
            lines.append(row(f"**{name}** (topoembed)", f"{len(rs)} ({seeds})", measured_cells(rs),
                             notes_of(method, rs)))
        if method in paper:
            lines.append(row(f"{name} (paper, Table 1)", 5, published_cells(paper[method]), "published mean"))
        latents = PAPER_LATENTS.get(dataset, {}).get(method)
        if latents:
            lines.append(row(f"{name} (paper's latents file)", 1, published_cells(latents),
                             "the official code's run, measured here"))
    return lines


def targets(dataset, runs):
    lines = []
    topo = [m for m in method_order(set(runs)) if m.startswith("topoae")]
    if not TARGETS.get(dataset):
        return lines
    if not topo:
        return ["Targets: no TopoAE results yet (experiments/results/" + dataset + "/topoae/), so not evaluated."]
    for method in topo:
        rs = runs[method]
        parts = []
        for key, title, op, bound in TARGETS[dataset]:
            values = numeric(rs, key)
            if not values:
                parts.append(f"{title} {op} {bound}: no values")
                continue
            m = float(np.mean(values))
            ok = m <= bound if op == "≤" else m >= bound
            parts.append(f"{title} {op} {bound:g}: {fmt(m)} **{'met' if ok else 'missed'}**")
        caveat = "" if len(rs) >= 5 else f" (only {len(rs)} seed{'s' if len(rs) != 1 else ''}; the target is a five-seed mean)"
        # Last-epoch rows re-score runs whose reported model is the best-validation one.
        if method.endswith("-last"):
            caveat += " (comparison only: the reported row is the best-validation model's)"
        key, title = TARGETS[dataset][0][:2]
        per_seed = ", ".join(fmt(v) for v in numeric(by_seed(rs), key))
        lines.append(f"- Targets, {METHOD_NAMES.get(method, method)} (mean of {len(rs)}){caveat}: " + "; ".join(parts) +
                     f" (per seed {title}: {per_seed}).")
    return lines


def main():
    parser = argparse.ArgumentParser(description="docs/results.md from experiments/results/")
    parser.add_argument("--results", default=os.path.join(ROOT, "experiments", "results"))
    parser.add_argument("--output", default=os.path.join(ROOT, "docs", "results.md"))
    args = parser.parse_args()

    out = ["# Results: topoembed beside the paper's Table 1", "",
           "Generated by `/usr/bin/python3 experiments/make_results.py` from "
           "`experiments/results/<dataset>/<method>/seed<S>.json` on "
           + time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()) + "; experiments/README.md says how to "
           "reproduce every row. Values are mean ± standard deviation over the seeds listed (sample std, "
           "ddof 1), measured with topoembed's C++ measures (`topoembed eval`, the definitions of "
           "../shared/reference/README.md: KL_σ on distances divided by their maximum; ℓ-measures "
           "averaged over k = 10, 20, …, 200) on the test split only. \"paper\" rows: the published means "
           "over five runs (Moor, Horn, Rieck, Borgwardt, *Topological Autoencoders*, ICML 2020, Table 1), "
           "only the values quoted in the reference README; — where not quoted or not defined (t-SNE, "
           "Isomap and UMAP have no decoder, so no data MSE). \"paper's latents file\" rows: the 2-D test "
           "latents the official code saved (one run per method, BorgwardtLab/topological-autoencoders "
           "data/visualizations/) measured with the same C++ measures (values from the reference README).", ""]
    for dataset, title in DATASETS:
        runs = load_runs(args.results, dataset)
        out += [f"## {title}", ""]
        out += table(dataset, runs)
        out += [""]
        out += targets(dataset, runs)
        out += [""]
    out += ["## How the rows were made", "",
            "- TopoAE / AE: `topoembed train` with the presets of docs/training.md (the paper's architectures and "
            "hyper-parameters from its code's best runs; `ae-spheres`: batch 84, lr 6.40628e-4), seeds as listed; "
            "see the notes column for epochs where a script trained fewer than the paper's 100 (with early "
            "stopping). The scored model is the one of the best validation loss (`best_model.pt`).",
            "- Spheres TopoAE (paper preset) / AE rows: re-run in session 5 (09:30–09:38 UTC) with a build of "
            "ad799a1's code (`experiments/spheres_table.sh build/atlas`, one run at a time, `--threads 1` = "
            "LibTorch 1 and OpenBLAS 1 thread, nice 10, one atlas training on the other core).",
            "- Spheres TopoAE (tuned preset) rows: re-run in session 6 (11:56–11:59 UTC, load 1.2–1.9) with a "
            "build of 10a97ec/9ae7dc1's code (`METHODS=topoae-tuned experiments/spheres_table.sh`, one run at "
            "a time, `--threads 1`, nice 10). Session 6 re-swept the preset on the selection seeds 101, 102 "
            "only, on that binary (docs/results-spheres-sweep.md §7): λ 3 (lr 2.2e-3, patience 25) had the "
            "lowest mean KL_0.1 there (0.2879 against 0.3040 for λ 2, the preset until then, on the same binary), so `topoae-spheres-tuned` "
            "is now λ 3; it was chosen before any of seeds 1–5 ran and they were run once. Result: KL_0.1 "
            "0.3012 ± 0.0060, **the KL_0.1 ≤ 0.30 target is still missed, by 0.001**, within the seed noise "
            "(standard error of the mean 0.003); KL_0.01 (0.0707) and ℓ-Cont (0.826) are met. Earlier values "
            "of the tuned preset (λ 2): 0.3004 (session 2's binary), 0.2948 (session 3's, 294e712), 0.3037 "
            "(session 5's, ad799a1); the binaries differ in floating-point summation order, which sends "
            "training along other paths. The \"last-epoch model\" row scores the same five runs with the "
            "model after the last epoch, as the paper's code does (experiments/last_model.sh); it is shown "
            "for comparison, not chosen from, and the target is judged on the best-validation row.",
            "- Fashion-MNIST TopoAE / AE: `experiments/fmnist_table.sh` trains a fixed number of epochs (notes "
            "column; `--patience 0`, so no early stopping), not the paper's up to 100 with early stopping. "
            "Protocol: the model kept is the one of the best validation loss over the epochs trained "
            "(validation = 15 % of the training images, held out by seed), and it is scored once on the "
            "10,000 test images; nothing is chosen on the test set. Session 4 continued the session-3 TopoAE "
            "runs from their 10-epoch checkpoints to 20 epochs (`train --resume --epochs 20`, the same result "
            "as an uninterrupted run; one run at a time, `--threads 1`, nice 10, load 3–10), then, at the end "
            "of the session on the quiet machine, to 30 and then 40 epochs (two runs at a time, `--threads 1`), always with "
            "the binary that trained their first 10 epochs (built from 294e712, before the diff "
            "fixes 0cfe2dc/b4fd087) and `OPENBLAS_NUM_THREADS=1`; the TopoAE row says in its notes how many "
            "epochs each seed got. The AE runs were not continued: "
            "the AE row is still the 10-epoch one, so TopoAE and AE are not compared at equal epochs. "
            "The best-validation epochs of the 20-epoch TopoAE runs were 20, 20, 19, 17 and 18 (the "
            "validation loss was still falling), which is why they were continued; of the 30-epoch runs "
            "22, 29, 30, 27 and 23 (seed 1 got worse, 0.0606 -> 0.0649, because its best-validation model "
            "changed); of the 40-epoch runs 32, 29, 30, 35, 34. "
            "\"30 epochs (session 4)\", \"20 epochs (session 4)\", \"10 epochs (session 3)\" and \"1 epoch (session 2)\" rows: the earlier states of the same "
            "runs/presets, kept to show the trend. Nothing was tuned on Fashion-MNIST.",
            "- PCA: topoembed's C++ `models::Pca` (`topoembed train --preset pca-spheres|pca-fmnist`), fitted on "
            "the whole training split, applied to the test split; data MSE = the test split's reconstruction "
            "error from the two components. No seed enters the fit: its seeds are identical (std 0). The paper "
            "fitted sklearn's PCA on the training split minus a random 15 % validation part.",
            "- t-SNE, Isomap, UMAP (Spheres): scikit-learn 1.2 / umap-learn 0.5 with the paper's settings from "
            "its code (t-SNE perplexity 35.43, learning rate 10.33, 1,500 iterations, random initialisation; "
            "Isomap 25 neighbours; UMAP 118 neighbours, min_dist 0.71). Isomap and UMAP are fitted on the "
            "training split and embed the test split (as the paper's code does for methods with a "
            "`transform`); t-SNE, which has none, is fitted on the test split itself. Scored by "
            "`topoembed eval`. Isomap's only random input is ARPACK's start vector, so its seeds agree "
            "up to the sign of the axes, which the measures do not see.",
            "- \"s per run\" in the notes: `train_seconds` (fit/training time as each script defines it; "
            "experiments/README.md), on a shared 2-core machine with other jobs running, so only indicative.",
            ""]
    # The atlas runs are read by hand from `topoembed nerve` (docs/results-atlas.md has every run,
    # command and barcode); this is their summary, not computed here.
    out += ["## Atlas", "",
            "Atlas autoencoders (Korman's charts, the fuzzy Čech nerve and its Betti numbers): every run, "
            "command and barcode is in [results-atlas.md](results-atlas.md); the intrinsic-dimension sweep "
            "in [results-dimsweep.md](results-dimsweep.md); Fashion-MNIST chart grids and chart graph in "
            "[results-atlas-fmnist.md](results-atlas-fmnist.md). The goal: the nerve's most persistent "
            "Betti numbers right in at least 4 of 5 seeds (strengths on 20,000 fresh points; distance "
            "memberships, locality and balance terms, `--sharpening-weight 0`).", "",
            "| data | charts k, d | Betti numbers | seeds right | round |",
            "|---|---|---|---|---|",
            "| circle (R²) | 4, 1 | 1,1 | 5 of 5 | fourth |",
            "| sphere (R³) | 8, 2 | 1,0,1 | 5 of 5 | fourth |",
            "| flat torus (R⁴) | 25, 2 | 1,2,1 | 4 of 5 | fourth |",
            "| torus (R³) | 48, 2 (batch 256) | 1,2,1 | 4 of 5 | fifth |",
            "| RP² in R⁶ | 12, 2 | Z/2 1,1,1 and Z/3 1,0,0 | 5 of 5 | fourth |",
            "| T³ (R⁶) | 125, 3 (batch 625, `--mmd-floor 1e-4`) | 1,3,3,1 | 4 of 5 | sixth |", "",
            "![T³, 125 charts, seed 1: the nerve's barcode over Z/2 (20,000 fresh points)]"
            "(img/atlas/r6-t3-k125-seed1-barcode-z2.png)", ""]
    text = "\n".join(out)
    tmp = args.output + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, args.output)
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
