#!/usr/bin/env python3
"""Writes a seeded activation set for the scale-out test (Tests/ScaleOut/slurm_test.sh).

FILES HDF5 files acts-00.h5 ... of uneven sizes (file i holds rows in proportion to i + 1, so shard
boundaries fall inside files), together about MIB MiB of float32. Each file has the datasets of the
bundled digits network's layer inputs, fc1 (rows x 64), fc2 (rows x 128) and fc3 (rows x 64), so
Calibration/weights.h5 pairs with them. Datasets are chunked by CHUNK rows with the Fletcher-32
checksum filter: a damaged chunk is detected by libhdf5 when (and only when) it is read, which lets the
test damage the input of exactly one shard.

Usage: make_activations.py OUT_DIR [--mib 256] [--files 6] [--seed 19] [--chunk 1024]
"""
import argparse
import os

import h5py
import numpy

# Row widths of the digits network's activation inputs (Calibration/activations.h5).
LAYERS = (("fc1", 64), ("fc2", 128), ("fc3", 64))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("--mib", type=int, default=256)
    parser.add_argument("--files", type=int, default=6)
    parser.add_argument("--seed", type=int, default=19)
    parser.add_argument("--chunk", type=int, default=1024)
    args = parser.parse_args()

    row_bytes = 4 * sum(width for _, width in LAYERS)
    total_rows = args.mib * (1 << 20) // row_bytes
    weights = [i + 1 for i in range(args.files)]
    cuts = [total_rows * sum(weights[:i]) // sum(weights) for i in range(args.files + 1)]
    rng = numpy.random.default_rng(args.seed)
    os.makedirs(args.out, exist_ok=True)
    for index in range(args.files):
        rows = cuts[index + 1] - cuts[index]
        path = os.path.join(args.out, f"acts-{index:02d}.h5")
        with h5py.File(path, "w") as file:
            for layer, (name, width) in enumerate(LAYERS):
                # Layer-dependent scale and offset so the layers get different ranges.
                values = rng.standard_normal((rows, width), dtype=numpy.float32)
                values *= numpy.float32(1 + layer)
                values += numpy.float32(0.25 * layer)
                file.create_dataset(
                    name, data=values, chunks=(min(args.chunk, rows), width), fletcher32=True)
        print(f"{path}: {rows} rows, {os.path.getsize(path)} bytes")


if __name__ == "__main__":
    main()
