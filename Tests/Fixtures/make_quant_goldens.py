#!/usr/bin/env python3
"""Golden vectors for PTQKit's integer affine quantization profiles (QuantCore/AffineScheme).

Run with the reference Python (docs/development.md, "Golden files"):  python3 Tests/Fixtures/make_quant_goldens.py
Writes Tests/Fixtures/quant/affine_goldens.json: "ranges" (float32 bits of min, max), "params" (per
profile/format/symmetry the scale bits and zero-point for every range), "codes" (per-tensor code vectors),
"perChannel" (PyTorch per-channel weights), (checked by Tests/QuantCoreTests/AffineGoldenTests.swift).

Where each number comes from (also recorded in the JSON under "sources"):
  pytorch      REAL LIBRARY: torch.ao.quantization.observer.MinMaxObserver fed the float32 tensor
               [min, max], then calculate_qparams(); codes from torch.quantize_per_tensor (8-bit) and
               torch.quantize_per_channel with PerChannelMinMaxObserver (per-channel case).
               Formats: 2..8 bits as qint8/quint8 with quant_min/quant_max (8-bit full range uses the
               default, non-customized range), 16 bits as torch.int16/torch.uint16.
  onnxruntime  REAL LIBRARY: onnxruntime.quantization.quant_utils.compute_scale_zp(rmin, rmax, qmin, qmax,
               symmetric) with (qmin, qmax) from get_qmin_qmax_for_qType(qType, symmetric=...) for
               INT8/UINT8/INT16/UINT16/INT4/UINT4; for other widths (and narrow formats) the real
               function is called with PTQKit's qmin/qmax (int8/int16 symmetric use the ORT symmetric
               tables). Codes from quant_utils.quantize_nparray (8/16-bit types).
  tensorrt     REAL LIBRARY: NVIDIA ModelOpt (`pip install --no-deps nvidia-modelopt` plus what its import
               asks for: requests tqdm omegaconf huggingface_hub pydantic pulp rich regex safetensors scipy).
               A TensorQuantizer(num_bits, unsigned, narrow_range) calibrated with its max calibrator on the
               float32 tensor [min, max]; scale = export.quant_utils.get_scaling_factor (export_amax() /
               maxbound, what ModelOpt exports for TensorRT), except where ModelOpt's own fake quantization
               zeroes the whole range (amax <= 2^-24; _tensor_quant then sets its scale to 1.0), which is
               what PTQKit follows: there the scale is 1 (the exporter would write amax / maxbound).
               Symmetric only. Codes: the TensorQuantizer's fake quantization (CPU path), q recovered from
               its float32 output (see trt_codes).
  aimet        FORMULA transcribed from AIMET libpymo TfEncodingAnalyzer::computeEncoding (C++, double; not
               installable here), then float32: n = qmax - qmin (2^b - 1; 2^b - 2 strict/narrow),
               min<=0<=max, max >= min + MIN_RANGE (0.01); symmetric delta = absmax/floor(n/2),
               offset = -ceil(n/2), except unsigned formats with min >= 0 (AIMET's default
               unsigned_symmetric) which take the asymmetric branch; asymmetric delta = (max-min)/n,
               offset = -clip(round(-min/delta), 0, n) if min < 0 < max else round(min/delta), C round
               (half away); zero-point = -offset (+ qmin for signed codes).
               Codes: clip(round_half_away(x/delta) + zp).
               The real library does NOT agree: aimet-onnx 2.42.0 (pip, libpymo BlockTensorQuantizer with
               QUANTIZATION_TF, computeEncodings) differs on 591 of the 1728 parameter pairs of this fixture
               (ranges narrower than 0.01: its minimum step is 2^-23 instead of MIN_RANGE 0.01; symmetric
               ranges whose negative side dominates: it divides |min| by 2^(b-1); 2-bit formats). PTQKit's
               `aimet` profile is therefore the older libpymo formula, labelled "formula", not bit for bit.
  ptqkit       FORMULA (PTQKit's own specification, CompatibilityProfile.ptqkit), float64 then float32.
Scales are stored as float32 bit patterns (8 hex digits), zero-points as integers; ranges and code
inputs as float32 bit patterns too, so nothing is lost in JSON.
"""
import json
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "quant", "affine_goldens.json")

