#!/usr/bin/env python3
"""Golden values for the Observers tests, produced by the real libraries.

Run with the reference Python (docs/development.md, "Golden files"):  python3 Tests/Fixtures/make_observer_goldens.py
Writes Tests/Fixtures/observer_goldens.json (data as base64 little-endian float32, fixed seeds).

For each fixture tensor (shape [128, 64]; Gaussian, post-ReLU, heavy-tailed Student-t, Gaussian with
outliers) it records:
  - PyTorch MinMaxObserver (quint8 affine, qint8 symmetric, qint8 affine, quint8 symmetric):
    min, max, scale (float32 bits), zero point;
  - PyTorch PerChannelMinMaxObserver along axes 0 and 1 (qint8 per-channel symmetric, quint8 affine);
  - PyTorch MovingAverageMinMaxObserver (c = 0.01) over 4 batches of 32 rows (quint8 affine);
  - PyTorch HistogramObserver (whole tensor, quint8 affine and qint8 symmetric): the min/max its
    L2 search chose, its qparams, and the mean squared error of fake-quantizing the data with them;
  - ONNX Runtime HistogramCollector percentile (2048 bins, p = 99.99, symmetric on |x| and two-sided)
    and entropy (4096 signed bins = 2048 per side, 256 quantized bins = 2^(8-1) per side), with the
    collector's bin width;
  - the exact histogram's canonical grid (power-of-two bins aligned at zero, budget 4096; see
    ExactHistogram.swift) computed independently with numpy (floor(x / 2^e) in float64), and ONNX
    Runtime's own `get_entropy_threshold` run on that grid (zero-centred, H bins per side);
  - numpy percentiles (two-sided 0.01/99.99 and 1/99, and |x| at 99.99).
"""
import base64
import json
import pathlib

import numpy as np
import torch
from torch.ao.quantization import observer as tobs
from onnxruntime.quantization.calibrate import HistogramCollector

ROWS, COLS = 128, 64
OUT = pathlib.Path(__file__).with_name("observer_goldens.json")


def make_data():
    rng = np.random.default_rng(20261129)
    gauss = rng.normal(0.0, 1.0, (ROWS, COLS)).astype(np.float32)
    relu = np.maximum(rng.normal(0.3, 1.0, (ROWS, COLS)), 0.0).astype(np.float32)
    heavy = (rng.standard_t(3.0, (ROWS, COLS)) * 0.5).astype(np.float32)
    outl = rng.normal(0.0, 0.5, (ROWS, COLS)).astype(np.float32)
    idx = rng.choice(ROWS * COLS, 12, replace=False)
    outl.reshape(-1)[idx] = rng.uniform(8.0, 20.0, 12).astype(np.float32) * rng.choice([-1, 1], 12)
    # per-channel scales so per-channel results differ from per-tensor ones
    gauss *= np.linspace(0.25, 2.0, COLS, dtype=np.float32)[None, :]
    return {"gaussian": gauss, "relu": relu, "student_t": heavy, "outliers": outl}


def f32bits(x):
    return int(np.array(x, dtype=np.float32).view(np.uint32))


def qparams_record(obs):
    scale, zp = obs.calculate_qparams()
    scale = scale.reshape(-1).numpy().astype(np.float32)
    zp = zp.reshape(-1).numpy().astype(np.int64)
    mn = obs.min_val.reshape(-1).numpy().astype(np.float32)
    mx = obs.max_val.reshape(-1).numpy().astype(np.float32)
    return {
        "min": [float(v) for v in mn],
        "max": [float(v) for v in mx],
        "min_bits": [f32bits(v) for v in mn],
        "max_bits": [f32bits(v) for v in mx],
        "scale_bits": [f32bits(v) for v in scale],
        "zero_point": [int(v) for v in zp],
    }


SCHEMES = {
    "quint8_affine": (torch.quint8, torch.per_tensor_affine, torch.per_channel_affine, 0, 255),
    "qint8_symmetric": (torch.qint8, torch.per_tensor_symmetric, torch.per_channel_symmetric, -128, 127),
    "qint8_affine": (torch.qint8, torch.per_tensor_affine, torch.per_channel_affine, -128, 127),
    "quint8_symmetric": (torch.quint8, torch.per_tensor_symmetric, torch.per_channel_symmetric, 0, 255),
}


