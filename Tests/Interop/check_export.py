#!/usr/bin/env python3
"""Checks `ptq export` outputs with their real consumers' own reader code (CI: ExportTests).

    check_export.py onnxruntime PKG CACHE --names MAP [--workdir DIR]
    check_export.py onnxruntime-table PKG DIR [--names MAP]
    check_export.py tensorrt PKG CACHE --version V [--names MAP]
    check_export.py aimet PKG DIR --golden GOLDEN   (DIR holds 0.6.1.encodings, 1.0.0.encodings, 2.0.0.encodings)
    check_export.py compressed-tensors PKG DIR --restored H5 --golden GOLDEN --golden-name NAME
    check_export.py gguf-imatrix PKG FILE --activations H5 [--names MAP]

onnxruntime: `onnxruntime.quantization.calibrate.load_tensors_data` must return exactly the manifest's
float32 ranges; `quantize_static(..., calibration_data_reader=None, calibration_cache_path=CACHE)` (the call
docs/exports.md documents) quantizes the digits MLP (Calibration/make_digits_onnx.py); every activation
QuantizeLinear's y_scale / y_zero_point must equal ORT's `compute_scale_zp` of our range; the QDQ model
runs in an InferenceSession and its held-out accuracy must be within 1 point of the float model's.
onnxruntime-table: calibration.json re-read with `load_tensors_data`, calibration.flatbuffers with ORT's
`CalTableFlatBuffers.TrtTable` reader and calibration.cache as text, each compared with the manifest and
with what ORT's own `write_calibration_table` writes for the same ranges.
tensorrt: the cache parsed with the rule of TensorRT's ORT provider and NVIDIA ModelOpt
(`struct.unpack("!f", bytes.fromhex(hex))`), each scale equal to float32(amax) / 127.
aimet: each version's file has the structure, names and (scale, offset) of the files aimet-onnx's
`load_encodings_to_sim` loaded when the golden was made (Tests/Interop/aimet/, run outside CI).
compressed-tensors: safetensors + numpy dequantize every module to `ptq dequantize`'s values and to the
SHA-256 of compressed-tensors' own decompression recorded in the golden (made outside CI).
gguf-imatrix: the file re-read with gguf-py's `GGUFReader`: `general.type` imatrix, `imatrix.datasets`,
`imatrix.chunk_count`/`chunk_size`, and per layer with input moments `<weight>.in_sum2` / `.in_sum` (F32, ne
[d, 1]) equal to numpy's float64 Σx² / Σx over the activation rows (as float32), `.counts` the row count.
Prints the figures as JSON; exit status 0 when every check holds, 1 otherwise (the failures on stderr).
"""
import argparse
import json
import os
import struct
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "Calibration"))

failures = []


def expect(condition, message):
    if not condition:
        failures.append(message)


def load_names(path):
    if path is None:
        return {}
    with open(path) as f:
        text = f.read()
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        # The fixture maps are flat `key: value` YAML; read them without a YAML library.
        out = {}
        for line in text.splitlines():
            line = line.split("#", 1)[0].strip()
            if line:
                key, value = line.split(":", 1)
                out[key.strip()] = value.strip()
        return out


def manifest_ranges(package, names):
    """{target name: activation record} of every layer with activation parameters."""
    with open(os.path.join(package, "manifest.json")) as f:
        manifest = json.load(f)
    return {names.get(layer["name"], layer["name"]): layer["activation"]
            for layer in manifest["layers"] if layer.get("activation") is not None}


def check_ranges(tensors, records, what):
    from onnxruntime.quantization.calibrate import CalibrationMethod
    expect(tensors.calibration_method == CalibrationMethod.MinMax, f"{what}: method {tensors.calibration_method}")
    expect(set(tensors.keys()) == set(records), f"{what}: names {sorted(tensors.keys())} != {sorted(records)}")
    for name, record in records.items():
        if name not in tensors:
            continue
        lo, hi = tensors[name].range_value
        expect(lo.dtype == np.float32 and hi.dtype == np.float32, f"{what}: {name} dtype {lo.dtype}")
        expect(lo == np.float32(record["range_min"]) and hi == np.float32(record["range_max"]),
               f"{what}: {name} range [{lo}, {hi}] != [{record['range_min']}, {record['range_max']}]")


