#!/usr/bin/env python3
"""Writes the two tiny valid HDF5 files the mutation test (Tests/CLITests/MutationTests.swift) damages.

Run from the repository root with the reference venv (numpy, h5py; default libver):

    python3 Tests/Fixtures/make_mutation_fixtures.py

Outputs (committed, a few KB each, so most mutations land in metadata rather than in values):
  Tests/Fixtures/mutation/weights_small.h5      fc1/{weight [8,6] contiguous, bias [8]},
                                                fc2/{weight [3,8] chunked + gzip, bias [3] float64}
  Tests/Fixtures/mutation/activations_small.h5  fc1 [40,6] chunked (8,6), fc2 [40,8] contiguous
"""
import os

import h5py
import numpy as np

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "mutation")
rng = np.random.default_rng(20261129)
os.makedirs(ROOT, exist_ok=True)

with h5py.File(os.path.join(ROOT, "weights_small.h5"), "w") as f:
    f["fc1/weight"] = rng.normal(0, 0.5, (8, 6)).astype(np.float32)
    f["fc1/bias"] = rng.normal(0, 0.1, (8,)).astype(np.float32)
    f.create_dataset("fc2/weight", data=rng.normal(0, 0.5, (3, 8)).astype(np.float32), chunks=(3, 4), compression="gzip")
    f["fc2/bias"] = rng.normal(0, 0.1, (3,)).astype(np.float64)

with h5py.File(os.path.join(ROOT, "activations_small.h5"), "w") as f:
    f.create_dataset("fc1", data=rng.normal(0, 1, (40, 6)).astype(np.float32), chunks=(8, 6))
    f["fc2"] = np.maximum(rng.normal(0, 1, (40, 8)), 0).astype(np.float32)
