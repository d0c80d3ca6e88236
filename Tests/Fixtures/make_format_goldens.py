#!/usr/bin/env python3
"""Goldens for every `format:` of PTQKit's weights, computed with numpy float32 arithmetic and ml_dtypes
(the reference types), not with PTQKit.

    .build/test-venv/bin/python Tests/Fixtures/make_format_goldens.py

Reads the bundled weights (Calibration/weights.h5: /fc1/weight, /fc2/weight, /fc3/weight, [out, in]) and
writes Tests/Fixtures/formats/format_goldens.json: for every format and weight, the SHA-256 of the
dequantized float32 tensor (row-major, little-endian), its first 8 values (float32 bits, hex) and its SQNR
(dB). FormatGoldenTests.swift (in-process) and FormatCLITests.swift (`ptq calibrate -> verify -> dequantize`)
compare `ptq dequantize` with them bit for bit.

Definitions (the config is `weights: {format: F}` and the defaults: min-max, per output channel (axis 0)
for minifloats and fixed point, blocks along the last (input) axis for MX / NVFP4):
  minifloat  s = amax / maxfinite per channel (float32; 1 for amax 0, at least 2^-126);
             x' = float32(F(clip(x / s, -maxfinite, maxfinite))) * s
  MX         per block of 32: k = clip(floor(log2 amax_b) - emax_elem, -127, 127) (k = 0 for amax_b 0);
             X = float32(float8_e8m0fnu from the code k + 127); x' = float32(E(clip(x / X, -max, max))) * X
  NVFP4      g = amax / 2688 (1 if 0); per block of 16: c = float8_e4m3fn(clip((amax_b / 6) / g, 0, 448));
             s_b = float32(c) * g; x' = float32(float4_e2m1fn(clip(x / s_b, -6, 6))) * s_b (x / s_b = 0 for s_b 0)
  fixed      int8 narrow: n = the largest n with amax * 2^n <= 127 (per channel); x' = clip(rint(x * 2^n),
             -127, 127) * 2^-n
"""
import hashlib
import json
import os

import h5py
import ml_dtypes
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
WEIGHTS = os.path.join(ROOT, "Calibration", "weights.h5")
OUT = os.path.join(ROOT, "Tests", "Fixtures", "formats", "format_goldens.json")
TENSORS = ["/fc1/weight", "/fc2/weight", "/fc3/weight"]
F32 = np.float32

MINIFLOATS = {
    "fp8_e4m3fn": ml_dtypes.float8_e4m3fn,
    "fp8_e5m2": ml_dtypes.float8_e5m2,
    "fp8_e4m3fnuz": ml_dtypes.float8_e4m3fnuz,
    "fp8_e5m2fnuz": ml_dtypes.float8_e5m2fnuz,
    "fp6_e2m3fn": ml_dtypes.float6_e2m3fn,
    "fp6_e3m2fn": ml_dtypes.float6_e3m2fn,
    "fp4_e2m1fn": ml_dtypes.float4_e2m1fn,
}
MX = {
    "mxfp8_e4m3": ml_dtypes.float8_e4m3fn,
    "mxfp8_e5m2": ml_dtypes.float8_e5m2,
    "mxfp6_e2m3": ml_dtypes.float6_e2m3fn,
    "mxfp6_e3m2": ml_dtypes.float6_e3m2fn,
    "mxfp4": ml_dtypes.float4_e2m1fn,
}


def max_finite(dtype) -> np.float32:
    return F32(ml_dtypes.finfo(dtype).max)


def convert(q: np.ndarray, dtype) -> np.ndarray:
    """float32 -> dtype (round to nearest even) -> float32, saturating at the largest finite value."""
    m = max_finite(dtype)
    return np.clip(q, -m, m).astype(dtype).astype(F32)


