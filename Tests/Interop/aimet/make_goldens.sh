#!/bin/sh
# Regenerates Tests/Interop/aimet/goldens-<config>.json: what aimet-onnx's load_encodings_to_sim made of
# `ptq export --format aimet` files of the digits network (run once, outside CI: aimet-onnx pulls torch).
# From the repository root after `swift build`:
#   AIMET_PYTHON=/path/to/venv-with-aimet-onnx/bin/python sh Tests/Interop/aimet/make_goldens.sh
# PTQ_PYTHON (default .build/test-venv/bin/python) builds the ONNX model and the held-out arrays.
set -eu
PY=${PTQ_PYTHON:-.build/test-venv/bin/python}
AIMET=${AIMET_PYTHON:?set AIMET_PYTHON to a Python with aimet-onnx}
PTQ=${PTQ:-.build/debug/ptq}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
"$PY" Calibration/make_digits_onnx.py "$T/digits.onnx"
"$PY" -c "import sys; sys.path.insert(0, 'Calibration'); import digits_mlp, numpy as np; \
x, y = digits_mlp.load_heldout('Calibration/heldout.h5'); np.savez('$T/heldout.npz', x=x, y=y)"
for config in w8a8-onnxruntime w8a8-tensorrt; do
    "$PTQ" calibrate --quiet --weights Calibration/weights.h5 --activations Calibration/activations.h5 \
        --config "Tests/Fixtures/export/$config.yaml" --output "$T/$config.pkg" > /dev/null
    for version in 0.6.1 1.0.0 2.0.0; do
        "$PTQ" export "$T/$config.pkg" --format aimet --aimet-version "$version" \
            --names Tests/Fixtures/export/digits-onnx-names.yaml -o "$T/$config-$version.encodings"
    done
    "$AIMET" Tests/Interop/aimet/load_with_aimet.py "$T/digits.onnx" "$T/heldout.npz" \
        "Tests/Interop/aimet/goldens-$config.json" "$T/$config-0.6.1.encodings" "$T/$config-1.0.0.encodings" \
        "$T/$config-2.0.0.encodings"
done
