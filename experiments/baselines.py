#!/usr/bin/python3
"""Baseline rows of the results table (issue 4): PCA (topoembed's C++ models::Pca), and t-SNE,
Isomap and UMAP (scikit-learn 1.2 / umap-learn 0.5, Debian's python3-sklearn and umap-learn,
installed by `scripts/bootstrap --experiments`; not a build dependency).

The data are the splits exactly as topoembed's trainer sees them, exported by
`topoembed data export` (Spheres: the paper's data set, standardised; Fashion-MNIST in [-1, 1]).
Every method's test-split latents are scored by OUR C++ measures (`topoembed eval`), and each
run's metrics.json (the format `topoembed eval` / `topoembed train` write) plus
  "train_seconds"  wall time of fitting and embedding alone (no data loading, no measures),
  "seed", "method", "parameters", "fit_on" ("train": fitted on the training split, the test
  split embedded by transform; "test": fitted on the test split itself), "n_fit"
goes to experiments/results/<dataset>/<method>/seed<S>.json; experiments/make_results.py turns
that layout into docs/results.md.

Settings follow the paper's code (BorgwardtLab/topological-autoencoders, exp/fit_competitor.py and
experiments/fit_competitor/repetitions/rep*/Spheres/*.json): a method with a `transform` (PCA,
Isomap, UMAP) is fitted on the training split and embeds the test split; t-SNE has none and is
fitted on the test split directly. The paper fitted on the training split minus a random 15 %
validation part; here the whole training split is used (deterministic, the same for PCA).
  t-SNE:  perplexity 35.431871281496434, learning_rate 10.328042227475773, n_iter 1500 (the paper
          used MulticoreTSNE: Barnes-Hut, random initialisation, early exaggeration 12; here
          sklearn's TSNE with init="random", the same values)
  Isomap: n_neighbors 25
  UMAP:   n_neighbors 118, min_dist 0.7097426434727054, metric euclidean
PCA is deterministic (no seed enters its fit): its five seeds give identical numbers, std 0.

Usage:
  /usr/bin/python3 experiments/baselines.py [--build build/baselines] [--dataset spheres]
      [--methods pca,tsne,isomap,umap] [--seeds 1,2,3,4,5] [--work DIR] [--force]
Finished seeds are kept unless --force (delete a JSON file to re-run one seed); fitted latents
(WORK/<dataset>/<method>/seed<S>/latents.csv + fit.json) are reused the same way, and
--fit-only stops after fitting (score later with the same command without it).
"""
import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

TSNE_PARAMS = {"n_components": 2, "perplexity": 35.431871281496434,
               "learning_rate": 10.328042227475773, "n_iter": 1500,
               "init": "random", "early_exaggeration": 12.0, "method": "barnes_hut"}
ISOMAP_PARAMS = {"n_components": 2, "n_neighbors": 25}
UMAP_PARAMS = {"n_components": 2, "n_neighbors": 118, "min_dist": 0.7097426434727054,
               "metric": "euclidean"}
PCA_PRESETS = {"spheres": "pca-spheres", "fmnist": "pca-fmnist"}


def log(message):
    print(time.strftime("%H:%M:%S", time.gmtime()), message, flush=True)


def run(cmd):
    """Runs a command; on failure prints its output and stops."""
    result = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if result.returncode != 0:
        sys.exit("error: " + " ".join(cmd) + " failed:\n" + result.stdout)
    return result.stdout


def export_split(binary, dataset, split, work):
    points = os.path.join(work, f"{dataset}-{split}.npy")
    labels = os.path.join(work, f"{dataset}-{split}-labels.npy")
    if not (os.path.exists(points) and os.path.exists(labels)):
        run([binary, "data", "export", "--dataset", dataset, "--split", split,
             "--output", points, "--labels", labels])
    return np.load(points).astype(np.float64), np.load(labels)


def write_latents_csv(path, z, labels):
    """Columns 0, 1, ..., labels: the paper's latents format (topoembed eval drops 'labels')."""
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(",".join(str(i) for i in range(z.shape[1])) + ",labels\n")
        for row, label in zip(z, labels):
            f.write(",".join(repr(float(v)) for v in row) + f",{int(label)}\n")
    os.replace(tmp, path)


def write_json(path, obj):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(obj, f, indent=2)
        f.write("\n")
    os.replace(tmp, path)


def fit_embedding(method, seed, train_x, test_x):
    """Returns (test latents, fitted-on, n_fit, parameters); only this part is timed."""
    if method == "tsne":
        from sklearn.manifold import TSNE
        model = TSNE(random_state=seed, **TSNE_PARAMS)
        return model.fit_transform(test_x), "test", len(test_x), TSNE_PARAMS
    if method == "isomap":
        from sklearn.manifold import Isomap
        # ARPACK's start vector comes from NumPy's global generator (Isomap has no random_state).
        np.random.seed(seed)
        model = Isomap(**ISOMAP_PARAMS)
        model.fit(train_x)
        return model.transform(test_x), "train", len(train_x), ISOMAP_PARAMS
    if method == "umap":
        import umap
        model = umap.UMAP(random_state=seed, **UMAP_PARAMS)
        model.fit(train_x)
        return model.transform(test_x), "train", len(train_x), UMAP_PARAMS
    raise ValueError(f"unknown method '{method}'")


