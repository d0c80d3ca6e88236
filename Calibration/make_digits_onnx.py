#!/usr/bin/env python3
"""The bundled digits MLP (digits_mlp.py) as an ONNX model, for exporting calibration results to ONNX Runtime.

    python3 Calibration/make_digits_onnx.py OUT.onnx [--weights Calibration/weights.h5]

Graph (opset 17), float32, batch dimension "N":

    input [N,64] -Gemm(fc1.weight, fc1.bias, transB=1)-> fc1_out -Relu-> relu1
    relu1 -Gemm(fc2.*)-> fc2_out -Relu-> relu2 -Gemm(fc3.*)-> logits [N,10]

The inputs of the three Gemm nodes, `input`, `relu1` and `relu2`, are what PTQKit calibrates as the input
activations of layers fc1, fc2 and fc3 (Calibration/activations.h5 `/fc1`, `/fc2`, `/fc3`); the names map
Tests/Fixtures/export/digits-onnx-names.yaml says so for `ptq export --names`. Weights are read from
weights.h5 (PyTorch convention [out, in], hence transB=1). Needs numpy, h5py and onnx; deterministic.
"""
import argparse
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import digits_mlp  # noqa: E402

#: PTQKit layer -> the ONNX tensor that is its input activation.
LAYER_INPUTS = {"fc1": "input", "fc2": "relu1", "fc3": "relu2"}


def build_model(weights_path: str) -> onnx.ModelProto:
    """The float32 digits MLP with the weights of `weights_path`."""
    weights = digits_mlp.load_weights(weights_path)
    nodes, initializers = [], []
    for i, layer in enumerate(digits_mlp.LAYERS):
        w = weights[f"{layer}/weight"].astype(np.float32)
        b = weights[f"{layer}/bias"].astype(np.float32)
        initializers += [numpy_helper.from_array(w, f"{layer}.weight"), numpy_helper.from_array(b, f"{layer}.bias")]
        last = i == len(digits_mlp.LAYERS) - 1
        out = "logits" if last else f"{layer}_out"
        nodes.append(helper.make_node("Gemm", [LAYER_INPUTS[layer], f"{layer}.weight", f"{layer}.bias"], [out],
                                      name=f"{layer}", transB=1))
        if not last:
            nodes.append(helper.make_node("Relu", [out], [f"relu{i + 1}"], name=f"{layer}_relu"))
    graph = helper.make_graph(
        nodes, "digits_mlp",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", 64])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["N", 10])],
        initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="PTQKit")
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def main() -> int:
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output")
    parser.add_argument("--weights", default=os.path.join(here, "weights.h5"))
    args = parser.parse_args()
    onnx.save(build_model(args.weights), args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
