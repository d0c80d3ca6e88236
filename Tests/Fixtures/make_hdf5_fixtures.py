#!/usr/bin/env python3
"""Writes the small HDF5 fixtures PTQKit's tests read, and the values they must read back.

Run from the repository root with the reference venv (numpy, h5py; default libver, never 'latest'):

    python3 Tests/Fixtures/make_hdf5_fixtures.py

Outputs (committed; every value comes from numpy/h5py, never typed in by hand):
  Tests/Fixtures/hdf5/fixtures.h5          layouts, dtypes, links, attributes, unsupported types
  Tests/Fixtures/hdf5/shards/shard_00N.h5  three shards of /x (float32 [n_i, 5]) for glob/file-list streams
  Tests/Fixtures/hdf5/newer_format.h5      written with libver='latest' on purpose: its dataset must fail clearly
  Tests/Fixtures/hdf5/userblock.h5         a 512-byte user block before the HDF5 data (+ userblock.json: its values)
  Tests/Fixtures/hdf5/expected.json        per dataset: dtype, byte order, shape, chunks, filters, values,
                                           numpy statistics; the link tree; the attributes
"""
import json
import math
import os

import h5py
import numpy as np

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "hdf5")
rng = np.random.default_rng(20261129)


def scalar_json(value):
    """A JSON-safe number: NaN and infinities become strings, integers stay exact."""
    if isinstance(value, (np.integer, int)):
        return int(value)
    value = float(value)
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return value


def stats(array):
    """numpy statistics as PTQKit defines them: min/max/mean/std (ddof=0) over finite values only."""
    flat = np.asarray(array).reshape(-1)
    values = flat.astype(np.float64)
    finite = values[np.isfinite(values)]
    out = {
        "count": int(flat.size),
        "finite_count": int(finite.size),
        "nan_count": int(np.isnan(values).sum()),
        "posinf_count": int(np.isposinf(values).sum()),
        "neginf_count": int(np.isneginf(values).sum()),
        "zero_fraction": float((values == 0).sum() / flat.size) if flat.size else 0.0,
    }
    if finite.size:
        # Computed on the float32 conversion PTQKit streams, in float64.
        as32 = flat.astype(np.float32).astype(np.float64)
        as32 = as32[np.isfinite(as32)]
        out.update(
            min=float(as32.min()), max=float(as32.max()), mean=float(as32.mean()), std=float(as32.std()),
            absmax=float(np.abs(as32).max()),
        )
    return out


def dtype_json(dtype):
    kind = {"f": "float", "i": "signedInteger", "u": "unsignedInteger"}[dtype.kind]
    order = "big" if dtype.byteorder == ">" else "little"
    return {"kind": kind, "bits": dtype.itemsize * 8, "byte_order": order, "name": dtype.newbyteorder("=").name}


def filters_json(dataset):
    filters = []
    if dataset.shuffle:
        filters.append({"name": "shuffle"})
    if dataset.compression == "gzip":
        filters.append({"name": "deflate", "level": int(dataset.compression_opts)})
    return filters


