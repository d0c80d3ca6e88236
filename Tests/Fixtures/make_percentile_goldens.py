#!/usr/bin/env python3
"""Percentile calibration ranges from ONNX Runtime's real percentile calibrator, on seeded data.

Run in a venv outside the repository with onnxruntime, numpy and torch (make_observer_goldens.py, whose
grid rule this script reuses, imports torch), e.g. /work/venv-audit:
    /work/venv-audit/bin/python Tests/Fixtures/make_percentile_goldens.py
Writes Tests/Fixtures/percentile_goldens.json (checked by Tests/ObserversTests/PercentileGoldenTests.swift).

ONNX Runtime's `HistogramCollector` (what `HistogramCalibrater` / `PercentileCalibrater` run) takes, with
`symmetric=True`, the percentile of |x|: `collect_absolute_value` histograms |x| into `num_bins` equal bins
over [min |x|, max |x|], `compute_percentile` takes the lower edge of the first bin whose cumulative fraction
reaches p/100 as `a` and returns [-a, a] clamped to [min, max]. With `symmetric=False` it histograms x over
[-amax, amax] and cuts (100 - p)/200 from each tail (lower bin edges again).

Each dataset (one million float32 values from a fixed seed; only their histogram is committed) is stored as
the exact histogram state PTQKit decodes (budget, exponent, firstBin, counts, min, max: PTQKit's canonical
grid, power-of-two bins aligned at zero, from make_observer_goldens.canonical_grid). For each percentile:

  same_grid  REAL LIBRARY on PTQKit's grid: `HistogramCollector.compute_percentile` on that very histogram —
             folded onto |x| exactly as ExactHistogram.folded() does (bin k < 0 -> -k-1) for symmetric,
             zero-centred signed bins for asymmetric; edges i*w as float32. PTQKit's `lower-edge`
             convention must give these ranges exactly.
  raw        REAL LIBRARY as a user runs it: `HistogramCollector.collect` on the raw values in one batch
             (num_bins 2048, ORT's default) then `compute_percentile`; ORT's bin width is recorded. PTQKit
             (any convention) must be within one bin of these.
  numpy      np.percentile on the raw values: |x| at p, and each tail at 100 - p and p.
  orderStatistics  the two order statistics a lower-edge percentile at those fractions chooses between.
"""
import json
import pathlib
import sys

import numpy as np

HERE = pathlib.Path(__file__).parent
OUT = HERE / "percentile_goldens.json"
sys.path.insert(0, str(HERE))
from make_observer_goldens import canonical_grid  # noqa: E402  (ExactHistogram's grid rule, in numpy)

N = 1_000_000
PERCENTILES = (99.999, 99.99, 99.9)
ORT_BINS = 2048


