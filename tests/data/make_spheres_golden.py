#!/usr/bin/python3
# Writes tests/data/spheres_numpy_golden.txt: NumPy legacy RandomState draws and a sample of the
# Spheres data set made exactly as the Topological Autoencoders code makes it (create_sphere_dataset
# + train_test_split + StandardScaler, written out with NumPy only; sklearn's steps inlined).
# Regenerate: /usr/bin/python3 tests/data/make_spheres_golden.py > tests/data/spheres_numpy_golden.txt
import numpy as np


def dsphere(n, d, r):
    data = np.random.randn(n, d + 1)
    return r * data / np.sqrt(np.sum(data ** 2, 1)[:, None])


def create_sphere_dataset(n_samples=500, d=100, n_spheres=11, r=5, seed=42):
    np.random.seed(seed)
    variance = 10 / np.sqrt(d)
    shift_matrix = np.random.normal(0, variance, [n_spheres, d + 1])
    spheres = []
    for i in np.arange(n_spheres - 1):
        spheres.append(dsphere(n_samples, d, r) + shift_matrix[i, :])
    spheres.append(dsphere(10 * n_samples, d, r * 5))
    labels = np.concatenate([np.full(s.shape[0], i) for i, s in enumerate(spheres)])
    return np.concatenate(spheres, axis=0), labels


print("# Made by /usr/bin/python3 tests/data/make_spheres_golden.py (NumPy", np.__version__ + "); format: <name> <index> <value>")
rs = np.random.RandomState(42)
for i, v in enumerate(rs.randint(0, 2**32, size=5, dtype=np.uint64)):
    print("uint32", i, int(v))
rs = np.random.RandomState(42)
for i, v in enumerate(rs.random_sample(5)):
    print("random_sample", i, repr(float(v)))
rs = np.random.RandomState(7)
for i, v in enumerate(rs.randn(5)):
    print("gauss7", i, repr(float(v)))
rs = np.random.RandomState(42)
for i, v in enumerate(rs.permutation(20)):
    print("permutation20", i, int(v))

x, y = create_sphere_dataset()
perm = np.random.RandomState(42).permutation(x.shape[0])
test, train = perm[:1000], perm[1000:]
mean = x[train].mean(0)
var = x[train].var(0) * 9000 / 9000
scale = np.sqrt(var)
test_x = ((x[test] - mean) / scale).astype(np.float32)
train_x = ((x[train] - mean) / scale).astype(np.float32)
for i in [0, 1, 500, 4999, 5000, 9999]:
    for k in [0, 57, 100]:
        print("raw", i * 101 + k, repr(float(x[i, k])))
for i in [0, 1, 999]:
    for k in [0, 33, 100]:
        print("test_x", i * 101 + k, repr(float(test_x[i, k])))
for i in [0, 8999]:
    for k in [0, 100]:
        print("train_x", i * 101 + k, repr(float(train_x[i, k])))
# Order-free bitwise checksums: the sum of the float32 bit patterns as unsigned integers.
print("test_x_bits", 0, int(test_x.view(np.uint32).astype(np.uint64).sum()))
print("train_x_bits", 0, int(train_x.view(np.uint32).astype(np.uint64).sum()))
for k in [0, 100]:
    print("scale", k, repr(float(scale[k])))