def ort_tensors_data(records):
    """ORT's TensorsData of our ranges, as ORT's MinMax calibration holds them (0-d float32 arrays)."""
    from onnxruntime.quantization.calibrate import CalibrationMethod, TensorData, TensorsData
    data = {name: TensorData(lowest=np.array(r["range_min"], dtype=np.float32),
                             highest=np.array(r["range_max"], dtype=np.float32)) for name, r in records.items()}
    return TensorsData(CalibrationMethod.MinMax, data)


def expect_bytes_of_save_tensors_data(path, records):
    """Our cache without its provenance key is byte for byte what `save_tensors_data` writes."""
    from onnxruntime.quantization.calibrate import save_tensors_data
    reference = os.path.join(tempfile.mkdtemp(prefix="ptq-export-cache-"), "cache.json")
    save_tensors_data(ort_tensors_data(records), reference)
    with open(reference, "rb") as f:
        theirs = f.read()
    with open(path, "rb") as f:
        ours = f.read()
    cut = ours.rfind(b', "ptqkit_exported_from": ')
    expect(cut > 0 and ours.endswith(b"}"), "no ptqkit_exported_from key at the end")
    expect(ours[:cut] + b"}" == theirs, f"differs from save_tensors_data's bytes:\n{ours!r}\n{theirs!r}")


def onnxruntime_check(args):
    import onnx
    import onnxruntime as ort
    from onnxruntime.quantization import CalibrationMethod, QuantFormat, QuantType, quantize_static
    from onnxruntime.quantization.calibrate import load_tensors_data
    from onnxruntime.quantization.quant_utils import compute_scale_zp, get_qmin_qmax_for_qType

    import digits_mlp
    import make_digits_onnx

    names = load_names(args.names)
    records = manifest_ranges(args.package, names)
    check_ranges(load_tensors_data(args.output), records, "load_tensors_data")
    expect_bytes_of_save_tensors_data(args.output, records)

    signed = {r["signed"] for r in records.values()}
    symmetric = {r["scheme"] == "symmetric" for r in records.values()}
    expect(len(signed) == 1 and len(symmetric) == 1, "mixed activation types in one package")
    activation_type = QuantType.QInt8 if signed.pop() else QuantType.QUInt8
    symmetric = symmetric.pop()

    workdir = args.workdir or tempfile.mkdtemp(prefix="ptq-export-ort-")
    float_path = os.path.join(workdir, "digits.onnx")
    qdq_path = os.path.join(workdir, "digits.qdq.onnx")
    onnx.save(make_digits_onnx.build_model(os.path.join(REPO, "Calibration/weights.h5")), float_path)
    # The call docs/exports.md documents.
    quantize_static(
        float_path, qdq_path,
        calibration_data_reader=None,
        calibration_cache_path=args.output,
        calibrate_method=CalibrationMethod.MinMax,
        quant_format=QuantFormat.QDQ,
        op_types_to_quantize=["Gemm"],
        per_channel=True,
        activation_type=activation_type,
        weight_type=QuantType.QInt8,
        extra_options={"ActivationSymmetric": symmetric, "OpTypesToExcludeOutputQuantization": ["Gemm"]},
    )

    qdq = onnx.load(qdq_path)
    inits = {i.name: onnx.numpy_helper.to_array(i) for i in qdq.graph.initializer}
    qtype = activation_type.tensor_type
    qmin, qmax = get_qmin_qmax_for_qType(qtype, symmetric=symmetric)
    figures = {"activations": {}}
    for node in qdq.graph.node:
        if node.op_type != "QuantizeLinear" or node.input[0] not in records:
            continue
        name = node.input[0]
        record = records[name]
        scale, zero = inits[node.input[1]], inits[node.input[2]]
        zp_expected, scale_expected = compute_scale_zp(
            np.array(record["range_min"], dtype=np.float32), np.array(record["range_max"], dtype=np.float32),
            qmin, qmax, symmetric)
        expect(scale.dtype == np.float32 and scale == scale_expected, f"{name}: y_scale {scale} != {scale_expected}")
        expect(zero == zp_expected, f"{name}: y_zero_point {zero} != {zp_expected}")
        if record["profile"] == "onnxruntime":  # the package used ORT's numerics: the same parameters
            expect(scale == np.float32(record["scale"]) and int(zero) == record["zero_point"],
                   f"{name}: ORT's ({scale}, {zero}) != the package's ({record['scale']}, {record['zero_point']})")
        figures["activations"][name] = {
            "y_scale": float(scale), "y_zero_point": int(zero),
            "ptqkit_scale": record["scale"], "ptqkit_zero_point": record["zero_point"]}
    expect(set(figures["activations"]) == set(records),
           f"QuantizeLinear on {sorted(figures['activations'])}, expected {sorted(records)}")

    x, y = digits_mlp.load_heldout(os.path.join(REPO, "Calibration/heldout.h5"))
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1

    def accuracy(path):
        session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
        logits = session.run(None, {"input": x.astype(np.float32)})[0]
        return float(np.mean(np.argmax(logits, axis=1) == y))

    figures["float_accuracy"] = accuracy(float_path)
    figures["qdq_accuracy"] = accuracy(qdq_path)
    figures["difference_points"] = (figures["qdq_accuracy"] - figures["float_accuracy"]) * 100
    figures["heldout_samples"] = int(len(y))
    expect(abs(figures["difference_points"]) <= 1.0, f"QDQ accuracy {figures['qdq_accuracy']} vs float "
           f"{figures['float_accuracy']}")
    return figures


