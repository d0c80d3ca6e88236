#!/usr/bin/env python3
"""Golden vectors for PTQKit's FloatFormat, produced by ml_dtypes (the reference, not by PTQKit).

Run with the reference Python (docs/development.md, "Golden files"):  python3 Tests/Fixtures/make_float_goldens.py
Writes Tests/Fixtures/float/ml_dtypes_goldens.json with, per format:
  - decode: the float32 bit pattern ml_dtypes gives for every code (formats of <= 8 bits),
  - encode: for COUNT inputs produced by the generator below (seeded per format), the first
    PREFIX expected codes (hex) plus FNV-1a 64 digests of all inputs (4 bytes LE each) and of
    all expected codes (1 byte each, 2 bytes LE for bfloat16).
The Swift test (FloatFormatGoldenTests.swift) reimplements the generator bit for bit,
checks the input digest (same inputs), then encodes and checks the prefix and the code digest.

It also writes Tests/Fixtures/float/scaled_goldens.json: scaled quantization of a 6x40 float32
tensor (row r: ((next() >> 40) * 2^-23 - 1) * 2^(r % 5 - 2), row 2 all zeros, seed SCALED_SEED)
per tensor / per channel / per group, computed with numpy float32 arithmetic and ml_dtypes:
scale = amax / maxfinite (scale rule amaxOverMaxFinite) or the OCP MX shared scale
2^(floor(log2 amax) - emax) with x / scale clipped to +-maxfinite (saturation, scale rule powerOfTwo),
1 for an all-zero block; codes = (x / scale).astype(format), dequantized = codes.astype(float32) * scale
(checked by FloatFormatQuantizerTests.swift).

Generator (all integer arithmetic mod 2^64; `next()` is splitmix64):
  for each input: u = next(); kind = u >> 61; sign = ((u >> 60) & 1) << 31
    kind 0,1  raw float32 bit pattern: next() & 0xFFFFFFFF (its own sign)
    kind 2,3  v = next(); k = lo + v % (hi - lo + 1) with lo = max(-149, 1-bias-m-2),
              hi = min(127, emax+2) (emax = unbiased exponent of max finite); frac = (v >> 32) & 0x7FFFFF;
              k >= -126: ((k+127) << 23) | frac, else float32 subnormal (frac | 0x800000) >> (-126-k); | sign
    kind 4,5  exact midpoint between magnitude codes c and c+1, c = next() % (maxcode+1):
              (2*sig+1) * 2^(x-1) where sig*2^x is the value of c; kind 5 moves it one float32 ulp
              up if (u >> 59) & 1 else down; | sign
    kind 6    exact value of code c = next() % (maxcode+1); | sign
    kind 7    v = next(); w = v >> 32; by v % 8: 0 +Inf, 1 quiet NaN 0x7FC00000|(w&0x3FFFFF),
              2 signaling NaN 0x7F800001 + w % 0x3FFFFF, 3 zero, 4 float32 subnormal w & 0x7FFFFF,
              5/6 bits(maxfinite) + w % 2^24 (overflow region, may reach Inf/NaN patterns),
              7 bits(maxfinite) + w % 2^(25-m) - 2^(24-m) (around max finite); | sign
"""
import itertools
import json
import math
import os

import ml_dtypes
import numpy as np

MASK64 = (1 << 64) - 1
COUNT = 1_000_000
PREFIX = 4096

# name, ml_dtypes type, e, m, bias, specials (PTQKit's FloatFormat.SpecialValues), seed
FORMATS = [
    ("float8_e4m3fn", ml_dtypes.float8_e4m3fn, 4, 3, 7, "finiteAndNaN", 0xF8E4),
    ("float8_e5m2", ml_dtypes.float8_e5m2, 5, 2, 15, "ieee", 0xF8E5),
    ("float6_e3m2fn", ml_dtypes.float6_e3m2fn, 3, 2, 3, "finiteOnly", 0xF6E3),
    ("float6_e2m3fn", ml_dtypes.float6_e2m3fn, 2, 3, 1, "finiteOnly", 0xF6E2),
    ("float4_e2m1fn", ml_dtypes.float4_e2m1fn, 2, 1, 1, "finiteOnly", 0xF4E2),
    ("bfloat16", ml_dtypes.bfloat16, 8, 7, 127, "ieee", 0xBF16),
    # IEEE-like 8-bit layouts that are not PTQKit presets, to check the generic path.
    ("float8_e3m4", ml_dtypes.float8_e3m4, 3, 4, 3, "ieee", 0xF8E3),
    ("float8_e4m3", ml_dtypes.float8_e4m3, 4, 3, 7, "ieee", 0xF8E7),
    # FNUZ: no Inf, no -0, NaN = 0x80.
    ("float8_e4m3fnuz", ml_dtypes.float8_e4m3fnuz, 4, 3, 8, "fnuz", 0xF84F),
    ("float8_e5m2fnuz", ml_dtypes.float8_e5m2fnuz, 5, 2, 16, "fnuz", 0xF85F),
    ("float8_e4m3b11fnuz", ml_dtypes.float8_e4m3b11fnuz, 4, 3, 11, "fnuz", 0xF8B1),
]


