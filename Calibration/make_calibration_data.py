#!/usr/bin/env python3
"""Regenerate PTQKit's bundled calibration data from scikit-learn's bundled `digits` dataset.

Run:  python3 Calibration/make_calibration_data.py   (numpy, h5py, scikit-learn)

Writes, next to this script (deterministic: fixed seeds, no timestamps in the HDF5 files):
  weights.h5            /fc1/weight [128,64] /fc1/bias [128] /fc2/... [64,128] /fc3/... [10,64], float32,
                        PyTorch convention (weight is [out, in], y = x @ W.T + b); root attributes
                        describe the model.
  activations.h5        the input of every linear layer over the calibration split, float32, first axis =
                        samples, chunked 64 rows, uncompressed: /fc1 [N,64] (network input),
                        /fc2 [N,128] = ReLU(fc1(x)), /fc3 [N,64] = ReLU(fc2(...)).
  heldout.h5            /x float32 [M,64], /y int64 [M]: the held-out test split (disjoint from the others).
  reference_stats.json  numpy statistics of every dataset in weights.h5 and activations.h5.

Splits (stratified by class, disjoint): 1000 train, 300 calibration, 497 held-out test (1797 images).
The calibration split is kept disjoint from training so calibration sees unseen inputs, as in deployment.
Inputs are the 8x8 pixel intensities 0..16 divided by 16, flattened row-major to 64 features in [0, 1].
"""

from __future__ import annotations

import json
import os
import sys

import h5py
import numpy as np
import sklearn
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import digits_mlp as net  # noqa: E402

SEED = 0
N_TRAIN, N_CALIB, N_TEST = 1000, 300, 497
CHUNK_ROWS = 64
SCRIPT = "Calibration/make_calibration_data.py"


def splits():
    """(x, y) for train, calibration, test; x float32 in [0, 1], y int64."""
    d = load_digits()
    x = (d.data / 16.0).astype(np.float32)
    y = d.target.astype(np.int64)
    assert len(x) == N_TRAIN + N_CALIB + N_TEST
    x_rest, x_test, y_rest, y_test = train_test_split(
        x, y, test_size=N_TEST, stratify=y, random_state=SEED)
    x_train, x_cal, y_train, y_cal = train_test_split(
        x_rest, y_rest, test_size=N_CALIB, stratify=y_rest, random_state=SEED)
    return (x_train, y_train), (x_cal, y_cal), (x_test, y_test)


def train(x, y) -> MLPClassifier:
    clf = MLPClassifier(hidden_layer_sizes=(128, 64), activation="relu", solver="adam",
                        alpha=1e-4, max_iter=1000, random_state=SEED)
    clf.fit(x, y)
    assert clf.n_iter_ < clf.max_iter, "did not converge"
    return clf


def torch_weights(clf: MLPClassifier) -> dict:
    """sklearn's coefs_[i] is [in, out]; PyTorch's Linear.weight is [out, in]."""
    w = {}
    for name, coef, icpt in zip(net.LAYERS, clf.coefs_, clf.intercepts_):
        w[f"{name}/weight"] = np.ascontiguousarray(coef.T, dtype=np.float32)
        w[f"{name}/bias"] = np.ascontiguousarray(icpt, dtype=np.float32)
    return w


def dset(parent, name, data, chunks=None):
    # track_times=False (h5py's default too, stated explicitly): no object timestamps, so regeneration is
    # byte-identical (checked with cmp on two runs, also with 1 BLAS thread).
    return parent.create_dataset(name, data=data, chunks=chunks, track_times=False)


def new_file(path):
    # Default libver (never 'latest'): Debian's libhdf5 1.10 must read these files.
    return h5py.File(path, "w")


def stats(a: np.ndarray) -> dict:
    """numpy statistics in float64 of float32 (or integer) data; std is the population std (ddof=0)."""
    v = np.asarray(a).astype(np.float64).ravel()
    return {
        "dtype": str(np.asarray(a).dtype),
        "shape": list(a.shape),
        "count": int(v.size),
        "min": float(v.min()),
        "max": float(v.max()),
        "mean": float(v.mean()),
        "std": float(v.std()),
        "absmax": float(np.abs(v).max()),
        "zero_fraction": float(np.mean(v == 0.0)),
        "nan_count": int(np.isnan(v).sum()),
        "inf_count": int(np.isinf(v).sum()),
    }


def w8a8_accuracy(weights, acts_cal, x_test, y_test):
    """Held-out accuracy with int8 fake-quant: per-channel symmetric weights, per-tensor min-max activations
    (ranges observed on the calibration split)."""
    wq = {k: (net.fake_quant_weight_per_channel(v) if k.endswith("/weight") else v) for k, v in weights.items()}
    qp = {name: net.minmax_act_qparams(acts_cal[name].min(), acts_cal[name].max()) for name in net.LAYERS}
    acc_w8a8 = net.evaluate(wq, x_test, y_test, qp)
    acc_w8 = net.evaluate(wq, x_test, y_test)
    agree = float(np.mean(net.predict(wq, x_test, qp) == net.predict(weights, x_test)))
    return acc_w8a8, acc_w8, agree, qp


