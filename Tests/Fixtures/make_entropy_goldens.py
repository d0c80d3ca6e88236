#!/usr/bin/env python3
"""Entropy (KL-divergence) calibration thresholds from the real calibrators, on committed histograms.

Run in a venv outside the repository that has the reference libraries (versions are recorded in the JSON):
    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install torch numpy scipy onnx onnxruntime
    /tmp/venv/bin/pip install --no-deps nvidia-modelopt   # plus what its import asks for (pydantic, ...)
    /tmp/venv/bin/python Tests/Fixtures/make_entropy_goldens.py
Writes Tests/Fixtures/entropy_goldens.json (checked by Tests/ObserversTests/EntropyGoldenTests.swift).

Each histogram is an exact histogram on PTQKit's canonical grid (power-of-two bins aligned at zero, at most
`budget` bins; see ExactHistogram.swift), computed here with numpy from seeded data (the grid rule is
re-implemented independently, as in make_observer_goldens.py) and stored as the histogram state PTQKit
decodes (budget, exponent, firstBin, counts, min, max). On that same grid:

  tensorrt     REAL LIBRARY: NVIDIA ModelOpt `modelopt.torch.quantization.calib.histogram._compute_amax_entropy`
               (the TensorRT entropy calibrator ModelOpt's HistogramCalibrator runs) on the |x| histogram,
               folded exactly as ExactHistogram.folded() does (bin k < 0 -> -k-1), with bin edges i*w;
               for 8-bit signed (128 levels) and unsigned (256), 4-bit signed (8) and 6-bit signed (32),
               start_bin 128 (and 64). Its result, a bin edge, is exact in float64/float32.
  onnxruntime  REAL LIBRARY: onnxruntime.quantization.calibrate.HistogramCollector.get_entropy_threshold
               on the zero-centred signed histogram (H bins per side, edges i*w as float32), with
               num_quantized_bins 2^bits for 8 and 4 bits (what PTQKit's ORT entropy port passes).
"""
import base64
import json
import pathlib
import sys

import numpy as np

HERE = pathlib.Path(__file__).parent
OUT = HERE / "entropy_goldens.json"
sys.path.insert(0, str(HERE))
from make_observer_goldens import canonical_grid  # noqa: E402  (ExactHistogram's grid rule, in numpy)


def datasets():
    """name -> float32 data: the observer fixtures' tensors plus shapes they lack."""
    out = {}
    observer = json.loads((HERE / "observer_goldens.json").read_text())
    for name in ("gaussian", "relu", "student_t", "outliers"):
        raw = base64.b64decode(observer["fixtures"][name]["data_f32le_base64"])
        out[name] = np.frombuffer(raw, dtype="<f4").astype(np.float32)
    rng = np.random.default_rng(20261206)
    out["laplace"] = rng.laplace(0.0, 0.3, 20000).astype(np.float32)
    out["uniform"] = rng.uniform(-1.0, 3.0, 20000).astype(np.float32)
    bimodal = np.concatenate([rng.normal(-2.0, 0.2, 9000), rng.normal(1.5, 0.6, 11000)])
    out["bimodal"] = bimodal.astype(np.float32)
    out["lognormal"] = rng.lognormal(0.0, 1.0, 20000).astype(np.float32)  # one-sided, heavy tail
    spikes = rng.choice(np.array([-0.5, 0.0, 0.25, 0.5, 2.0], dtype=np.float32), 20000, p=[0.1, 0.4, 0.2, 0.2, 0.1])
    out["spikes"] = (spikes + rng.normal(0, 1e-3, 20000)).astype(np.float32)
    return out


def folded(e, first, counts):
    """|x| histogram exactly as ExactHistogram.folded(): bin k >= 0 stays, k < 0 goes to -k-1."""
    last = first + counts.size - 1
    n = max(last, -first - 1) + 1
    out = np.zeros(max(n, 1), dtype=np.int64)
    for i, c in enumerate(counts):
        k = first + i
        out[k if k >= 0 else -k - 1] += int(c)
    return out


def tensorrt_records(e, first, counts):
    from modelopt.torch.quantization.calib.histogram import _compute_amax_entropy

    h = folded(e, first, counts)
    w = 2.0 ** e
    edges = np.arange(h.size + 1, dtype=np.float64) * w
    records = []
    for bits, unsigned, start in ((8, False, 128), (8, True, 128), (4, False, 128), (6, False, 64)):
        if h.size < start:
            continue  # ModelOpt's loop is empty then (its argmin fails); PTQKit lowers the start instead
        amax = _compute_amax_entropy(h.astype(np.float64).copy(), edges, bits, unsigned, stride=1, start_bin=start)
        levels = 1 << (bits - 1 + int(unsigned))
        records.append({"bits": bits, "unsigned": unsigned, "levels": levels, "startBin": start,
                        "amax": float(amax.item())})
    return records


def onnxruntime_records(e, first, counts, lo, hi):
    from onnxruntime.quantization.calibrate import HistogramCollector

    w = 2.0 ** e
    half = max(-first, first + counts.size, 1)
    hist = np.zeros(2 * half, dtype=np.int64)
    hist[first + half:first + half + counts.size] = counts
    edges = (np.arange(-half, half + 1, dtype=np.float64) * w).astype(np.float32)
    records = []
    for bits in (8, 4):
        q = 1 << bits
        c = HistogramCollector(method="entropy", symmetric=True, num_bins=hist.size, num_quantized_bins=q,
                               percentile=99.99, scenario="same")
        low, high = c.get_entropy_threshold((hist, edges, np.float32(lo), np.float32(hi)), q)
        records.append({"bits": bits, "quantizedBins": q, "low": float(low), "high": float(high)})
    return records


def main():
    import modelopt
    import onnxruntime
    import scipy

    histograms = []
    for name, x in datasets().items():
        for budget in (4096, 1024):
            e, first, counts = canonical_grid(x, budget)
            lo, hi = np.float32(x.min()), np.float32(x.max())
            histograms.append({
                "name": f"{name}-{budget}",
                "state": {"budget": budget, "exponent": e, "firstBin": first, "counts": [int(v) for v in counts],
                          "min": float(lo), "max": float(hi)},
                "tensorrt": tensorrt_records(e, first, counts),
                "onnxruntime": onnxruntime_records(e, first, counts, lo, hi),
            })
            print(name, budget, counts.size, "bins", file=sys.stderr)
    doc = {
        "generator": "Tests/Fixtures/make_entropy_goldens.py",
        "sources": {
            "tensorrt": "real library nvidia-modelopt %s (calib.histogram._compute_amax_entropy), scipy %s"
                        % (modelopt.__version__, scipy.__version__),
            "onnxruntime": "real library onnxruntime %s (calibrate.HistogramCollector.get_entropy_threshold)"
                           % onnxruntime.__version__,
        },
        "numpy": np.__version__,
        "histograms": histograms,
    }
    OUT.write_text(json.dumps(doc, separators=(",", ":")) + "\n")
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes)", file=sys.stderr)


if __name__ == "__main__":
    main()