def write_fixtures():
    os.makedirs(os.path.join(ROOT, "shards"), exist_ok=True)
    path = os.path.join(ROOT, "fixtures.h5")
    datasets = {}
    unsupported = {}
    with h5py.File(path, "w") as f:
        def add(name, data, **kwargs):
            dataset = f.create_dataset(name, data=data, **kwargs)
            datasets[name] = dataset

        add("/nested/a/b/c/values", rng.standard_normal((3, 4)).astype(np.float32))
        add("/with.dots/weights.v1.2", rng.standard_normal(5))  # float64
        add("/chunked_gzip", rng.standard_normal((37, 6)).astype(np.float32), chunks=(8, 6), compression="gzip",
            compression_opts=4)
        add("/chunked_shuffle_gzip", rng.integers(-1000, 1000, (20, 3)).astype(np.int16), chunks=(5, 3),
            shuffle=True, compression="gzip", compression_opts=6)
        half = np.array([0.0, -0.0, 1.0, -2.5, 65504.0, 6e-8, 0.333, np.inf, -np.inf, 1e-3], dtype=np.float16)
        add("/float16", half.reshape(2, 5))
        add("/big_endian_f32", rng.standard_normal((10, 3)).astype(">f4"))
        add("/big_endian_i32", rng.integers(-(2**31), 2**31 - 1, (4, 2), endpoint=True).astype(">i4"))
        for dtype in ["int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64"]:
            info = np.iinfo(dtype)
            middle = rng.integers(max(info.min, -1000), min(info.max, 1000), 6, endpoint=True)
            values = [int(info.min), int(info.max), 0] + [int(v) for v in middle]
            add(f"/ints/{dtype}", np.array(values, dtype=dtype).reshape(3, 3))
        add("/scalar", np.float64(3.5))
        add("/empty_rows", np.zeros((0, 3), dtype=np.float32))
        specials = rng.standard_normal((6, 4)).astype(np.float32)
        specials.flat[[1, 5]] = np.nan
        specials.flat[7] = np.inf
        specials.flat[[9, 10]] = -np.inf
        specials.flat[[12, 13, 14]] = 0.0
        specials.flat[15] = -0.0
        add("/stats/specials", specials)
        add("/stats/rows", rng.standard_normal((103, 7)).astype(np.float32) * 3 + 1, chunks=(16, 7))

        # A Keras-like layout: model_weights/<layer>/<layer>/kernel:0, with Keras' attributes.
        weights = f.create_group("model_weights")
        weights.attrs["layer_names"] = np.array([b"dense", b"dense_1"])
        for layer, (fan_in, fan_out) in {"dense": (8, 4), "dense_1": (4, 2)}.items():
            group = weights.create_group(layer)
            group.attrs["weight_names"] = np.array([f"{layer}/kernel:0".encode(), f"{layer}/bias:0".encode()])
            add(f"/model_weights/{layer}/{layer}/kernel:0", rng.standard_normal((fan_in, fan_out)).astype(np.float32))
            add(f"/model_weights/{layer}/{layer}/bias:0", rng.standard_normal(fan_out).astype(np.float32))
        f.attrs["keras_version"] = "2.15.0"
        f.attrs["backend"] = "tensorflow"

        # Soft links: one to a dataset, one dangling.
        f["link_to_values"] = h5py.SoftLink("/nested/a/b/c/values")
        f["dangling"] = h5py.SoftLink("/does/not/exist")

        # Unsupported element types.
        f.create_dataset("unsupported/strings", data=np.array(["alpha", "beta", "γάμμα"], dtype=h5py.string_dtype()))
        unsupported["/unsupported/strings"] = "string"
        f.create_dataset("unsupported/compound", data=np.array([(1.0, 2), (3.0, 4)], dtype=[("x", "<f4"), ("y", "<i4")]))
        unsupported["/unsupported/compound"] = "compound"
        f.create_dataset("unsupported/flags", data=np.array([True, False, True]))
        unsupported["/unsupported/flags"] = "bool"
        f.create_dataset("unsupported/enum", data=np.array([0, 1, 2], dtype=np.uint8),
                         dtype=h5py.enum_dtype({"RED": 0, "GREEN": 1, "BLUE": 2}, basetype="u1"))
        unsupported["/unsupported/enum"] = "enum"

        # Attributes of every kind PTQKit decodes.
        target = f["/nested/a/b/c/values"]
        target.attrs["description"] = "a variable-length UTF-8 string: µ"
        target.attrs["fixed"] = np.bytes_("fixed-length")
        target.attrs["names"] = np.array([b"one", b"two", b"three"])
        target.attrs["count"] = np.int32(42)
        target.attrs["scale"] = np.float32(0.125)
        target.attrs["ratio"] = np.float64(1.0 / 3.0)
        target.attrs["shape_hint"] = np.array([3, 4], dtype=np.int64)
        target.attrs["weights"] = np.array([0.5, -1.25, 3.0], dtype=np.float64)
        target.attrs["u8"] = np.array([0, 255], dtype=np.uint8)

        def tree(group, prefix=""):
            entries = []
            for name in group:  # name order, as H5Lvisit visits
                full = f"{prefix}/{name}"
                link = group.get(name, getlink=True)
                if isinstance(link, h5py.SoftLink):
                    entries.append({"path": full, "kind": "softLink", "target": link.path})
                    continue
                obj = group[name]
                if isinstance(obj, h5py.Group):
                    entries.append({"path": full, "kind": "group"})
                    entries.extend(tree(obj, full))
                else:
                    entries.append({"path": full, "kind": "dataset"})
            return entries

        expected = {"script": "Tests/Fixtures/make_hdf5_fixtures.py", "h5py": h5py.__version__,
                    "numpy": np.__version__, "tree": tree(f), "datasets": {}, "unsupported": unsupported,
                    "attributes": {}}
        for name, dataset in datasets.items():
            data = dataset[()]
            expected["datasets"][name] = {
                "dtype": dtype_json(dataset.dtype),
                "shape": list(dataset.shape),
                "chunks": list(dataset.chunks) if dataset.chunks else None,
                "filters": filters_json(dataset),
                "values": [scalar_json(v) for v in np.asarray(data).reshape(-1)],
                "stats": stats(data),
            }
        for key, value in target.attrs.items():
            if isinstance(value, (str, bytes)):
                value = value.decode() if isinstance(value, bytes) else value
                expected["attributes"][key] = {"kind": "string", "value": value}
            elif isinstance(value, np.ndarray) and value.dtype.kind in "SOU":
                expected["attributes"][key] = {"kind": "strings",
                                               "value": [v.decode() if isinstance(v, bytes) else v for v in value]}
            elif np.ndim(value) == 0:
                kind = "float" if np.asarray(value).dtype.kind == "f" else "integer"
                expected["attributes"][key] = {"kind": kind, "value": scalar_json(value)}
            else:
                kind = "floats" if value.dtype.kind == "f" else "integers"
                expected["attributes"][key] = {"kind": kind, "value": [scalar_json(v) for v in value]}
        expected["root_attributes"] = {k: v for k, v in f.attrs.items()}

    # Shards of one tensor for file-list and glob streams; the row counts are not multiples of any batch.
    shard_rows = [11, 7, 13]
    shards = []
    for index, rows in enumerate(shard_rows):
        data = rng.standard_normal((rows, 5)).astype(np.float32)
        with h5py.File(os.path.join(ROOT, "shards", f"shard_{index:03d}.h5"), "w") as f:
            f.create_dataset("x", data=data, chunks=(4, 5))
        shards.append([scalar_json(v) for v in data.reshape(-1)])
    expected["shards"] = {"rows": shard_rows, "row_elements": 5, "values": shards}

    with open(os.path.join(ROOT, "expected.json"), "w") as out:
        json.dump(expected, out, indent=1, ensure_ascii=False)
        out.write("\n")