def table_check(args):
    from onnxruntime.quantization.calibrate import load_tensors_data
    from onnxruntime.quantization.CalTableFlatBuffers.TrtTable import TrtTable
    from onnxruntime.quantization.quant_utils import write_calibration_table

    records = manifest_ranges(args.package, load_names(args.names))
    ours = args.output
    check_ranges(load_tensors_data(os.path.join(ours, "calibration.json")), records, "calibration.json")

    def amax(record):
        return float(max(abs(np.float32(record["range_min"])), abs(np.float32(record["range_max"]))))

    def read_flatbuffers(path):
        with open(path, "rb") as f:
            buf = f.read()
        table = TrtTable.GetRootAs(buf, 0)
        return {table.Dict(i).Key().decode(): table.Dict(i).Value().decode() for i in range(table.DictLength())}

    def read_text(path):
        with open(path) as f:
            return dict(line.rsplit(" ", 1) for line in f.read().splitlines())

    flat = read_flatbuffers(os.path.join(ours, "calibration.flatbuffers"))
    text = read_text(os.path.join(ours, "calibration.cache"))
    for what, table in (("calibration.flatbuffers", flat), ("calibration.cache", text)):
        expect(set(table) == set(records), f"{what}: names {sorted(table)}")
        for name, record in records.items():
            expect(name in table and float(table[name]) == amax(record), f"{what}: {name} {table.get(name)}")

    # ORT's own writer on the same ranges: identical wherever lowest >= -highest (its max(highest, lowest)
    # is then the dynamic range its readers expect).
    reference = tempfile.mkdtemp(prefix="ptq-export-table-")
    write_calibration_table(ort_tensors_data(records), dir=reference)
    comparable = all(np.float32(r["range_min"]) >= -np.float32(r["range_max"]) for r in records.values())
    with open(os.path.join(reference, "calibration.json")) as f:
        ort_json = json.load(f)
    with open(os.path.join(ours, "calibration.json")) as f:
        our_json = json.load(f)
    expect(our_json.pop("ptqkit_exported_from", None) is not None, "calibration.json: no ptqkit_exported_from")
    expect(our_json == ort_json, "calibration.json differs from write_calibration_table's")
    if comparable:
        expect(read_flatbuffers(os.path.join(reference, "calibration.flatbuffers")) == flat,
               "calibration.flatbuffers differs from write_calibration_table's")
        with open(os.path.join(reference, "calibration.cache"), "rb") as a, \
                open(os.path.join(ours, "calibration.cache"), "rb") as b:
            expect(a.read() == b.read(), "calibration.cache differs from write_calibration_table's bytes")
    return {"tensors": len(flat), "dynamic_ranges": flat, "compared_with_write_calibration_table": comparable}


def tensorrt_check(args):
    records = manifest_ranges(args.package, load_names(args.names))
    with open(args.output) as f:
        lines = f.read().splitlines()
    expect(lines[0] == f"TRT-{args.version}-EntropyCalibration2", f"header {lines[0]!r}")
    scales = {}
    for line in lines[1:]:
        name, hexed = line.rsplit(": ", 1)
        scales[name] = struct.unpack("!f", bytes.fromhex(hexed))[0]  # ModelOpt calib_utils / ORT TRT EP rule
    expect(set(scales) == set(records), f"names {sorted(scales)} != {sorted(records)}")
    for name, record in records.items():
        amax = max(abs(np.float32(record["range_min"])), abs(np.float32(record["range_max"])))
        expected = np.float32(amax) / np.float32(127)
        expect(name in scales and np.float32(scales[name]) == expected, f"{name}: {scales.get(name)} != {expected}")
    return {"scales": scales}