try:
    import torch
    from torch.ao.quantization.observer import MinMaxObserver, PerChannelMinMaxObserver
    HAVE_TORCH = True
except Exception:  # pragma: no cover - the venv has torch; keep the script honest if it does not
    HAVE_TORCH = False

from onnx import TensorProto
from onnxruntime.quantization import quant_utils as qu

import warnings

warnings.filterwarnings("ignore")  # ModelOpt's deprecation and export warnings
import modelopt  # noqa: E402  (pip install --no-deps nvidia-modelopt, plus what its import asks for)
from modelopt.torch.export.quant_utils import get_scaling_factor  # noqa: E402
from modelopt.torch.quantization.config import QuantizerAttributeConfig  # noqa: E402
from modelopt.torch.quantization.nn import TensorQuantizer  # noqa: E402


def f32(x):
    return np.float32(x)


def bits(x):
    return "%08x" % int(np.array(x, dtype=np.float32).view(np.uint32))


def fmt_range(b, signed, narrow):
    if signed:
        qmin, qmax = -(1 << (b - 1)), (1 << (b - 1)) - 1
        if narrow:
            qmin += 1
    else:
        qmin, qmax = 0, (1 << b) - 1
        if narrow:
            qmax -= 1
    return qmin, qmax


# ---------------------------------------------------------------- ranges
rng = np.random.default_rng(20261129)
RANGES = [
    (-1.0, 1.0), (0.0, 1.0), (0.5, 0.75), (1e-3, 1.0001e-3), (-3.0, -1.0), (0.0, 0.0), (-1e-10, 1e-10),
    (1e-30, 2e-30), (-1e30, 3e38), (-0.3, 1.7), (-2.5, 0.1), (-65504.0, 65504.0), (1e-8, 2e-8), (3.0, 3.0),
    (-7.0, -7.0), (-1e-7, 5e-8), (-0.0078125, 0.99609375), (-127.0, 127.0), (-128.0, 127.0), (0.0, 255.0),
    (-6e-8, 0.0), (1e-40, 3e-40),
]
for _ in range(14):
    a, b = np.sort(rng.normal(0, 1, 2) * 10.0 ** rng.integers(-4, 4, 2))
    RANGES.append((float(a), float(b)))
RANGES = [(f32(a), f32(b)) for a, b in RANGES]

FORMATS = []  # (bits, signed, narrow)
for b in (2, 3, 4, 5, 7, 8, 12, 16):
    for signed in (True, False):
        for narrow in (False, True):
            FORMATS.append((b, signed, narrow))


# ---------------------------------------------------------------- pytorch (real)
def torch_dtype_and_range(b, signed, narrow):
    """(dtype, quant_min, quant_max) as a PyTorch user would pass them; None if torch cannot express it."""
    qmin, qmax = fmt_range(b, signed, narrow)
    if b <= 8:
        dt = torch.qint8 if signed else torch.quint8
        if b == 8 and not narrow:
            return dt, None, None
        return dt, qmin, qmax
    if b == 16 and not narrow:
        return (torch.int16 if signed else torch.uint16), qmin, qmax
    return None


def pytorch_params(lo, hi, b, signed, narrow, symmetric):
    spec = torch_dtype_and_range(b, signed, narrow)
    if spec is None:
        return None
    dt, qmin, qmax = spec
    scheme = torch.per_tensor_symmetric if symmetric else torch.per_tensor_affine
    obs = MinMaxObserver(dtype=dt, qscheme=scheme, quant_min=qmin, quant_max=qmax)
    obs(torch.tensor([lo, hi], dtype=torch.float32))
    s, z = obs.calculate_qparams()
    return f32(s.item()), int(z.item())