class SplitMix64:
    def __init__(self, seed):
        self.state = seed & MASK64

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK64
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
        return z ^ (z >> 31)


def fnv1a64(data: bytes) -> int:
    h = 0xCBF29CE484222325
    for b in data:
        h = ((h ^ b) * 0x100000001B3) & MASK64
    return h


def f32_bits(x: float) -> int:
    return int(np.array([x], dtype=np.float32).view(np.uint32)[0])


def max_code(e, m, specials):
    all_ones = (1 << (e + m)) - 1
    return {"ieee": all_ones - (1 << m), "finiteAndNaN": all_ones - 1, "finiteOnly": all_ones,
            "fnuz": all_ones}[specials]


def code_value(c, m, bias):
    """(significand, exponent) with value = significand * 2^exponent of magnitude code c."""
    E, M = c >> m, c & ((1 << m) - 1)
    return (M, 1 - bias - m) if E == 0 else ((1 << m) | M, E - bias - m)


def exact_f32_bits(sig, exp):
    v = math.ldexp(sig, exp)
    bits = f32_bits(v)
    assert float(np.array([bits], dtype=np.uint32).view(np.float32)[0]) == v, (sig, exp)
    return bits


def inputs(e, m, bias, specials, seed):
    rng = SplitMix64(seed)
    mc = max_code(e, m, specials)
    max_bits = exact_f32_bits(*code_value(mc, m, bias))
    emax = (mc >> m) - bias
    lo, hi = max(-149, 1 - bias - m - 2), min(127, emax + 2)
    out = np.empty(COUNT, dtype=np.uint32)
    for i in range(COUNT):
        u = rng.next()
        kind = u >> 61
        sign = ((u >> 60) & 1) << 31
        if kind <= 1:
            bits = rng.next() & 0xFFFFFFFF
        elif kind <= 3:
            v = rng.next()
            k = lo + v % (hi - lo + 1)
            frac = (v >> 32) & 0x7FFFFF
            bits = ((k + 127) << 23) | frac if k >= -126 else (frac | 0x800000) >> (-126 - k)
            bits |= sign
        elif kind <= 5:
            sig, x = code_value(rng.next() % (mc + 1), m, bias)
            bits = exact_f32_bits(2 * sig + 1, x - 1)
            if kind == 5:
                bits = bits + 1 if (u >> 59) & 1 else bits - 1
            bits |= sign
        elif kind == 6:
            bits = exact_f32_bits(*code_value(rng.next() % (mc + 1), m, bias)) | sign
        else:
            v = rng.next()
            w = v >> 32
            j = v % 8
            if j == 0:
                bits = 0x7F800000
            elif j == 1:
                bits = 0x7FC00000 | (w & 0x3FFFFF)
            elif j == 2:
                bits = 0x7F800001 + w % 0x3FFFFF
            elif j == 3:
                bits = 0
            elif j == 4:
                bits = w & 0x7FFFFF
            elif j <= 6:
                bits = max_bits + w % (1 << 24)
            else:
                bits = max_bits + w % (1 << (25 - m)) - (1 << (24 - m))
            bits |= sign
        out[i] = bits
    return out


SCALED_SEED = 0x5CA1ED
SCALED_SHAPE = (6, 40)
# name, (kind, axis, group size) as in PTQKit's Granularity
SCALED_GRANULARITIES = [
    ("perTensor", None, None),
    ("perChannel", 0, None),
    ("perChannel", 1, None),
    ("perGroup", 1, 16),
    ("perGroup", 0, 4),
]


def scaled_tensor():
    rng = SplitMix64(SCALED_SEED)
    rows, cols = SCALED_SHAPE
    x = np.zeros(SCALED_SHAPE, dtype=np.float32)
    for r in range(rows):
        for c in range(cols):
            v = ((rng.next() >> 40) * 2.0**-23 - 1.0) * 2.0 ** (r % 5 - 2)
            x[r, c] = 0.0 if r == 2 else v
    return x


