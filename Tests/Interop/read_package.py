#!/usr/bin/env python3
"""Reads a PTQKit model package with h5py + numpy alone, following docs/package-format.md.

    python3 Tests/Interop/read_package.py PKG [RESTORED.h5]

Dequantizes every tensor listed in PKG/manifest.json from tensors.h5 using only the documented layout
and formulas (x = scale * (q - zero_point), fixed point included; minifloat x = decode_table[code] * scale;
block-scaled MX/NVFP4 x = decode_table[code] * (scale_decode_table[scale code] * global_scale); packed 4/2-bit
codes low bits first; per-tensor / per-channel / per-group parameters) and the self-describing attributes, and
checks each result against RESTORED.h5 (the output of `ptq dequantize`), which must agree exactly: in a package
with a skeleton, a placeholder holds the float32 result converted to the skeleton dataset's own type, any
other listed tensor the skeleton's original values; without a skeleton every tensor is float32. First checks
the package's own files against the manifest's digests (`tensors_xxh3_128` / `skeleton_xxh3_128`, format
version 3's default, with PyPI's `xxhash`; `tensors_sha256` / `skeleton_sha256` with hashlib). Prints one
line per file and tensor; exits 1 on any mismatch. Needs numpy and h5py (and xxhash for XXH3-128 digests).
"""
import hashlib
import json
import sys

import h5py
import numpy as np


def unpack(packed: np.ndarray, bits: int, count: int, signed: bool) -> np.ndarray:
    """Codes from bytes: code i in bits (i*bits) % 8 ... of byte i*bits // 8, least significant first."""
    per_byte = 8 // bits
    fields = (packed.astype(np.uint8)[:, None] >> (bits * np.arange(per_byte, dtype=np.uint8))) & (2**bits - 1)
    q = fields.reshape(-1)[:count].astype(np.int32)
    if signed:
        q = np.where(q >= 2 ** (bits - 1), q - 2**bits, q)
    return q


def expand(param: np.ndarray, granularity: str, axis, group_size, shape) -> np.ndarray:
    """The parameter array broadcast (or repeated) to the tensor's shape."""
    if granularity == "per-tensor":
        return np.asarray(param).reshape(())
    if granularity == "per-channel":
        view = [1] * len(shape)
        view[axis] = shape[axis]
        return param.reshape(view)
    if granularity == "per-group":
        return np.repeat(param, group_size, axis=axis).take(range(shape[axis]), axis=axis)
    raise ValueError(f"unknown granularity {granularity}")


def dequantize(f: h5py.File, path: str) -> np.ndarray:
    """One tensor, from tensors.h5 and its attributes alone."""
    d = f[path]
    attrs = d.attrs
    encoding = attrs["ptq_encoding"]
    encoding = encoding.decode() if isinstance(encoding, bytes) else encoding
    if encoding == "float32":
        return d[()].astype(np.float32)
    shape = tuple(int(n) for n in attrs["original_shape"]) if "original_shape" in attrs else ()
    granularity = attrs["granularity"]
    granularity = granularity.decode() if isinstance(granularity, bytes) else granularity
    axis = int(attrs["axis"]) if "axis" in attrs else None
    group = int(attrs["group_size"]) if "group_size" in attrs else None
    if encoding == "block_scaled":
        # MX / NVFP4: uint8 scale codes per block; block scale = scale_decode_table[code] * global_scale
        # (float32; global_scale 1 without its dataset), then x = decode_table[code] * block scale.
        scale_table = f[path + ".scale_decode_table"][()].astype(np.float32)
        g = np.float32(f[path + ".global_scale"][()]) if path + ".global_scale" in f else np.float32(1)
        block = (scale_table[f[path + ".scale"][()].astype(np.intp)] * g).astype(np.float32)
        s = expand(block, granularity, axis, group, shape)
        table = f[path + ".decode_table"][()].astype(np.float32)
        return (table[d[()].astype(np.intp)] * s).astype(np.float32)
    s = expand(f[path + ".scale"][()].astype(np.float32), granularity, axis, group, shape)
    if encoding == "minifloat":
        # x = decode_table[code] * scale (one float32 multiply).
        table = f[path + ".decode_table"][()].astype(np.float32)
        return (table[d[()].astype(np.intp)] * s).astype(np.float32)
    assert encoding == "affine", f"{path}: encoding {encoding} not handled here"
    count = int(np.prod(shape, dtype=np.int64))
    bits, signed = int(attrs["bits"]), bool(attrs["signed"])
    if int(attrs["packed_bits"]):
        q = unpack(d[()], int(attrs["packed_bits"]), count, signed).reshape(shape)
    else:
        q = d[()].astype(np.int32).reshape(shape)
    assert q.min(initial=int(attrs["qmin"])) >= int(attrs["qmin"]) and q.max(initial=int(attrs["qmax"])) <= int(attrs["qmax"])
    if "fraction_digits" in attrs:
        # Decimal fixed point (the seed's E = 10^-d): x = float32(q / 10^d), one division in float64.
        return (q.astype(np.float64) / 10.0 ** int(attrs["fraction_digits"])).astype(np.float32)
    z = expand(f[path + ".zero_point"][()].astype(np.int32), granularity, axis, group, shape)
    # x = scale * (q - zero_point): integer difference, one float32 multiply (as PTQKit computes it).
    return (s * (q - z).astype(np.float32)).astype(np.float32)


