#!/usr/bin/env python3
"""Decompresses `ptq export --format compressed-tensors` directories with the compressed-tensors library's
own code (run once, outside CI: it pulls torch) and records the result as a golden.

    python decompress_with_library.py GOLDEN.json NAME=EXPORT_DIR:DEQUANTIZED.npz ...

For each export: `QuantizationConfig.model_validate(config["quantization_config"])` (the parser vLLM
uses), then per config group and target module the registered compressor of the group's format
(`BaseCompressor.get_value_from_registry(format).decompress(state_dict, scheme)`, compressed-tensors'
`IntQuantizationCompressor` / `PackedQuantizationCompressor`) on the module's tensors read with
`safetensors.torch.load_file`. The decompressed weight must equal `ptq dequantize`'s (DEQUANTIZED.npz:
name -> float32 array, from the package's restored HDF5) exactly; the golden keeps, per module, the SHA-256
of the decompressed float32 bytes, the tensor names and dtypes, and the library version.
"""
import hashlib
import json
import os
import sys

import numpy as np
import compressed_tensors
from compressed_tensors.compressors import BaseCompressor
from compressed_tensors.quantization import QuantizationConfig
from safetensors.torch import load_file


def main():
    golden_path = sys.argv[1]
    golden = {"compressed_tensors": compressed_tensors.__version__, "exports": {}}
    failures = []
    for spec in sys.argv[2:]:
        name, rest = spec.split("=", 1)
        directory, dequantized_path = rest.split(":", 1)
        with open(os.path.join(directory, "config.json")) as f:
            config = QuantizationConfig.model_validate(json.load(f)["quantization_config"])
        tensors = load_file(os.path.join(directory, "model.safetensors"))
        expected = np.load(dequantized_path)
        modules = {}
        for group in config.config_groups.values():
            compressor = BaseCompressor.get_value_from_registry(group.format or config.format)
            for module in group.targets:
                local = {k[len(module) + 1:]: v for k, v in tensors.items() if k.startswith(module + ".")}
                out = compressor.decompress(local, group)
                weight = out["weight"].to(dtype=__import__("torch").float32).numpy()
                want = expected[module]
                if weight.shape != want.shape or not np.array_equal(weight, want):
                    diff = float(np.max(np.abs(weight - want))) if weight.shape == want.shape else None
                    failures.append(f"{name}/{module}: decompressed weight differs from ptq dequantize (max {diff})")
                modules[module] = {
                    "format": group.format or config.format,
                    "tensors": {k: [str(v.dtype).replace("torch.", ""), list(v.shape)] for k, v in sorted(local.items())},
                    "weight_sha256": hashlib.sha256(np.ascontiguousarray(weight, dtype="<f4").tobytes()).hexdigest(),
                    "equals_ptq_dequantize": bool(np.array_equal(weight, want)),
                }
        golden["exports"][name] = {"format": config.format, "modules": modules}
        print(f"{name}: {len(modules)} modules decompressed, "
              f"{sum(m['equals_ptq_dequantize'] for m in modules.values())} equal to ptq dequantize")
    with open(golden_path, "w") as f:
        json.dump(golden, f, indent=1, sort_keys=True)
        f.write("\n")
    for failure in failures:
        print("FAIL: " + failure, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
