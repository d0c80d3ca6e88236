"""Golden W8A8 min-max parameters of the bundled network (Calibration/), computed with numpy.

Weights: symmetric per output channel, s_c = absmax_c / 127, q = clip(round(w / s_c), -127, 127)
(Calibration/digits_mlp.py `fake_quant_weight_per_channel`). Activations: asymmetric per tensor over the
calibration split, int8 [-128, 127], s = (hi - lo) / 255 on [min(lo, 0), max(hi, 0)],
z = -128 - round(lo / s) (`minmax_act_qparams`). Biases: int32 with s_in * s_w[c] (float32 product).
Weight MSE and max-abs error of the quantize-dequantize in float64.

    python3 Tests/Fixtures/make_calibration_goldens.py

Writes Tests/Fixtures/calibration/w8a8_minmax.json (deterministic: no randomness).
"""
import json
import os
import sys

import h5py
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "Calibration"))
import digits_mlp  # noqa: E402

weights = digits_mlp.load_weights(os.path.join(ROOT, "Calibration", "weights.h5"))
layers = {}
with h5py.File(os.path.join(ROOT, "Calibration", "activations.h5"), "r") as acts:
    for name in ("fc1", "fc2", "fc3"):
        x = np.asarray(acts["/" + name], dtype=np.float32)
        s_in, z_in, qmin, qmax = digits_mlp.minmax_act_qparams(float(x.min()), float(x.max()))
        w = weights[name + "/weight"]
        absmax = np.max(np.abs(w.astype(np.float64)), axis=1)
        s_w = absmax / 127.0
        restored = digits_mlp.fake_quant_weight_per_channel(w).astype(np.float64)
        err = w.astype(np.float64) - restored
        b = weights[name + "/bias"]
        s_b = np.float32(s_in) * s_w.astype(np.float32)
        layers[name] = {
            "activation": {"min": float(x.min()), "max": float(x.max()), "scale": float(np.float32(s_in)),
                           "zero_point": int(z_in), "qmin": qmin, "qmax": qmax},
            "weight": {"shape": list(w.shape), "scales": [float(np.float32(s)) for s in s_w],
                       "mse": float(np.mean(err * err)), "max_abs_error": float(np.max(np.abs(err)))},
            "bias": {"scales": [float(s) for s in s_b]},
        }

out = os.path.join(ROOT, "Tests", "Fixtures", "calibration", "w8a8_minmax.json")
with open(out, "w") as f:
    json.dump({"script": "Tests/Fixtures/make_calibration_goldens.py", "layers": layers}, f, indent=1, sort_keys=True)
    f.write("\n")
print("wrote", out)