def torch_records(x):
    t = torch.from_numpy(x)
    rec = {"minmax": {}, "per_channel": {}, "moving_average": {}, "histogram": {}}
    for name, (dtype, qs, qc, _, _) in SCHEMES.items():
        o = tobs.MinMaxObserver(dtype=dtype, qscheme=qs)
        o(t)
        rec["minmax"][name] = qparams_record(o)
        for axis in (0, 1):
            o = tobs.PerChannelMinMaxObserver(ch_axis=axis, dtype=dtype, qscheme=qc)
            o(t)
            rec["per_channel"][f"{name}_axis{axis}"] = qparams_record(o)
        o = tobs.MovingAverageMinMaxObserver(averaging_constant=0.01, dtype=dtype, qscheme=qs)
        for b in range(4):
            o(t[b * 32:(b + 1) * 32])
        rec["moving_average"][name] = qparams_record(o)
    for name in ("quint8_affine", "qint8_symmetric"):
        dtype, qs, _, qmin, qmax = SCHEMES[name]
        o = tobs.HistogramObserver(bins=2048, dtype=dtype, qscheme=qs)
        o(t)
        new_min, new_max = o._non_linear_param_search()
        scale, zp = o.calculate_qparams()
        fq = torch.fake_quantize_per_tensor_affine(t, float(scale), int(zp), qmin, qmax)
        mse = float(np.mean((fq.numpy().astype(np.float64) - x.astype(np.float64)) ** 2))
        rec["histogram"][name] = {
            "search_min": float(new_min),
            "search_max": float(new_max),
            "scale_bits": f32bits(float(scale)),
            "scale": float(np.float32(float(scale))),
            "zero_point": int(zp),
            "qmin": qmin,
            "qmax": qmax,
            "mse": mse,
        }
    return rec


def ort_records(x):
    rec = {}
    for sym in (True, False):
        c = HistogramCollector(method="percentile", symmetric=sym, num_bins=2048,
                               num_quantized_bins=128, percentile=99.99, scenario="same")
        c.collect({"x": x})
        hist, edges = c.histogram_dict["x"][0], c.histogram_dict["x"][1]
        lo, hi = c.compute_collection_result()["x"][:2]
        rec["percentile_symmetric" if sym else "percentile_two_sided"] = {
            "p": 99.99, "low": float(lo), "high": float(hi),
            "bin_width": float(edges[1] - edges[0]), "bins": int(hist.size)}
    c = HistogramCollector(method="entropy", symmetric=True, num_bins=4096,
                           num_quantized_bins=256, percentile=99.99, scenario="same")
    c.collect({"x": x})
    hist, edges = c.histogram_dict["x"][0], c.histogram_dict["x"][1]
    lo, hi = c.compute_collection_result()["x"][:2]
    rec["entropy"] = {"bits": 8, "low": float(lo), "high": float(hi),
                      "bin_width": float(edges[1] - edges[0]), "bins": int(hist.size)}
    return rec


def canonical_grid(x, budget=4096):
    """numpy re-implementation of ExactHistogram's grid rule (independent check of the Swift code)."""
    lo, hi = float(x.min()), float(x.max())
    amax = max(-lo, hi)
    e = -149
    if amax > 0:
        e = max(e, int(np.floor(np.log2(amax))) - 21)
    while np.floor(hi / 2.0 ** e) - np.floor(lo / 2.0 ** e) + 1 > budget:
        e += 1
    k = np.floor(x.astype(np.float64).reshape(-1) / 2.0 ** e).astype(np.int64)
    first = int(np.floor(lo / 2.0 ** e))
    counts = np.bincount(k - first, minlength=int(k.max() - first + 1))
    return e, first, counts


def grid_records(x):
    e, first, counts = canonical_grid(x)
    w = 2.0 ** e
    half = max(-first, first + counts.size, 1)
    hist = np.zeros(2 * half, dtype=np.int64)
    hist[first + half:first + half + counts.size] = counts
    edges = (np.arange(-half, half + 1, dtype=np.float64) * w).astype(np.float32)
    c = HistogramCollector(method="entropy", symmetric=True, num_bins=hist.size,
                           num_quantized_bins=256, percentile=99.99, scenario="same")
    lo, hi = c.get_entropy_threshold((hist, edges, np.float32(x.min()), np.float32(x.max())), 256)
    return {"budget": 4096, "exponent": e, "first_bin": first, "counts": [int(v) for v in counts],
            "ort_entropy_low": float(lo), "ort_entropy_high": float(hi), "bin_width": w}


def numpy_records(x):
    flat = x.reshape(-1).astype(np.float64)
    out = {}
    for p in (99.99, 99.0):
        out[f"two_sided_{p}"] = {"p": p, "low": float(np.percentile(flat, 100.0 - p)),
                                 "high": float(np.percentile(flat, p))}
    out["abs_99.99"] = {"p": 99.99, "high": float(np.percentile(np.abs(flat), 99.99))}
    return out


def main():
    torch.manual_seed(0)
    fixtures = {}
    for name, x in make_data().items():
        fixtures[name] = {
            "shape": list(x.shape),
            "data_f32le_base64": base64.b64encode(x.astype("<f4").tobytes()).decode("ascii"),
            "torch": torch_records(x),
            "onnxruntime": ort_records(x),
            "numpy": numpy_records(x),
            "exact_grid": grid_records(x),
        }
    doc = {"generator": "Tests/Fixtures/make_observer_goldens.py",
           "versions": {"torch": torch.__version__, "numpy": np.__version__,
                        "onnxruntime": __import__("onnxruntime").__version__},
           "fixtures": fixtures}
    OUT.write_text(json.dumps(doc, sort_keys=True, separators=(",", ":")) + "\n")
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