# Original element types float32 holds exactly: their tensors, even unquantized, are skeleton placeholders.
EXACT_IN_FLOAT32 = {"float16", "float32", "int8", "uint8", "int16", "uint16"}


def is_placeholder(tensor: dict) -> bool:
    """Whether the skeleton leaves the tensor's dataset empty for `ptq dequantize` to fill."""
    return tensor["encoding"] != "float32" or tensor["original_dtype"] in EXACT_IN_FLOAT32


def expected_restored(x: np.ndarray, tensor: dict, skeleton) -> np.ndarray:
    """What `ptq dequantize` writes for a tensor whose float32 dequantization is `x`."""
    if skeleton is None:
        return x
    if is_placeholder(tensor):
        return x.astype(skeleton[tensor["dataset"]].dtype)  # libhdf5 converts on writing
    return skeleton[tensor["dataset"]][()]


def check_digests(package: str, manifest: dict) -> int:
    """Hashes tensors.h5 and the skeleton in 1 MiB pieces with the algorithm the manifest's key names
    (`<file>_xxh3_128`: xxhash.xxh3_128, canonical big-endian hex as `xxhsum -H2` prints it; `<file>_sha256`:
    hashlib.sha256, as `sha256sum` prints it). Returns the number of mismatches."""
    failures = 0
    for stem, name in (("tensors", manifest["tensors_file"]), ("skeleton", manifest.get("skeleton_file"))):
        recorded = {key[len(stem) + 1:]: value for key, value in manifest.items()
                    if key in (f"{stem}_sha256", f"{stem}_xxh3_128")}
        if name is None or not recorded:
            continue
        assert len(recorded) == 1, f"{stem}: more than one digest {sorted(recorded)}"
        (algorithm, expected), = recorded.items()
        if algorithm == "sha256":
            hasher = hashlib.sha256()
        else:
            try:
                import xxhash  # only needed for format version 3's default digest
            except ImportError:
                print(f"{name}: xxh3_128 not checked (no xxhash module: pip install xxhash)")
                continue
            hasher = xxhash.xxh3_128()
        with open(f"{package}/{name}", "rb") as f:
            for piece in iter(lambda: f.read(1 << 20), b""):
                hasher.update(piece)
        same = hasher.hexdigest() == expected
        print(f"{name}: {algorithm} {'matches the manifest' if same else 'DIFFERS from the manifest'}")
        failures += 0 if same else 1
    return failures


def main() -> int:
    if len(sys.argv) not in (2, 3):
        print(__doc__, file=sys.stderr)
        return 2
    package = sys.argv[1]
    with open(f"{package}/manifest.json") as m:
        manifest = json.load(m)
    # Version 2 renamed only manifest keys this reader does not use (policy keys; scheme errors added);
    # version 3 records the package's digests under their algorithm's key (checked first).
    assert manifest["format"] == "ptqkit-model-package" and manifest["format_version"] in (1, 2, 3)
    failures = check_digests(package, manifest)
    restored = h5py.File(sys.argv[2], "r") if len(sys.argv) == 3 else None
    skeleton = h5py.File(f"{package}/{manifest['skeleton_file']}", "r") if "skeleton_file" in manifest else None
    with h5py.File(f"{package}/{manifest['tensors_file']}", "r") as f:
        for layer in manifest["layers"]:
            for tensor in layer["tensors"]:
                path = tensor["dataset"]
                x = dequantize(f, path)
                assert list(x.shape) == tensor["original_shape"], f"{path}: shape {x.shape}"
                line = f"{path}: {tensor['encoding']} {list(x.shape)}"
                if restored is not None:
                    reference = restored[path][()]
                    expected = expected_restored(x, tensor, skeleton)
                    same = reference.dtype == expected.dtype and np.array_equal(reference, expected, equal_nan=True)
                    line += " matches ptq dequantize" if same else " DIFFERS from ptq dequantize"
                    failures += 0 if same else 1
                print(line)
    for file in (restored, skeleton):
        if file is not None:
            file.close()
    print(f"{failures} mismatches")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
