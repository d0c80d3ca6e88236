#!/usr/bin/env python3
"""Held-out accuracy of the bundled digits MLP with a PTQKit package, next to its float accuracy.

    python3 Calibration/evaluate_package.py PKG RESTORED.h5 [--weights W.h5] [--heldout H.h5] [--json]

PKG is a package from `ptq calibrate` on Calibration/ and RESTORED.h5 its weights dequantized by
`ptq dequantize PKG -o RESTORED.h5` (float32 under the original names). Each layer whose manifest
record has activation parameters gets its input fake-quantized with them,
x' = s * (clip(round(x / s) + z, qmin, qmax) - z), before the matmul (the integer inference a W8A8
runtime performs, simulated in float). Needs numpy and h5py; the network is `digits_mlp.py`.
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import digits_mlp  # noqa: E402


def activation_qparams(manifest: dict) -> dict:
    """{layer: (scale, zero_point, qmin, qmax)} from the manifest's activation records."""
    out = {}
    for layer in manifest["layers"]:
        a = layer.get("activation")
        if a is not None:
            if not a["format"].startswith(("int", "uint")):
                # Minifloat activations (fp8_e4m3fn, ...) round x / s to a float grid, not to integers.
                sys.exit(f"{layer['name']}: activation format {a['format']}: this script simulates integer "
                         "activations only (calibrate weights-only to evaluate a weight format)")
            if "scale" not in a:
                sys.exit(f"{layer['name']}: the activation is quantized per channel; this script simulates one "
                         "scale per layer input")
            out[layer["name"]] = (float(a["scale"]), int(a["zero_point"]), int(a["qmin"]), int(a["qmax"]))
    return out


def main() -> int:
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("package")
    parser.add_argument("restored")
    parser.add_argument("--weights", default=os.path.join(here, "weights.h5"))
    parser.add_argument("--heldout", default=os.path.join(here, "heldout.h5"))
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()

    with open(os.path.join(args.package, "manifest.json")) as f:
        manifest = json.load(f)
    x, y = digits_mlp.load_heldout(args.heldout)
    float_weights = digits_mlp.load_weights(args.weights)
    quant_weights = digits_mlp.load_weights(args.restored)
    acts = activation_qparams(manifest)
    float_acc = digits_mlp.evaluate(float_weights, x, y)
    quant_acc = digits_mlp.evaluate(quant_weights, x, y, acts or None)
    agree = float((digits_mlp.predict(float_weights, x) == digits_mlp.predict(quant_weights, x, acts or None)).mean())
    weights_quantized = sorted(
        t["dataset"] for layer in manifest["layers"] for t in layer["tensors"] if t["encoding"] != "float32")
    result = {
        "heldout_samples": int(len(y)),
        "float_accuracy": float_acc,
        "package_accuracy": quant_acc,
        "difference_points": (quant_acc - float_acc) * 100,
        "prediction_agreement": agree,
        "quantized_weights": weights_quantized,
        "quantized_activations": sorted(acts),
    }
    if args.json:
        print(json.dumps(result, indent=2, sort_keys=True))
    else:
        print(f"held-out samples:      {len(y)}")
        print(f"float32 accuracy:      {float_acc * 100:.2f} %")
        print(f"package accuracy:      {quant_acc * 100:.2f} %  ({(quant_acc - float_acc) * 100:+.2f} points; "
              f"weights {len(weights_quantized)} quantized tensors, activations {', '.join(sorted(acts)) or 'float'})")
        print(f"same prediction:       {agree * 100:.2f} % of samples")
    return 0


if __name__ == "__main__":
    sys.exit(main())
