#!/usr/bin/env python3
"""Writes the small HDF5 files of the bad-input catalogue (Tests/CLITests/BadInputCatalogueTests.swift).

Run from the repository root with the reference venv (numpy, h5py):

    python3 Tests/Fixtures/make_badinput_fixtures.py

Every file describes one layer `fc` (weights: /fc/weight float32 [4, 8] and /fc/bias [4]; activations:
/fc float32 [16, 8]) except for the one property the case is about. Default libver everywhere except the
two `newer_format_*` files, which use libver='latest' with a gzip filter on purpose: h5py 3.16 bundles
HDF5 2.0, whose filtered-dataset layout message (version 5) Debian's libhdf5 1.10 cannot decode
(`h5dump` fails on them too; unfiltered 'latest' files -- superblock v3, fixed/extensible-array and
v2-B-tree chunk indexes -- are still readable, so they are not failure cases).

The cases generated inside the tests instead (truncations, empty file, directory, text file) need no
fixture. Outputs: Tests/Fixtures/badinput/*.h5 (each a few KB).

`--silently-wrong` (re)writes only the files of issue 20's "silently wrong output" cases (float64 beyond
float32's range, virtual datasets, external links; see `silently_wrong()`), with the system h5py
(`/usr/bin/python3`, HDF5 1.10), leaving the other fixtures as they are.
"""
import os
import sys

import h5py
import numpy as np

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "badinput")
rng = np.random.default_rng(20261129)

F32_MAX = np.finfo(np.float32).max
F32_TINY = np.finfo(np.float32).smallest_subnormal


def weight():
    return rng.standard_normal((4, 8)).astype(np.float32)


def activation():
    return rng.standard_normal((16, 8)).astype(np.float32)


def write(name, datasets, **file_options):
    """One file of `datasets` ({path: array or (array, create_dataset options)})."""
    with h5py.File(os.path.join(ROOT, name), "w", **file_options) as f:
        for path, value in datasets.items():
            data, options = value if isinstance(value, tuple) else (value, {})
            f.create_dataset(path, data=data, **options)


def weights(w, bias=True):
    datasets = {"fc/weight": w}
    if bias:
        datasets["fc/bias"] = rng.standard_normal(4).astype(np.float32)
    return datasets


def main():
    os.makedirs(ROOT, exist_ok=True)
    for name in os.listdir(ROOT):
        os.remove(os.path.join(ROOT, name))

    # Valid inputs: the base of the truncations and the partner of single-file cases.
    write("valid_weights.h5", weights(weight()))
    write("valid_activations.h5", {"fc": activation()})

    # Written by a newer HDF5 than Debian's 1.10 reads (layout message v5 of a filtered dataset).
    write("newer_format_weights.h5", weights((weight(), dict(chunks=(2, 8), compression="gzip"))), libver="latest")
    write("newer_format_activations.h5", {"fc": (activation(), dict(chunks=(4, 8), maxshape=(None, 8), compression="gzip"))},
          libver="latest")

    # Element types that are not numbers.
    strings = np.array([[b"w%d" % (i * 8 + j) for j in range(8)] for i in range(4)], dtype="S4")
    compound = np.zeros((4, 8), dtype=[("re", "<f4"), ("im", "<f4")])
    enum = h5py.enum_dtype({"LOW": 0, "HIGH": 1}, basetype="i1")
    booleans = rng.standard_normal((4, 8)) > 0
    for kind, data, options in [
        ("string", strings, {}),
        ("compound", compound, {}),
        ("enum", rng.integers(0, 2, (4, 8)).astype(np.int8), {"dtype": enum}),
        ("bool", booleans, {}),
    ]:
        write(f"weights_{kind}.h5", weights((data, options)))
        write(f"activations_{kind}.h5",
              {"fc": (np.resize(data, (16, 8)) if kind != "enum" else rng.integers(0, 2, (16, 8)).astype(np.int8), options)})

    # Numbers of other types and byte orders (accepted and converted to float32).
    w = rng.standard_normal((4, 8))
    a = rng.standard_normal((16, 8))
    for kind, dtype in [("int8", "<i1"), ("int32", "<i4"), ("uint8", "<u1"), ("float64", "<f8"), ("float16", "<f2"),
                        ("bigendian_float32", ">f4"), ("bigendian_float64", ">f8"), ("bigendian_int16", ">i2")]:
        scale = 40.0 if dtype[1] in "iu" else 1.0
        offset = 100.0 if dtype[1] == "u" else 0.0
        write(f"weights_{kind}.h5", weights((w * scale + offset).astype(dtype)))
        write(f"activations_{kind}.h5", {"fc": (a * scale + offset).astype(dtype)})

    # Shapes with no channels to speak of.
    write("weights_zero_length.h5", weights(np.zeros((0, 8), np.float32), bias=False))
    write("activations_zero_length.h5", {"fc": (np.zeros((0, 8), np.float32), dict(maxshape=(None, 8), chunks=(4, 8)))})
    write("weights_scalar.h5", weights(np.float32(0.75), bias=False))
    write("activations_scalar.h5", {"fc": np.float32(0.75)})
    write("weights_single_element.h5", {"fc/weight": np.full((1, 1), -0.5, np.float32)})
    write("activations_single_element.h5", {"fc": np.full((1, 1), 2.5, np.float32)})

    # Values: non-finite, degenerate and extreme.
    def inf_laden(shape):
        x = rng.standard_normal(shape).astype(np.float32)
        x.reshape(-1)[::3] = np.inf
        x.reshape(-1)[1::5] = -np.inf
        return x

    def near_max(shape):
        return (F32_MAX * rng.choice([-1.0, 1.0], shape) * rng.uniform(0.5, 1.0, shape)).astype(np.float32)

    def subnormal(shape):
        return (F32_TINY * rng.integers(-64, 65, shape)).astype(np.float32)

    for kind, make in [
        ("nan_only", lambda s: np.full(s, np.nan, np.float32)),
        ("inf_laden", inf_laden),
        ("all_zero", lambda s: np.zeros(s, np.float32)),
        ("constant", lambda s: np.full(s, 3.25, np.float32)),
        ("near_max", near_max),
        ("subnormal", subnormal),
    ]:
        write(f"weights_{kind}.h5", weights(make((4, 8))))
        write(f"activations_{kind}.h5", {"fc": make((16, 8))})
    # The extremes exactly: +-greatestFiniteMagnitude in one tensor (its range is 2·FLT_MAX, which overflows).
    extremes = np.resize(np.array([F32_MAX, -F32_MAX, 0.0, 1.0], np.float32), (4, 8))
    write("weights_extremes.h5", weights(extremes))
    write("activations_extremes.h5", {"fc": np.resize(extremes, (16, 8))})

    # Layer names.
    write("activations_other_layer.h5", {"other": activation()})
    write("weights_duplicate_layer.h5", {"fc/weight": weight(), "fc.weight": weight()})
    write("weights_escaping_names.h5", {"../x/weight": weight(), "../x/bias": rng.standard_normal(4).astype(np.float32)})
    write("activations_escaping_names.h5", {"../x": activation()})
    silently_wrong()


