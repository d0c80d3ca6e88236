#!/bin/sh
# Regenerates Tests/Interop/compressed_tensors/goldens.json: compressed-tensors' own decompression of
# `ptq export --format compressed-tensors` directories of the digits network, equal to `ptq dequantize`
# (run once, outside CI: compressed-tensors pulls torch). From the repository root after `swift build`:
#   CT_PYTHON=/path/to/venv-with-compressed-tensors/bin/python sh Tests/Interop/compressed_tensors/make_goldens.sh
# PTQ_PYTHON (default .build/test-venv/bin/python, with h5py) turns the restored HDF5 files into .npz.
set -eu
PY=${PTQ_PYTHON:-.build/test-venv/bin/python}
CT=${CT_PYTHON:?set CT_PYTHON to a Python with compressed-tensors and torch}
PTQ=${PTQ:-.build/debug/ptq}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
specs=""
for pair in w8a8=Tests/Fixtures/export/w8a8-onnxruntime.yaml w4-asym=Configs/w4-per-group.yaml \
    w4-sym=Tests/Fixtures/export/w4a16-symmetric.yaml; do
    name=${pair%%=*}
    config=${pair#*=}
    "$PTQ" calibrate --quiet --weights Calibration/weights.h5 --activations Calibration/activations.h5 \
        --config "$config" --output "$T/$name.pkg" > /dev/null
    "$PTQ" export "$T/$name.pkg" --format compressed-tensors -o "$T/$name.ct"
    "$PTQ" dequantize "$T/$name.pkg" -o "$T/$name.h5"
    "$PY" -c "import h5py, numpy as np; f = h5py.File('$T/$name.h5'); \
np.savez('$T/$name.npz', **{k: f[k + '/weight'][()] for k in ('fc1', 'fc2', 'fc3')})"
    specs="$specs $name=$T/$name.ct:$T/$name.npz"
done
# shellcheck disable=SC2086
"$CT" Tests/Interop/compressed_tensors/decompress_with_library.py Tests/Interop/compressed_tensors/goldens.json $specs