def block_ids(kind, axis, size):
    """Scale index of every element (row-major), scales in row-major order of the scale shape."""
    rows, cols = SCALED_SHAPE
    r, c = np.meshgrid(np.arange(rows), np.arange(cols), indexing="ij")
    if kind == "perTensor":
        return np.zeros(SCALED_SHAPE, dtype=np.int64), 1
    if kind == "perChannel":
        return (r if axis == 0 else c), SCALED_SHAPE[axis]
    if axis == 1:
        groups = -(-cols // size)
        return r * groups + c // size, rows * groups
    groups = -(-rows // size)
    return (r // size) * cols + c, groups * cols


def scaled_goldens():
    x = scaled_tensor()
    out = {"seed": SCALED_SEED, "shape": list(SCALED_SHAPE),
           "inputFNV1a64": f"{fnv1a64(x.astype('<f4').tobytes()):016x}", "cases": []}
    for name, dtype in [("float8_e4m3fn", ml_dtypes.float8_e4m3fn), ("float8_e5m2", ml_dtypes.float8_e5m2),
                        ("float6_e3m2fn", ml_dtypes.float6_e3m2fn), ("float4_e2m1fn", ml_dtypes.float4_e2m1fn)]:
        max_finite = np.float32(ml_dtypes.finfo(dtype).max)
        emax = np.frexp(max_finite)[1] - 1
        for (kind, axis, size), rule in itertools.product(SCALED_GRANULARITIES, ["amaxOverMaxFinite", "powerOfTwo"]):
            ids, count = block_ids(kind, axis, size)
            amax = np.zeros(count, dtype=np.float32)
            np.maximum.at(amax, ids.ravel(), np.abs(x).ravel())
            if rule == "amaxOverMaxFinite":
                scales = np.maximum(amax / max_finite, np.finfo(np.float32).tiny)
            else:
                exponent = np.frexp(amax)[1] - 1  # floor(log2 amax), exact
                scales = np.ldexp(np.float32(1), np.clip(exponent - emax, -127, 127)).astype(np.float32)
            scales = np.where(amax == 0, np.float32(1), scales).astype(np.float32)
            s = scales[ids]
            codes = np.clip(x / s, -max_finite, max_finite).astype(dtype)
            deq = codes.astype(np.float32) * s
            out["cases"].append({
                "format": name, "granularity": kind, "axis": axis, "groupSize": size, "scaleRule": rule,
                "scales": [int(b) for b in scales.view(np.uint32)],
                "codes": "".join(f"{c:02x}" for c in codes.view(np.uint8).ravel()),
                "dequantizedFNV1a64": f"{fnv1a64(deq.astype('<f4').tobytes()):016x}",
            })
    return out


def main():
    result = {
        "generator": "Tests/Fixtures/make_float_goldens.py",
        "ml_dtypes": ml_dtypes.__version__,
        "numpy": np.__version__,
        "count": COUNT,
        "formats": [],
    }
    for name, dtype, e, m, bias, specials, seed in FORMATS:
        fi = ml_dtypes.finfo(dtype)
        assert float(fi.max) == math.ldexp(*code_value(max_code(e, m, specials), m, bias)), name
        entry = {"name": name, "exponentBits": e, "mantissaBits": m, "bias": bias, "specials": specials,
                 "maxFinite": float(fi.max)}
        bits = 1 + e + m
        if bits <= 8:
            codes = np.arange(1 << bits, dtype=np.uint8)
            with np.errstate(invalid="ignore"):
                entry["decode"] = [int(b) for b in codes.view(dtype).astype(np.float32).view(np.uint32)]
        xs = inputs(e, m, bias, specials, seed)
        with np.errstate(invalid="ignore", over="ignore"):
            encoded = xs.view(np.float32).astype(dtype)
        code_bytes = encoded.view(np.uint16 if bits > 8 else np.uint8).astype("<u2" if bits > 8 else "u1")
        codes_list = code_bytes[:PREFIX].tolist()
        width = 4 if bits > 8 else 2
        entry["encode"] = {
            "seed": seed,
            "prefix": "".join(f"{c:0{width}x}" for c in codes_list),
            "inputsFNV1a64": f"{fnv1a64(xs.astype('<u4').tobytes()):016x}",
            "codesFNV1a64": f"{fnv1a64(code_bytes.tobytes()):016x}",
        }
        result["formats"].append(entry)
        print(name, entry["encode"]["inputsFNV1a64"], entry["encode"]["codesFNV1a64"])
    here = os.path.dirname(os.path.abspath(__file__))
    os.makedirs(os.path.join(here, "float"), exist_ok=True)
    with open(os.path.join(here, "float", "ml_dtypes_goldens.json"), "w") as f:
        json.dump(result, f, indent=1)
        f.write("\n")
    scaled = scaled_goldens()
    scaled["ml_dtypes"] = ml_dtypes.__version__
    with open(os.path.join(here, "float", "scaled_goldens.json"), "w") as f:
        json.dump(scaled, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