def silently_wrong():
    """Inputs libhdf5 reads "successfully" into wrong values unless PTQKit checks (issue 20, items 8, 9, 12)."""
    r = np.random.default_rng(20261206)
    # float64 beyond float32's range: libhdf5 converts 3.5e38 and 1e300 to +Inf without an error.
    write("weights_beyond_float32.h5", {"fc/weight": np.array([[3.5e38, 1.0], [-1.0, 2.0]], np.float64)})
    w = r.standard_normal((4, 8))
    w[2, 5] = 1e300
    write("weights_float64_1e300.h5", {"fc/weight": w})
    a = r.standard_normal((16, 8))
    a[9, 3] = -1e39
    write("activations_beyond_float32.h5", {"fc": a})
    # Real non-finite float64 values (NaN, +Inf): converted as they are, counted and warned about.
    w = r.standard_normal((4, 8))
    w[0, 0], w[1, 1], w[3, 7] = np.nan, np.inf, np.inf
    write("weights_float64_nonfinite.h5", {"fc/weight": w})

    # Virtual datasets: one whose source file exists (read normally), one whose source file is gone
    # (libhdf5 would hand out the fill value 7 for every element).
    for name, source, keep in [("weights_vds.h5", "vds_source.h5", True),
                               ("weights_vds_missing.h5", "vds_missing_source.h5", False)]:
        write(source, {"w": r.standard_normal((4, 8)).astype(np.float32)})
        layout = h5py.VirtualLayout(shape=(4, 8), dtype="f4")
        layout[:] = h5py.VirtualSource(source, "w", shape=(4, 8))
        with h5py.File(os.path.join(ROOT, name), "w") as f:
            f.create_virtual_dataset("fc/weight", layout, fillvalue=7)
        if not keep:
            os.remove(os.path.join(ROOT, source))

    # External links: one that resolves (fc/weight lives in external_target.h5), one that dangles.
    write("external_target.h5", {"w": r.standard_normal((4, 8)).astype(np.float32)})
    with h5py.File(os.path.join(ROOT, "weights_external.h5"), "w") as f:
        f["fc/weight"] = h5py.ExternalLink("external_target.h5", "/w")
        f["fc/bias"] = r.standard_normal(4).astype(np.float32)
    with h5py.File(os.path.join(ROOT, "weights_dangling_external.h5"), "w") as f:
        f["fc/weight"] = r.standard_normal((4, 8)).astype(np.float32)
        f["fc2/weight"] = h5py.ExternalLink("missing_target.h5", "/w")

    declared()


def declared():
    """Files that declare much more than they hold (issue 20): chunked float32 weights with no chunk
    written, read as their fill value. `weights_declared_1gib.h5` declares 16384x16384 (1 GiB as float32),
    `weights_declared_8gib.h5` 65536x32769 (8 GiB); each file is a few KB. Also a weight under a
    28-letter group for the catastrophic naming pattern `(a+)+$`. Written by `declared()` alone (run
    `python3 -c 'import make_badinput_fixtures as m; m.declared()'` in Tests/Fixtures) so the other files
    keep their bytes."""
    for name, shape in [("weights_declared_1gib.h5", (16384, 16384)), ("weights_declared_8gib.h5", (65536, 32769))]:
        with h5py.File(os.path.join(ROOT, name), "w") as f:
            f.create_dataset("fc/weight", shape=shape, dtype="<f4", chunks=(256, 256))
    write("weights_long_a_name.h5", {"a" * 28 + "/weight": np.arange(32, dtype=np.float32).reshape(4, 8)})


if __name__ == "__main__":
    if sys.argv[1:] == ["--silently-wrong"]:
        silently_wrong()
    else:
        main()