# ---------------------------------------------------------------- onnxruntime (real)
ORT_TYPES = {(8, True): TensorProto.INT8, (8, False): TensorProto.UINT8, (16, True): TensorProto.INT16,
             (16, False): TensorProto.UINT16, (4, True): TensorProto.INT4, (4, False): TensorProto.UINT4}


def ort_qrange(b, signed, narrow, symmetric):
    qt = ORT_TYPES.get((b, signed))
    if qt is not None and not narrow:
        qmin, qmax = qu.get_qmin_qmax_for_qType(qt, symmetric=symmetric)
        return qmin, qmax
    qmin, qmax = fmt_range(b, signed, narrow)
    if symmetric and signed and b in (8, 16):
        qmin = -qmax
    return np.array(qmin, dtype=np.int32), np.array(qmax, dtype=np.int32)


def ort_params(lo, hi, b, signed, narrow, symmetric):
    qmin, qmax = ort_qrange(b, signed, narrow, symmetric)
    z, s = qu.compute_scale_zp(np.array(lo, dtype=np.float32), np.array(hi, dtype=np.float32), qmin, qmax,
                               symmetric=symmetric)
    return f32(s), int(z)


# ---------------------------------------------------------------- tensorrt (real: NVIDIA ModelOpt)
def trt_quantizer(lo, hi, b, signed, narrow):
    """A ModelOpt TensorQuantizer calibrated (max calibrator) on the float32 tensor [lo, hi]."""
    q = TensorQuantizer(QuantizerAttributeConfig(num_bits=b, unsigned=not signed, narrow_range=narrow))
    q.disable_quant()
    q.enable_calib()
    q(torch.tensor([lo, hi], dtype=torch.float32))
    q.load_calib_amax()
    q.disable_calib()
    q.enable_quant()
    return q


TRT_TINY = []  # ranges whose amax ModelOpt's fake quantization treats as zero


def trt_params(lo, hi, b, signed, narrow, symmetric):
    """Scale: ModelOpt's exported scaling factor (export.quant_utils.get_scaling_factor: export_amax() /
    maxbound) -- except where ModelOpt's own fake quantization (tensor_quant._tensor_quant) quantizes the
    calibrated range to all zeros (amax <= 2^-24) and sets its scale to 1.0, which PTQKit follows; those
    cases are checked here by running the fake quantization on the range."""
    if not symmetric:
        return None
    q = trt_quantizer(lo, hi, b, signed, narrow)
    # ModelOpt refuses negative inputs to an unsigned quantizer: probe with |min|, |max| there.
    probe = torch.tensor([lo, hi] if signed else [abs(lo), abs(hi)], dtype=torch.float32)
    out = q(probe)
    amax = float(q.amax)
    if amax > 0 and bool(torch.all(out == 0)) and float(torch.max(torch.abs(probe))) > 0:
        TRT_TINY.append((float(lo), float(hi)))
        return f32(1.0), 0
    if amax == 0:
        return f32(1.0), 0  # export_amax() replaces 0 by maxbound: scale 1
    return f32(get_scaling_factor(q).item()), 0


def trt_codes(s_unused, x, b, signed, lo, hi):
    """Codes of ModelOpt's fake quantization (real TensorQuantizer forward, CPU path _tensor_quant): the
    output is q / (maxbound / amax) in float32; q is recovered as round(out * maxbound / amax) in float64,
    unambiguous because |q| <= 2^15 and the float32 error is below 2^-20 relative."""
    q = trt_quantizer(lo, hi, b, signed, False)
    out = q(torch.from_numpy(x)).numpy().astype(np.float64)
    amax = float(q.amax)
    codes = np.rint(out * float(q.maxbound) / amax)
    assert np.all(np.abs(out * float(q.maxbound) / amax - codes) < 1e-3), "ambiguous code recovery"
    return codes.astype(np.int64)


