#!/usr/bin/env python3
"""Loads `ptq export --format aimet` files into AIMET and records what AIMET made of them (run once,
outside CI: aimet-onnx pulls torch; the output is committed as Tests/Interop/aimet/goldens.json).

    python load_with_aimet.py MODEL.onnx HELDOUT.npz GOLDENS.json ENC_0.6.1 ENC_1.0.0 ENC_2.0.0

MODEL.onnx is Calibration/make_digits_onnx.py's digits MLP, HELDOUT.npz the held-out split (x, y).
For each file: `QuantizationSimModel(model, param_type="int8", activation_type="int8")`, then
`load_encodings_to_sim(sim, FILE, strict=False)` (AIMET's documented loader); every quantizer named in
the file must then be enabled and hold exactly the file's encodings (AIMET's own `export_encodings`
of it, version 0.6.1 fields: bitwidth, is_symmetric, offset, scale, min, max); and the quantization
simulation's held-out accuracy is recorded next to the float model's. The goldens keep, per version,
the file's structure (top-level keys, every entry's key set and value types), AIMET's mismatch report,
AIMET's re-export of each loaded quantizer and the accuracies.
"""
import json
import os
import sys

import numpy as np
import onnx
import onnxruntime as ort
from aimet_onnx import __version__ as aimet_version
from aimet_onnx.quantsim import QuantizationSimModel, load_encodings_to_sim
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from encodings_structure import expected_aimet, names_in, structure


def main():
    model_path, heldout_path, goldens_path = sys.argv[1:4]
    model = onnx.load(model_path)
    heldout = np.load(heldout_path)
    x, y = heldout["x"].astype(np.float32), heldout["y"]
    session = ort.InferenceSession(model_path, providers=["CPUExecutionProvider"])
    float_accuracy = float(np.mean(np.argmax(session.run(None, {"input": x})[0], axis=1) == y))
    goldens = {"aimet_onnx": aimet_version, "float_accuracy": float_accuracy, "versions": {}}
    failures = []
    for path in sys.argv[4:]:
        with open(path) as f:
            document = json.load(f)
        version = document["version"]
        sim = QuantizationSimModel(model, param_type="int8", activation_type="int8")
        mismatches = load_encodings_to_sim(sim, path, strict=False)
        loaded = {}
        for name in names_in(document):
            quantizer = sim.qc_quantize_op_dict[name]
            if not quantizer.enabled:
                failures.append(f"{version}: {name} not enabled after loading")
            encodings = quantizer.get_encodings() or []
            scales = [float(e.delta) for e in encodings]
            offsets = [float(e.offset) for e in encodings]
            want_scales, want_offsets = expected_aimet(document, name)
            if not (np.allclose(scales, want_scales, rtol=1e-6, atol=0) and offsets == [float(o) for o in want_offsets]):
                failures.append(f"{version}: {name}: AIMET holds {scales[:3]}, {offsets[:3]}, file has "
                                f"{want_scales[:3]}, {want_offsets[:3]}")
            loaded[name] = {"bitwidth": quantizer.bitwidth, "is_symmetric": bool(quantizer.use_symmetric_encodings),
                            "scale": scales, "offset": offsets}
        outputs = sim.session.run(None, {"input": x})[0]
        accuracy = float(np.mean(np.argmax(outputs, axis=1) == y))
        goldens["versions"][version] = {
            "structure": structure(document),
            "names": names_in(document),
            "mismatches": [str(m) for m in mismatches],
            "loaded": loaded,
            "quantsim_accuracy": accuracy,
        }
        print(f"{version}: {len(loaded)} quantizers loaded, {len(mismatches)} mismatches, accuracy {accuracy:.4f} "
              f"(float {float_accuracy:.4f})")
    with open(goldens_path, "w") as f:
        json.dump(goldens, f, indent=1, sort_keys=True)
        f.write("\n")
    for failure in failures:
        print("FAIL: " + failure, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
