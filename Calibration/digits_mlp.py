"""Numpy reference for the bundled digits MLP (64 -> 128 -> 64 -> 10, ReLU).

Imported by the scripts in Calibration/ (make_calibration_data.py and later evaluation scripts).
Needs only numpy (h5py for the loaders).

Weights use PyTorch conventions: for layer L, ``W = weights["fc1/weight"]`` is float32 [out, in] and
``b = weights["fc1/bias"]`` is float32 [out]; the layer computes ``y = x @ W.T + b``.
Keys may be given with or without a leading "/".

Quantization helpers (the W8A8 sanity figure; PyTorch/ORT-style conventions):
- weights: symmetric per output channel, ``s_c = absmax_c / 127``, ``q = clip(round(w / s_c), -127, 127)``,
  dequantized ``w' = q * s_c`` (channels that are all zero keep s = 1, i.e. stay zero);
- activations: asymmetric per tensor, range ``[min(lo, 0), max(hi, 0)]`` so 0 is exactly representable,
  ``s = (hi - lo) / (qmax - qmin)``, ``z = clip(qmin - round(lo / s), qmin, qmax)``,
  ``x' = (clip(round(x / s) + z, qmin, qmax) - z) * s`` with int8 ``[qmin, qmax] = [-128, 127]``.
  ``np.round`` rounds half to even.
"""

from __future__ import annotations

import numpy as np

#: Linear layers in forward order; ReLU follows every layer but the last.
LAYERS = ("fc1", "fc2", "fc3")
#: Human-readable architecture, also stored as the `architecture` attribute of weights.h5.
ARCHITECTURE = "Linear(64,128)-ReLU-Linear(128,64)-ReLU-Linear(64,10)"


def _get(weights: dict, key: str) -> np.ndarray:
    if key in weights:
        return np.asarray(weights[key])
    return np.asarray(weights["/" + key])


def forward(weights: dict, x: np.ndarray, act_qparams: dict | None = None,
            record: dict | None = None) -> np.ndarray:
    """Logits [N, 10] in float32.

    act_qparams: optional {layer: (scale, zero_point, qmin, qmax)}; the input of each listed layer is
    fake-quantized with those parameters before the matmul (the W8A8 simulation).
    record: optional dict that receives {layer: float32 input of that layer} (before fake-quant).
    """
    h = np.asarray(x, dtype=np.float32)
    for i, name in enumerate(LAYERS):
        if record is not None:
            record[name] = h
        if act_qparams is not None and name in act_qparams:
            h = fake_quant_activation(h, *act_qparams[name])
        w = _get(weights, f"{name}/weight").astype(np.float32)
        b = _get(weights, f"{name}/bias").astype(np.float32)
        h = h @ w.T + b
        if i < len(LAYERS) - 1:
            h = np.maximum(h, np.float32(0))
    return h


def predict(weights: dict, x: np.ndarray, act_qparams: dict | None = None) -> np.ndarray:
    """Predicted class per row (int64 [N])."""
    return np.argmax(forward(weights, x, act_qparams), axis=1).astype(np.int64)


def evaluate(weights: dict, x: np.ndarray, y: np.ndarray, act_qparams: dict | None = None) -> float:
    """Top-1 accuracy in [0, 1] of the network on (x, y)."""
    return float(np.mean(predict(weights, x, act_qparams) == np.asarray(y)))


def load_weights(path: str) -> dict:
    """{"fc1/weight": ndarray, ...} from weights.h5 (or a restored/dequantized file with the same names)."""
    import h5py
    out = {}
    with h5py.File(path, "r") as f:
        for name in LAYERS:
            for p in ("weight", "bias"):
                out[f"{name}/{p}"] = f[f"{name}/{p}"][()].astype(np.float32)
    return out


def load_heldout(path: str) -> tuple[np.ndarray, np.ndarray]:
    """(x float32 [M, 64], y int64 [M]) from heldout.h5."""
    import h5py
    with h5py.File(path, "r") as f:
        return f["x"][()], f["y"][()]


def fake_quant_weight_per_channel(w: np.ndarray, bits: int = 8) -> np.ndarray:
    """Symmetric per-output-channel (axis 0) quantize-dequantize of a [out, in] weight."""
    qmax = 2 ** (bits - 1) - 1
    w64 = np.asarray(w, dtype=np.float64)
    absmax = np.max(np.abs(w64), axis=1, keepdims=True)
    s = np.where(absmax > 0, absmax / qmax, 1.0)                  # s_c = absmax_c / qmax
    q = np.clip(np.round(w64 / s), -qmax, qmax)                   # q = clip(round(w / s), -qmax, qmax)
    return (q * s).astype(np.float32)


def minmax_act_qparams(lo: float, hi: float, bits: int = 8) -> tuple[float, int, int, int]:
    """Asymmetric (scale, zero_point, qmin, qmax) for an observed range [lo, hi], signed int `bits`."""
    qmin, qmax = -(2 ** (bits - 1)), 2 ** (bits - 1) - 1
    lo, hi = min(float(lo), 0.0), max(float(hi), 0.0)            # range must contain 0
    s = (hi - lo) / (qmax - qmin) if hi > lo else 1.0
    z = int(np.clip(qmin - np.round(lo / s), qmin, qmax))         # z = qmin - round(lo / s)
    return s, z, qmin, qmax


def fake_quant_activation(x: np.ndarray, scale: float, zero_point: int, qmin: int, qmax: int) -> np.ndarray:
    """Asymmetric per-tensor quantize-dequantize: (clip(round(x / s) + z, qmin, qmax) - z) * s."""
    x64 = np.asarray(x, dtype=np.float64)
    q = np.clip(np.round(x64 / scale) + zero_point, qmin, qmax)
    return ((q - zero_point) * scale).astype(np.float32)