def aimet_check(args):
    """Our files have the structure, names and encodings of the files aimet-onnx's load_encodings_to_sim loaded
    when the golden was made (Tests/Interop/aimet/load_with_aimet.py): AIMET would hold the same encodings."""
    sys.path.insert(0, os.path.join(HERE, "aimet"))
    from encodings_structure import expected_aimet, names_in, structure
    with open(args.golden) as f:
        golden = json.load(f)
    figures = {"aimet_onnx": golden["aimet_onnx"], "versions": {}}
    for version, expected in sorted(golden["versions"].items()):
        with open(os.path.join(args.output, f"{version}.encodings")) as f:
            document = json.load(f)
        expect(document["version"] == version, f"{version}: version {document['version']}")
        expect(structure(document) == expected["structure"], f"{version}: structure {structure(document)} != "
               f"{expected['structure']}")
        expect(names_in(document) == expected["names"], f"{version}: names {names_in(document)}")
        for name, held in expected["loaded"].items():
            scales, offsets = expected_aimet(document, name)
            expect(np.allclose(scales, held["scale"], rtol=1e-6, atol=0) and
                   [float(o) for o in offsets] == held["offset"], f"{version}: {name} differs from what AIMET held")
        figures["versions"][version] = {"quantizers": len(expected["loaded"]),
                                        "aimet_quantsim_accuracy": expected["quantsim_accuracy"],
                                        "float_accuracy": golden["float_accuracy"]}
    return figures


def unpack_int4(words, count):
    """Rows of int32 words -> signed 4-bit codes: element j at bits 4*(j % 8) of word j // 8, minus 8."""
    u = words.astype(np.uint32)[:, :, None] >> (4 * np.arange(8, dtype=np.uint32))[None, None, :]
    return ((u & 0xF).astype(np.int32) - 8).reshape(words.shape[0], -1)[:, :count]


def compressed_tensors_check(args):
    """Re-reads the export with safetensors + numpy, dequantizes as compressed-tensors does (w = scale·(q − zp)
    in float32, group scales repeated over their group), and requires ptq dequantize's values and the SHA-256
    compressed-tensors' own decompression gave when the golden was made (Tests/Interop/compressed_tensors/)."""
    import hashlib

    import h5py
    from safetensors.numpy import load_file
    with open(os.path.join(args.output, "config.json")) as f:
        config = json.load(f)["quantization_config"]
    tensors = load_file(os.path.join(args.output, "model.safetensors"))
    with open(args.golden) as f:
        golden = json.load(f)["exports"][args.golden_name]
    expect(config["quant_method"] == "compressed-tensors" and config["format"] == golden["format"],
           f"format {config['format']}")
    restored = h5py.File(args.restored, "r")
    figures = {}
    for group in config["config_groups"].values():
        weights = group["weights"]
        for module in group["targets"]:
            local = {k[len(module) + 1:]: v for k, v in tensors.items() if k.startswith(module + ".")}
            want = golden["modules"][module]
            expect({k: [str(v.dtype), list(v.shape)] for k, v in local.items()} == want["tensors"],
                   f"{module}: tensors differ from the golden's")
            scale = local["weight_scale"]
            if group["format"] == "pack-quantized":
                rows, columns = (int(v) for v in local["weight_shape"])
                q = unpack_int4(local["weight_packed"], columns)
                zp = unpack_int4(local["weight_zero_point"].T, rows).T if "weight_zero_point" in local else None
            else:
                q = local["weight"].astype(np.int32)
                zp = local.get("weight_zero_point")
            if weights["strategy"] == "group":
                scale = np.repeat(scale, weights["group_size"], axis=1)
                zp = None if zp is None else np.repeat(zp, weights["group_size"], axis=1)
            x = q.astype(np.float32)
            if zp is not None:
                x = x - zp.astype(np.float32)
            w = (x * scale).astype(np.float32)
            expect(np.array_equal(w, restored[f"{module}/weight"][()]), f"{module}: differs from ptq dequantize")
            digest = hashlib.sha256(np.ascontiguousarray(w, dtype="<f4").tobytes()).hexdigest()
            expect(digest == want["weight_sha256"], f"{module}: differs from compressed-tensors' decompression")
            figures[module] = {"format": group["format"], "strategy": weights["strategy"],
                               "symmetric": weights["symmetric"], "equals_ptq_dequantize_and_library": True}
    return figures