# ---------------------------------------------------------------- aimet (formula)
def round_half_away(v):
    v = np.asarray(v)
    t = np.trunc(v)
    return np.where(np.abs(v - t) >= 0.5, t + np.sign(v), t)


def aimet_params(lo, hi, b, signed, narrow, symmetric):
    qmin, qmax = fmt_range(b, signed, narrow)
    n = float(qmax - qmin)
    mn = min(float(lo), 0.0)
    mx = max(float(hi), 0.0)
    mx = max(mx, mn + 0.01)  # MIN_RANGE
    if symmetric and (mn < 0 or signed):
        delta = max(abs(mx), abs(mn)) / np.floor(n / 2)
        offset = -np.ceil(n / 2)
    else:
        delta = (mx - mn) / n
        if mn < 0 and mx > 0:
            offset = -min(n, max(0.0, float(round_half_away(-mn / delta))))
        else:
            offset = float(round_half_away(mn / delta))
    return f32(delta), int(-offset) + qmin


def aimet_library_disagreements():
    """(differing, compared) parameter pairs between aimet_params and the real aimet-onnx (libpymo
    BlockTensorQuantizer, QUANTIZATION_TF, strict symmetric for narrow formats, unsigned symmetric for unsigned
    ones; narrow asymmetric formats have no AIMET equivalent), or None when aimet-onnx is not importable."""
    try:
        from aimet_onnx.common import libpymo
    except Exception:
        return None
    differing = compared = 0
    for (b, signed, narrow) in FORMATS:
        for symmetric in (True, False):
            if narrow and not symmetric:
                continue
            for lo, hi in RANGES:
                q = libpymo.BlockTensorQuantizer([], b, libpymo.QuantizationMode.QUANTIZATION_TF)
                q.setStrictSymmetric(narrow)
                q.setUnsignedSymmetric(not signed)
                q.updateStats(np.array([lo, hi], dtype=np.float32))
                e = q.computeEncodings(symmetric)[0]
                real = (bits(f32(e.delta)), int(-e.offset) + fmt_range(b, signed, narrow)[0])
                s, z = aimet_params(lo, hi, b, signed, narrow, symmetric)
                compared += 1
                differing += real != (bits(s), z)
    return differing, compared


# ---------------------------------------------------------------- ptqkit (formula)
def ptqkit_params(lo, hi, b, signed, narrow, symmetric):
    qmin, qmax = fmt_range(b, signed, narrow)
    zsym = 0 if signed else (qmin + qmax + 1) // 2
    tiny = np.finfo(np.float32).tiny
    l, h = min(float(lo), 0.0), max(float(hi), 0.0)
    if l == h:
        return f32(1.0), zsym
    if symmetric:
        s = f32(max(-l, h) / min(zsym - qmin, qmax - zsym))
        if s < tiny:
            return f32(1.0), zsym
        return ptqkit_finite_codes(s, zsym, qmin, qmax), zsym
    s = f32((h - l) / (qmax - qmin))
    if s < tiny:
        return f32(1.0), zsym
    z = int(np.clip(qmin - np.round(l / float(s)), qmin, qmax))
    return ptqkit_finite_codes(s, z, qmin, qmax), z


def ptqkit_finite_codes(s, z, qmin, qmax):
    """ptqkit caps the scale so that every code a finite input reaches dequantizes to a finite float32:
    steps n = max(min(qmax - z, r), min(z - qmin, r)), r = round-half-away(FLT_MAX / s * (1 + 1e-6)); s * n finite."""
    fmax = float(np.finfo(np.float32).max)
    with np.errstate(over="ignore"):
        for _ in range(64):
            q = fmax / float(s) * (1 + 1e-6)
            r = float(np.floor(q + 0.5))
            n = max(min(qmax - z, r), min(z - qmin, r), 1.0)
            if np.isfinite(np.float32(s) * np.float32(n)):
                break
            bound = np.float32(fmax / n)
            while not np.isfinite(bound * np.float32(n)):
                bound = np.nextafter(bound, np.float32(0))
            s = min(np.nextafter(np.float32(s), np.float32(0)), bound)
    return f32(s)