def datasets():
    """name -> float32 data: heavy-tailed, Gaussian, outlier channels, one-sided."""
    rng = np.random.default_rng(20261207)
    out = {
        "student_t3": rng.standard_t(3.0, N).astype(np.float32),
        "gaussian": rng.normal(0.0, 1.0, N).astype(np.float32),
    }
    # [rows, 64] activations, Gaussian per channel; 3 channels carry 16x larger values (LLM-style outliers).
    x = rng.normal(0.0, 1.0, (N // 64, 64))
    x[:, [5, 17, 42]] *= 16.0
    out["outlier_channels"] = x.reshape(-1).astype(np.float32)
    out["lognormal"] = rng.lognormal(0.0, 1.0, N).astype(np.float32)  # one-sided, heavy right tail
    return out


def folded(first, counts):
    """|x| histogram exactly as ExactHistogram.folded(): bin k >= 0 stays, k < 0 goes to -k-1."""
    last = first + counts.size - 1
    n = max(last, -first - 1) + 1
    out = np.zeros(max(n, 1), dtype=np.int64)
    for i, c in enumerate(counts):
        k = first + i
        out[k if k >= 0 else -k - 1] += int(c)
    return out


def collector(symmetric, p, bins):
    from onnxruntime.quantization.calibrate import HistogramCollector

    return HistogramCollector(method="percentile", symmetric=symmetric, num_bins=bins, num_quantized_bins=128,
                              percentile=p, scenario="same")


def same_grid(e, first, counts, lo, hi, p):
    """ORT's compute_percentile on PTQKit's own histogram (absolute and asymmetric)."""
    w = 2.0 ** e
    h = folded(first, counts)
    c = collector(True, p, h.size)
    edges = (np.arange(h.size + 1, dtype=np.float64) * w).astype(np.float32)
    c.histogram_dict = {"t": (h, edges, np.float32(lo), np.float32(hi))}
    sym = c.compute_percentile()["t"]
    half = max(-first, first + counts.size, 1)
    signed = np.zeros(2 * half, dtype=np.int64)
    signed[first + half:first + half + counts.size] = counts
    edges = (np.arange(-half, half + 1, dtype=np.float64) * w).astype(np.float32)
    c = collector(False, p, signed.size)
    c.histogram_dict = {"t": (signed, edges, np.float32(lo), np.float32(hi), np.float32(half * w))}
    asym = c.compute_percentile()["t"]
    return {"absolute": [float(sym[0]), float(sym[1])], "each": [float(asym[0]), float(asym[1])]}


def raw(x, p):
    """ORT's collector on the raw values, as HistogramCalibrater runs it (one batch, 2048 bins)."""
    out = {}
    for symmetric, key in ((True, "absolute"), (False, "each")):
        c = collector(symmetric, p, ORT_BINS)
        c.collect({"t": x})
        low, high = c.compute_percentile()["t"][:2]
        edges = c.histogram_dict["t"][1]
        out[key] = [float(low), float(high)]
        out[key + "BinWidth"] = float(np.float64(edges[1]) - np.float64(edges[0]))
    return out


def order_statistics(x, p):
    """The k-th and (k+1)-th smallest values (1-based, k = ceil(t*N)) at the fractions ORT's percentile looks
    for: t = p/100 of |x|, and t = c, 1 - c of x with c = (100 - p)/200. A lower-edge percentile picks the bin of
    the k-th; ORT's float cumulative sum sometimes falls just short of t there and takes the (k+1)-th."""
    def pair(v, t):
        v = np.sort(v.astype(np.float64))
        k = int(np.ceil(t * v.size))
        return [float(v[k - 1]), float(v[min(k, v.size - 1)])]
    c = (100.0 - p) / 200.0
    return {"absolute": pair(np.abs(x), p / 100.0), "each": [pair(x, c), pair(x, 1.0 - c)]}


def main():
    import onnxruntime

    records = []
    for name, x in datasets().items():
        e, first, counts = canonical_grid(x, 4096)
        lo, hi = np.float32(x.min()), np.float32(x.max())
        a = np.abs(x.astype(np.float64))
        ranges = []
        for p in PERCENTILES:
            ranges.append({
                "percentile": p,
                "sameGrid": same_grid(e, first, counts, lo, hi, p),
                "raw": raw(x, p),
                "numpy": {"absolute": float(np.percentile(a, p)),
                          "each": [float(np.percentile(x, 100 - p)), float(np.percentile(x, p))]},
                "orderStatistics": order_statistics(x, p),
            })
            print(name, p, ranges[-1]["raw"], file=sys.stderr)
        records.append({
            "name": name,
            "state": {"budget": 4096, "exponent": int(e), "firstBin": int(first),
                      "counts": [int(v) for v in counts], "min": float(lo), "max": float(hi)},
            "ranges": ranges,
        })
    doc = {
        "generator": "Tests/Fixtures/make_percentile_goldens.py",
        "source": "real library onnxruntime %s (calibrate.HistogramCollector percentile: collect, compute_percentile)"
                  % onnxruntime.__version__,
        "numpy": np.__version__,
        "records": records,
    }
    OUT.write_text(json.dumps(doc, separators=(",", ":")) + "\n")
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes)", file=sys.stderr)


if __name__ == "__main__":
    main()
