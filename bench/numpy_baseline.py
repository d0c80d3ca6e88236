#!/usr/bin/env python3
"""numpy baseline for `ptq-bench suite`: the usual way, on the same file.

usage: numpy_baseline.py FILE {read,minmax,histogram} [--runs N]
  read       h5py reads each dataset in slices of 4096 rows (16 MiB), nothing else
  minmax     the same plus np.min / np.max of each slice
  histogram  the same plus np.histogram(slice, bins=2048, range=(dataset min, max)) (min/max from a first pass)
Prints `seconds t1 t2 ...` (one warm-up, then N timed runs). Exit status 3 when numpy or h5py is missing.
"""
import sys
import time

try:
    import h5py
    import numpy as np
except ImportError:
    sys.exit(3)

ROWS = 4096


def slices(dataset):
    for start in range(0, dataset.shape[0], ROWS):
        yield dataset[start:start + ROWS]


def datasets(f):
    """Every dataset of the file, groups walked (the weights file keeps its tensors in groups)."""
    found = []
    f.visititems(lambda name, obj: found.append(obj) if isinstance(obj, h5py.Dataset) else None)
    return found


def read(f):
    for dataset in datasets(f):
        for block in slices(dataset):
            pass


def dataset_range(dataset):
    low, high = np.inf, -np.inf
    for block in slices(dataset):
        low = min(low, float(np.min(block)))
        high = max(high, float(np.max(block)))
    return low, high


def minmax(f):
    for dataset in datasets(f):
        dataset_range(dataset)


def histogram(f):
    for dataset in datasets(f):
        low, high = dataset_range(dataset)
        counts = np.zeros(2048, dtype=np.int64)
        for block in slices(dataset):
            counts += np.histogram(block, bins=2048, range=(low, high))[0]


def main():
    path, job = sys.argv[1], sys.argv[2]
    runs = int(sys.argv[sys.argv.index("--runs") + 1]) if "--runs" in sys.argv else 5
    work = {"read": read, "minmax": minmax, "histogram": histogram}[job]
    with h5py.File(path, "r") as f:
        work(f)
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            work(f)
            times.append(time.perf_counter() - start)
    print("seconds " + " ".join(str(t) for t in times))


if __name__ == "__main__":
    main()