PROFILES = {"ptqkit": ptqkit_params, "onnxruntime": ort_params, "tensorrt": trt_params, "aimet": aimet_params}
if HAVE_TORCH:
    PROFILES["pytorch"] = pytorch_params

params = []  # one entry per (profile, format, symmetry): scale bits and zero-point per range of "ranges"
for name, fn in PROFILES.items():
    for (b, signed, narrow) in FORMATS:
        for symmetric in (True, False):
            results = [fn(lo, hi, b, signed, narrow, symmetric) for lo, hi in RANGES]
            if any(r is None for r in results):
                continue
            params.append({"profile": name, "bits": b, "signed": signed, "narrow": narrow, "symmetric": symmetric,
                           "scales": [bits(r[0]) for r in results], "zeroPoints": [r[1] for r in results]})


# ---------------------------------------------------------------- codes
def code_inputs(s, z, qmin, qmax, count=96):
    """float32 inputs: inside the range, beyond it, exact ties (k + 1/2)*s, zeros."""
    s = f32(s)
    lo_real = float(s) * (qmin - z)
    hi_real = float(s) * (qmax - z)
    width = hi_real - lo_real
    xs = list(rng.uniform(lo_real - 0.2 * width, hi_real + 0.2 * width, count // 2).astype(np.float32))
    ks = rng.integers(qmin - z - 2, qmax - z + 2, count // 2 - 2)
    xs += [f32((f32(k) + f32(0.5)) * s) for k in ks]
    xs += [f32(0.0), f32(-0.0)]
    return np.array(xs, dtype=np.float32)


codes = []
CODE_RANGES = [(f32(-0.3), f32(1.7)), (f32(-2.5), f32(0.1)), (f32(0.0), f32(1.0)), (f32(-1.0), f32(1.0))]
ORT_CODE_TYPES = {(8, True): TensorProto.INT8, (8, False): TensorProto.UINT8, (16, True): TensorProto.INT16,
                  (16, False): TensorProto.UINT16}
for lo, hi in CODE_RANGES:
    for symmetric in (True, False):
        for (b, signed), qt in ORT_CODE_TYPES.items():
            s, z = ort_params(lo, hi, b, signed, False, symmetric)
            qmin, qmax = fmt_range(b, signed, False)
            x = code_inputs(s, z, qmin, qmax)
            q = qu.quantize_nparray(qt, x, np.float32(s), z)
            codes.append({"profile": "onnxruntime", "bits": b, "signed": signed, "narrow": False,
                          "scale": bits(s), "zeroPoint": z, "inputs": [bits(v) for v in x],
                          "codes": [int(v) for v in q]})
        if HAVE_TORCH:
            for signed in (True, False):
                s, z = pytorch_params(lo, hi, 8, signed, False, symmetric)
                qmin, qmax = fmt_range(8, signed, False)
                x = code_inputs(s, z, qmin, qmax)
                q = torch.quantize_per_tensor(torch.from_numpy(x), float(s), z,
                                              torch.qint8 if signed else torch.quint8).int_repr()
                codes.append({"profile": "pytorch", "bits": 8, "signed": signed, "narrow": False,
                              "scale": bits(s), "zeroPoint": z, "inputs": [bits(v) for v in x],
                              "codes": [int(v) for v in q]})
        if symmetric:
            for b, signed in ((8, True), (8, False), (4, True), (4, False)):
                s, z = trt_params(lo, hi, b, signed, False, True)
                qmin, qmax = fmt_range(b, signed, False)
                x = code_inputs(s, z, qmin, qmax)
                if not signed:
                    x = np.abs(x)  # ModelOpt refuses negative inputs to an unsigned quantizer
                q = trt_codes(s, x, b, signed, lo, hi)
                codes.append({"profile": "tensorrt", "bits": b, "signed": signed, "narrow": False,
                              "scale": bits(s), "zeroPoint": z, "inputs": [bits(v) for v in x],
                              "codes": [int(v) for v in q]})
        for b, signed in ((8, True), (8, False), (4, True), (4, False)):
            s, z = aimet_params(lo, hi, b, signed, False, symmetric)
            qmin, qmax = fmt_range(b, signed, False)
            x = code_inputs(s, z, qmin, qmax)
            q = np.clip(round_half_away(x / np.float32(s)) + z, qmin, qmax).astype(np.int64)
            codes.append({"profile": "aimet", "bits": b, "signed": signed, "narrow": False,
                          "scale": bits(s), "zeroPoint": z, "inputs": [bits(v) for v in x],
                          "codes": [int(v) for v in q]})

per_channel = None
if HAVE_TORCH:
    w = (rng.normal(0, 1, (4, 37)) * np.array([[0.01], [1.0], [30.0], [0.0]])).astype(np.float32)
    w[1] = np.abs(w[1])  # a positive-only channel; channel 3 is dead (all zero)
    per_channel = []
    for signed in (True, False):
        for symmetric in (True, False):
            dt = torch.qint8 if signed else torch.quint8
            scheme = torch.per_channel_symmetric if symmetric else torch.per_channel_affine
            obs = PerChannelMinMaxObserver(ch_axis=0, dtype=dt, qscheme=scheme)
            t = torch.from_numpy(w)
            obs(t)
            s, z = obs.calculate_qparams()
            q = torch.quantize_per_channel(t, s, z, 0, dt).int_repr()
            per_channel.append({"profile": "pytorch", "bits": 8, "signed": signed, "symmetric": symmetric,
                                "shape": list(w.shape), "axis": 0, "inputs": [bits(v) for v in w.ravel()],
                                "scales": [bits(np.float32(v)) for v in s.numpy()],
                                "zeroPoints": [int(v) for v in z.numpy()],
                                "codes": [int(v) for v in q.numpy().ravel()]})

AIMET_DISAGREEMENT = aimet_library_disagreements()
sources = {
    "pytorch": ("real library torch %s (MinMaxObserver, PerChannelMinMaxObserver, quantize_per_tensor/channel)"
                % torch.__version__) if HAVE_TORCH else "absent (torch not importable)",
    "onnxruntime": "real library onnxruntime %s (quant_utils.compute_scale_zp, get_qmin_qmax_for_qType, quantize_nparray)"
                   % __import__("onnxruntime").__version__,
    "tensorrt": ("real library nvidia-modelopt %s (TensorQuantizer max calibration; scale: export.quant_utils."
                 "get_scaling_factor, or 1.0 where its fake quantization zeroes the range (%d ranges); codes: "
                 "TensorQuantizer fake quantization on CPU)" % (modelopt.__version__, len(set(TRT_TINY)))),
    "aimet": ("formula transcribed from AIMET libpymo TfEncodingAnalyzer::computeEncoding (MIN_RANGE 0.01, unsigned "
              "symmetric), numpy float64 -> float32, half-away rounding; the real library disagrees: %s"
              % ("aimet-onnx %s differs on %d of %d parameter pairs" % ((__import__("aimet_onnx").__version__,)
                                                                     + AIMET_DISAGREEMENT)
                 if AIMET_DISAGREEMENT else "aimet-onnx not importable, not compared")),
    "ptqkit": "formula (PTQKit specification), numpy float64 -> float32",
}
doc = {"generator": "Tests/Fixtures/make_quant_goldens.py", "numpy": np.__version__, "sources": sources,
       "ranges": [[bits(lo), bits(hi)] for lo, hi in RANGES], "params": params, "codes": codes, "perChannel": per_channel or []}
os.makedirs(os.path.dirname(OUT), exist_ok=True)
with open(OUT, "w") as f:
    json.dump(doc, f, separators=(",", ":"))
    f.write("\n")
print("wrote", OUT, len(params) * len(RANGES), "parameter pairs,", len(codes), "code vectors,", os.path.getsize(OUT), "bytes", file=sys.stderr)