def python_baseline(binary, dataset, method, seed, work, out, force, fit_only):
    """Fits (unless WORK/<dataset>/<method>/seed<S>/fit.json is there and not --force), then
    scores the latents with `topoembed eval` and writes `out` (unless fit_only)."""
    run_dir = os.path.join(work, dataset, method, f"seed{seed}")
    latents = os.path.join(run_dir, "latents.csv")
    fit_path = os.path.join(run_dir, "fit.json")
    if force or not (os.path.exists(fit_path) and os.path.exists(latents)):
        train_x, _ = export_split(binary, dataset, "train", work)
        test_x, test_labels = export_split(binary, dataset, "test", work)
        start = time.perf_counter()
        z, fit_on, n_fit, params = fit_embedding(method, seed, train_x, test_x)
        seconds = time.perf_counter() - start
        os.makedirs(run_dir, exist_ok=True)
        write_latents_csv(latents, np.asarray(z, dtype=np.float64), test_labels)
        write_json(fit_path, {"train_seconds": seconds, "seed": seed, "method": method, "parameters": params,
                              "fit_on": fit_on, "n_fit": n_fit, "n_test": len(test_x)})
    with open(fit_path) as f:
        fit = json.load(f)
    log(f"{dataset} {method} seed {seed}: fitted in {fit['train_seconds']:.1f} s ({latents})")
    if fit_only:
        return None
    metrics_path = os.path.join(run_dir, "metrics.json")
    run([binary, "eval", "--latents", latents, "--dataset", dataset, "--output", metrics_path])
    with open(metrics_path) as f:
        metrics = json.load(f)
    metrics.update(fit)
    write_json(out, metrics)
    return metrics


def pca_baseline(binary, dataset, seed, work, out):
    run_dir = os.path.join(work, dataset, "pca", f"seed{seed}")
    if os.path.exists(run_dir):
        subprocess.run(["rm", "-rf", run_dir], check=True)
    start = time.perf_counter()
    run([binary, "train", "--preset", PCA_PRESETS[dataset], "--seed", str(seed), "--threads", "1",
         "--run-dir", run_dir, "--quiet", "--no-report"])
    command_seconds = time.perf_counter() - start
    with open(os.path.join(run_dir, "metrics.json")) as f:
        metrics = json.load(f)
    # fit_seconds: loading the data and fitting; the rest of the command is embedding and measures.
    metrics.update({"train_seconds": metrics["fit_seconds"], "command_seconds": command_seconds,
                    "seed": seed, "method": "pca", "parameters": {"n_components": 2},
                    "fit_on": "train"})
    write_json(out, metrics)
    return metrics


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build", default=os.path.join(ROOT, "build", "baselines"),
                        help="build directory holding bin/topoembed")
    parser.add_argument("--dataset", default="spheres", choices=["spheres", "fmnist"])
    parser.add_argument("--methods", default="pca,tsne,isomap,umap")
    parser.add_argument("--seeds", default="1,2,3,4,5")
    parser.add_argument("--work", default=None, help="latents and run directories (default BUILD/baselines-runs)")
    parser.add_argument("--results", default=os.path.join(ROOT, "experiments", "results"))
    parser.add_argument("--force", action="store_true", help="re-run seeds whose JSON (and fit) exists")
    parser.add_argument("--fit-only", action="store_true",
                        help="t-SNE/Isomap/UMAP: fit and write latents only; a later run without it scores them")
    args = parser.parse_args()

    binary = os.path.join(args.build, "bin", "topoembed")
    if not os.access(binary, os.X_OK) and not args.fit_only:
        sys.exit(f"error: '{binary}' is not an executable (build the topoembed target first)")
    methods = [m for m in args.methods.split(",") if m]
    for m in methods:
        if m not in ("pca", "tsne", "isomap", "umap"):
            sys.exit(f"error: unknown method '{m}', expected pca, tsne, isomap or umap")
    seeds = [int(s) for s in args.seeds.split(",") if s]
    work = args.work or os.path.join(args.build, "baselines-runs")
    os.makedirs(work, exist_ok=True)

    for method in methods:
        for seed in seeds:
            out = os.path.join(args.results, args.dataset, method, f"seed{seed}.json")
            if os.path.exists(out) and not args.force:
                log(f"{args.dataset} {method} seed {seed}: kept {out}")
                continue
            log(f"{args.dataset} {method} seed {seed} ...")
            if method == "pca":
                if args.fit_only:
                    continue
                m = pca_baseline(binary, args.dataset, seed, work, out)
            else:
                m = python_baseline(binary, args.dataset, method, seed, work, out, args.force, args.fit_only)
                if m is None:
                    continue
            log(f"{args.dataset} {method} seed {seed}: KL_0.1 {m['kl_0.1']:.4f} KL_0.01 {m['kl_0.01']:.4f} "
                f"l-Cont {m['continuity_mean']:.4f} l-Trust {m['trustworthiness_mean']:.4f} "
                f"fit {m['train_seconds']:.1f} s -> {out}")


if __name__ == "__main__":
    main()