def gguf_imatrix_check(args):
    import h5py
    from gguf import GGMLQuantizationType, GGUFReader

    names = load_names(args.names)
    with open(os.path.join(args.package, "manifest.json")) as f:
        manifest = json.load(f)
    reader = GGUFReader(args.output)
    fields = {key: field.contents() for key, field in reader.fields.items()}
    expect(fields.get("general.type") == "imatrix", f"general.type {fields.get('general.type')}")
    expect(fields.get("imatrix.chunk_size") == 1, f"chunk_size {fields.get('imatrix.chunk_size')}")
    activations = [i["path"] for i in manifest["inputs"] if i["role"] == "activations"]
    expect(fields.get("imatrix.datasets") == activations, f"datasets {fields.get('imatrix.datasets')}")
    tensors = {t.name: t for t in reader.tensors}
    order = [t.name.rsplit(".", 1)[0] for t in reader.tensors]
    expect(order == sorted(order, key=lambda n: n.encode()), f"entries not in name order: {order}")
    source = h5py.File(args.activations, "r")
    figures, counts = {}, []
    for layer in manifest["layers"]:
        moments = (layer.get("activation") or {}).get("input_moments")
        if moments is None:
            continue
        weight = next((t["dataset"] for t in layer["tensors"] if t["role"] == "weight"), None)
        default = weight.lstrip("/").replace("/", ".") if weight else layer["name"]
        name = names.get(layer["name"], default)
        x = source[layer["activation"]["datasets"][0]][()].astype(np.float64)
        d = moments["features"]
        x = np.moveaxis(x, moments["axis"], -1).reshape(-1, d)
        want2, want1 = (x * x).sum(axis=0), x.sum(axis=0)
        for suffix, want in ((".in_sum2", want2), (".in_sum", want1)):
            t = tensors.get(name + suffix)
            expect(t is not None, f"{name}{suffix} missing")
            if t is None:
                continue
            expect(t.tensor_type == GGMLQuantizationType.F32, f"{name}{suffix}: type {t.tensor_type}")
            expect([int(n) for n in t.shape] == [d, 1], f"{name}{suffix}: ne {list(t.shape)}")
            got = np.asarray(t.data, dtype=np.float32).reshape(-1)
            # Our sums are float64 (reproducible order), then float32: equal to numpy's up to that one rounding.
            expect(np.array_equal(got, want.astype(np.float32)) or
                   np.allclose(got, want, rtol=2 ** -23, atol=2 ** -23 * np.abs(want).max()),
                   f"{name}{suffix}: max |diff| {np.abs(got - want).max()}")
            figures[name + suffix] = {"features": d, "equal_float32": bool(np.array_equal(got, want.astype(np.float32))),
                                      "max_relative_error": float(np.max(np.abs(got - want) / np.maximum(np.abs(want), 1e-30)))}
        c = tensors.get(name + ".counts")
        expect(c is not None and [int(n) for n in c.shape] == [1, 1] and float(c.data.reshape(-1)[0]) == x.shape[0],
               f"{name}.counts != {x.shape[0]}")
        counts.append(x.shape[0])
    expect(len(figures) > 0, "no layer with input moments")
    expect(fields.get("imatrix.chunk_count") == max(counts, default=0), f"chunk_count {fields.get('imatrix.chunk_count')}")
    return figures


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("format", choices=["onnxruntime", "onnxruntime-table", "tensorrt", "aimet",
                                           "compressed-tensors", "gguf-imatrix"])
    parser.add_argument("package")
    parser.add_argument("output")
    parser.add_argument("--names")
    parser.add_argument("--version")
    parser.add_argument("--workdir")
    parser.add_argument("--golden", help="aimet: Tests/Interop/aimet/goldens-<config>.json; compressed-tensors: "
                        "Tests/Interop/compressed_tensors/goldens.json")
    parser.add_argument("--golden-name", help="compressed-tensors: the export's name in the golden")
    parser.add_argument("--restored", help="compressed-tensors: ptq dequantize's output for the package")
    parser.add_argument("--activations", help="gguf-imatrix: the activation file the package was calibrated on")
    args = parser.parse_args()
    check = {"onnxruntime": onnxruntime_check, "onnxruntime-table": table_check, "tensorrt": tensorrt_check,
             "aimet": aimet_check, "compressed-tensors": compressed_tensors_check, "gguf-imatrix": gguf_imatrix_check}
    figures = check[args.format](args)
    print(json.dumps(figures, indent=2, sort_keys=True))
    for failure in failures:
        print("FAIL: " + failure, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