def write_newer_format_fixture():
    """The one deliberate exception to "default libver": a file libhdf5 1.10 cannot fully read, so the
    tests can check that its datasets fail with a clear `.unsupportedFormat` error (HDF5-NOTES)."""
    with h5py.File(os.path.join(ROOT, "newer_format.h5"), "w", libver="latest") as f:
        f.create_dataset("compressed", data=np.arange(4, dtype=np.float32), chunks=(2,), compression="gzip")


def write_userblock_fixture():
    """A file with a 512-byte user block in front of the HDF5 data (addresses inside the file are then
    relative to the block's end): the zero-copy mapped read path must refuse it and the copying paths read
    it. The values are in userblock.json."""
    values = (np.random.default_rng(512).standard_normal((9, 4)) * 3).astype(np.float32)
    with h5py.File(os.path.join(ROOT, "userblock.h5"), "w", userblock_size=512) as f:
        f.create_dataset("contiguous", data=values)
        f.create_dataset("chunked", data=values, chunks=(3, 4))
    with open(os.path.join(ROOT, "userblock.json"), "w") as out:
        json.dump({"shape": list(values.shape), "float32_bits": values.view(np.uint32).ravel().tolist()}, out)
        out.write("\n")


if __name__ == "__main__":
    write_fixtures()
    write_newer_format_fixture()
    write_userblock_fixture()
