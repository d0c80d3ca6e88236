#!/usr/bin/env python3
"""The numpy reference of `ptq evaluate`: each linear layer's output SQNR on held-out inputs.

    python3 Calibration/evaluate_sqnr.py PKG RESTORED.h5 HELDOUT.h5 [--weights W.h5]

PKG is a package, RESTORED.h5 its weights as `ptq dequantize PKG -o RESTORED.h5` writes them, HELDOUT.h5
the inputs of the layers (dataset: the activation record's `datasets[0]`, else /LAYER/input or /LAYER).
For each layer with a 2-D weight W ([out, in]; a Keras kernel [in, out] when the manifest's layout is keras)
prints, in float64, SQNR = 10*log10(sum(Y^2) / sum((Y - Yq)^2)) with Y = X W^T and Yq = X Wq^T (weights
only) or Xq Wq^T, Xq the activation fake-quant of docs/package-format.md (integer, per tensor or per
channel; minifloat, per tensor, through ml_dtypes). Prints JSON {layer: {"dataset", "rows",
"weights_only_sqnr_db", "with_activations_sqnr_db"}}. Needs numpy and h5py.
"""
import argparse
import json
import math
import os

import h5py
import numpy as np


def fake_quant(x: np.ndarray, rec: dict) -> np.ndarray:
    """x quantized and dequantized with the activation record rec, in float64 (minifloats in float32)."""
    fmt = rec["format"]
    if not (fmt.startswith("int") or fmt.startswith("uint")):
        # decode(RNE_sat(x / s)) * s in float32, the format's round-to-nearest-even from ml_dtypes.
        import ml_dtypes  # noqa: PLC0415 (only minifloat activations need it)
        dtype = np.dtype(getattr(ml_dtypes, fmt.replace("fp", "float", 1)))
        largest = np.float32(ml_dtypes.finfo(dtype).max)
        s = np.float32(float(rec["scale"]))
        v = np.clip(x.astype(np.float32) / s, -largest, largest)
        return (v.astype(dtype).astype(np.float32) * s).astype(np.float64)
    x = x.astype(np.float64)
    if "scale" in rec:
        s = np.float64(float(rec["scale"]))
        z = np.float64(rec["zero_point"])
    else:
        shape = [1] * x.ndim
        shape[rec["axis"]] = -1
        s = np.asarray(rec["scales"], np.float64).reshape(shape)
        z = np.asarray(rec["zero_points"], np.float64).reshape(shape)
    v = x / s
    r = np.sign(v) * np.floor(np.abs(v) + 0.5) if rec["rounding"] == "half-away" else np.round(v)
    q = np.clip(r + z, rec["qmin"], rec["qmax"])
    return s * (q - z)


def sqnr(signal: float, error: float):
    return None if error == 0 or signal == 0 else 10 * math.log10(signal / error)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("package")
    parser.add_argument("restored")
    parser.add_argument("heldout")
    parser.add_argument("--weights")
    args = parser.parse_args()
    with open(os.path.join(args.package, "manifest.json")) as f:
        manifest = json.load(f)
    weights_path = args.weights or next(i["path"] for i in manifest["inputs"] if i["role"] == "weights")
    keras = (manifest.get("layout") or {}).get("name") in ("keras", "keras-legacy")
    out = {}
    with h5py.File(weights_path, "r") as wf, h5py.File(args.restored, "r") as rf, h5py.File(args.heldout, "r") as hf:
        for layer in manifest["layers"]:
            weight = next((t for t in layer["tensors"] if t["role"] == "weight"), None)
            if weight is None or len(weight["original_shape"]) != 2 or weight.get("layout_role") == "embedding":
                continue
            act = layer.get("activation")
            names = (act["datasets"] if act else []) + [f"/{layer['name']}/input", f"/{layer['name']}"]
            name = next((n for n in names if n in hf and isinstance(hf[n], h5py.Dataset)), None)
            if name is None:
                continue
            w = np.asarray(wf[weight["dataset"]], np.float64)
            wq = np.asarray(rf[weight["dataset"]], np.float64)
            if keras:
                w, wq = w.T, wq.T
            x = np.asarray(hf[name], np.float32)
            x = x[np.all(np.isfinite(x.reshape(len(x), -1)), axis=1)]
            y = x.astype(np.float64) @ w.T
            signal = float(np.sum(y**2))
            weights_only = sqnr(signal, float(np.sum((y - x.astype(np.float64) @ wq.T) ** 2)))
            with_acts = None
            if act is not None:
                with_acts = sqnr(signal, float(np.sum((y - fake_quant(x, act) @ wq.T) ** 2)))
            out[layer["name"]] = {"dataset": name, "rows": int(len(x)), "weights_only_sqnr_db": weights_only,
                                  "with_activations_sqnr_db": with_acts}
    print(json.dumps(out, indent=2, sort_keys=True))


if __name__ == "__main__":
    main()