def main():
    (x_tr, y_tr), (x_cal, y_cal), (x_te, y_te) = splits()
    clf = train(x_tr, y_tr)
    weights = torch_weights(clf)

    acc_train = net.evaluate(weights, x_tr, y_tr)
    acc_test = net.evaluate(weights, x_te, y_te)
    acc_sklearn = float(np.mean(clf.predict(x_te) == y_te))
    assert abs(acc_test - acc_sklearn) < 1e-12, (acc_test, acc_sklearn)

    acts = {}
    net.forward(weights, x_cal, record=acts)

    # weights.h5
    with new_file(os.path.join(HERE, "weights.h5")) as f:
        f.attrs["architecture"] = net.ARCHITECTURE
        f.attrs["convention"] = "PyTorch nn.Linear: weight [out, in], bias [out], y = x @ weight.T + bias"
        f.attrs["dataset"] = "scikit-learn load_digits, 8x8 pixels / 16 -> 64 features in [0, 1]"
        f.attrs["trainer"] = (f"scikit-learn {sklearn.__version__} MLPClassifier(hidden_layer_sizes=(128, 64), "
                              f"activation='relu', solver='adam', alpha=1e-4, random_state={SEED}), "
                              f"{clf.n_iter_} epochs")
        f.attrs["splits"] = f"stratified, disjoint: train {N_TRAIN}, calibration {N_CALIB}, held-out test {N_TEST}"
        f.attrs["float_accuracy"] = np.float64(acc_test)
        f.attrs["script"] = SCRIPT
        for name in net.LAYERS:
            g = f.create_group(name)
            dset(g, "weight", weights[f"{name}/weight"])
            dset(g, "bias", weights[f"{name}/bias"])

    # activations.h5
    with new_file(os.path.join(HERE, "activations.h5")) as f:
        f.attrs["description"] = ("input of every linear layer of weights.h5 over the calibration split, "
                                  "first axis = samples")
        f.attrs["split"] = "calibration"
        f.attrs["script"] = SCRIPT
        for name in net.LAYERS:
            a = np.ascontiguousarray(acts[name], dtype=np.float32)
            dset(f, name, a, chunks=(CHUNK_ROWS, a.shape[1]))

    # heldout.h5
    with new_file(os.path.join(HERE, "heldout.h5")) as f:
        f.attrs["description"] = "held-out test split (disjoint from training and calibration)"
        f.attrs["script"] = SCRIPT
        dset(f, "x", np.ascontiguousarray(x_te, dtype=np.float32))
        dset(f, "y", np.ascontiguousarray(y_te, dtype=np.int64))

    # reference_stats.json, computed from what was written (read back).
    ref = {"script": SCRIPT,
           "note": "numpy float64 statistics of the float32 data; std is population (ddof=0)",
           "files": {}}
    for fname in ("weights.h5", "activations.h5"):
        entries = {}
        with h5py.File(os.path.join(HERE, fname), "r") as f:
            def visit(path, obj):
                if isinstance(obj, h5py.Dataset):
                    entries["/" + path] = stats(obj[()])
            f.visititems(visit)
        ref["files"][fname] = dict(sorted(entries.items()))
    with open(os.path.join(HERE, "reference_stats.json"), "w") as fh:
        json.dump(ref, fh, indent=2, sort_keys=False)
        fh.write("\n")

    # Sanity: the loaders round-trip and the W8A8 figure.
    w_loaded = net.load_weights(os.path.join(HERE, "weights.h5"))
    x_h, y_h = net.load_heldout(os.path.join(HERE, "heldout.h5"))
    assert net.evaluate(w_loaded, x_h, y_h) == acc_test
    acc_w8a8, acc_w8, agree, qp = w8a8_accuracy(w_loaded, acts, x_h, y_h)

    print(f"architecture      {net.ARCHITECTURE}")
    print(f"splits            train {len(y_tr)}, calibration {len(y_cal)}, held-out {len(y_te)}")
    print(f"epochs            {clf.n_iter_} (loss {clf.loss_:.5f})")
    print(f"train accuracy    {acc_train:.4f}")
    print(f"float accuracy    {acc_test:.4f}  (held-out, {int(round(acc_test * len(y_te)))}/{len(y_te)})")
    print(f"W8 (per-channel)  {acc_w8:.4f}")
    print(f"W8A8 fake-quant   {acc_w8a8:.4f}  (int8 per-channel symmetric weights, per-tensor min-max activations)")
    print(f"W8A8 vs float     {agree:.4f} of held-out predictions identical")
    for name in net.LAYERS:
        s, z, _, _ = qp[name]
        print(f"  {name} input range [{acts[name].min():.6g}, {acts[name].max():.6g}] scale {s:.6g} zero-point {z}")
    for fname in ("weights.h5", "activations.h5", "heldout.h5", "reference_stats.json"):
        print(f"{fname:22s}{os.path.getsize(os.path.join(HERE, fname)):>9d} bytes")


if __name__ == "__main__":
    main()