def minifloat(x: np.ndarray, dtype) -> np.ndarray:
    m = max_finite(dtype)
    amax = np.max(np.abs(x), axis=1, keepdims=True)
    s = np.where(amax > 0, np.maximum(amax / m, F32(2.0**-126)), F32(1)).astype(F32)
    return convert(x / s, dtype) * s


def blocks(x: np.ndarray, size: int) -> np.ndarray:
    out, width = x.shape
    assert width % size == 0
    return x.reshape(out, width // size, size)


def mx(x: np.ndarray, dtype) -> np.ndarray:
    emax = int(np.frexp(max_finite(dtype))[1]) - 1  # exponent of the largest normal: E4M3 8, E2M1 2, ...
    b = blocks(x, 32)
    amax = np.max(np.abs(b), axis=2, keepdims=True)
    floor_log2 = np.frexp(amax)[1].astype(np.int32) - 1  # amax = m * 2^e, m in [0.5, 1)
    k = np.where(amax > 0, np.clip(floor_log2 - emax, -127, 127), 0)
    X = (k + 127).astype(np.uint8).view(ml_dtypes.float8_e8m0fnu).astype(F32)
    return (convert(b / X, dtype) * X).reshape(x.shape)


def nvfp4(x: np.ndarray) -> np.ndarray:
    amax = F32(np.max(np.abs(x)))
    g = amax / F32(448 * 6)
    g = g if g > 0 else F32(1)
    b = blocks(x, 16)
    amax_b = np.max(np.abs(b), axis=2, keepdims=True)
    t = (amax_b / F32(6)) / g
    s = np.clip(t, 0, F32(448)).astype(ml_dtypes.float8_e4m3fn).astype(F32) * g
    q = b / np.where(s > 0, s, F32(np.inf))
    return (convert(q, ml_dtypes.float4_e2m1fn) * s).reshape(x.shape)


def fixed(x: np.ndarray) -> np.ndarray:
    rows = []
    for row in x:
        amax = float(np.max(np.abs(row)))
        n = 0
        if amax > 0:
            n = int(np.floor(np.log2(127 / amax)))
            while n < 64 and amax * 2.0 ** (n + 1) <= 127:
                n += 1
            while n > -64 and amax * 2.0**n > 127:
                n -= 1
        e = F32(2.0**-n)
        q = np.clip(np.rint(row / e), -127, 127).astype(np.int32)
        rows.append(e * q.astype(F32))
    return np.stack(rows).astype(F32)


def dequantized(name: str, x: np.ndarray) -> np.ndarray:
    if name in MINIFLOATS:
        return minifloat(x, MINIFLOATS[name])
    if name in MX:
        return mx(x, MX[name])
    if name == "nvfp4":
        return nvfp4(x)
    assert name == "fixed"
    return fixed(x)


def main() -> None:
    goldens = {}
    with h5py.File(WEIGHTS, "r") as f:
        weights = {path: f[path][()].astype(F32) for path in TENSORS}
    for name in list(MINIFLOATS) + list(MX) + ["nvfp4", "fixed"]:
        entry = {}
        for path, x in weights.items():
            y = dequantized(name, x).astype(F32)
            assert y.dtype == F32 and y.shape == x.shape
            error = np.sum((x.astype(np.float64) - y) ** 2)
            entry[path] = {
                "sha256": hashlib.sha256(y.astype("<f4").tobytes()).hexdigest(),
                "first": [f"{v:08x}" for v in y.reshape(-1)[:8].view(np.uint32)],
                "sqnr_decibels": round(float(10 * np.log10(np.sum(x.astype(np.float64) ** 2) / error)), 4),
            }
        goldens[name] = entry
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as out:
        json.dump(
            {"generator": "Tests/Fixtures/make_format_goldens.py", "ml_dtypes": ml_dtypes.__version__,
             "numpy": np.__version__, "weights": "Calibration/weights.h5", "formats": goldens},
            out, indent=1, sort_keys=True)
        out.write("\n")


if __name__ == "__main__":
    main()
