"""Is `ptq dequantize`'s output a faithful copy of the original weights file? (issue 14, item 4; h5py only)

    python restore_fidelity.py make OUT.h5
        writes a weights file (generic PyTorch-like layer names) with what framework files carry beside
        the tensors: root, group and dataset attributes of every kind Keras and h5py write (variable- and
        fixed-length strings, string arrays, UTF-8 text, a JSON `model_config`, the empty float64 arrays
        Keras writes for layers without weights, integers, float arrays, a null-extent attribute), empty
        groups, a group that tracks creation order, a soft link, unmapped datasets (an int64 scalar, a
        variable-length string array, a chunked gzip float64 table, a compact float32 array, a virtual
        dataset, an external link to OUT_target.h5), and tensors in float32 (chunked, shuffle + gzip),
        float64 and float16.
    python restore_fidelity.py compare ORIGINAL RESTORED PACKAGE
        compares every link, group, dataset and attribute of ORIGINAL with RESTORED: the same objects
        (soft links with the same target), the same attributes (name, type class, string kind and
        character set, shape, value; RESTORED's root may add `ptqkit_dequantized_from`), the same
        creation-order tracking; datasets the package's manifest does not list: same dtype, shape,
        chunks, filters, fill value, layout and bytes (chunk by chunk as stored for chunked datasets);
        listed tensors: same dtype, shape, chunks, filters and attributes, values within the manifest's
        max_abs_error (float32-stored ones equal); virtual datasets and external links of ORIGINAL: plain
        (contiguous) datasets in RESTORED, same dtype, shape, attributes and elements, and RESTORED has
        no external link. Prints one line per problem and a summary line `fidelity: N links, A attributes,
        B byte-identical datasets, M materialized, T restored tensors, P problems`;
        exits 1 when there is a problem.
"""

import json
import sys

import h5py
import numpy as np

MARKER = "ptqkit_dequantized_from"


def make(path):
    rng = np.random.default_rng(7)
    with h5py.File(path, "w") as f:
        f.attrs["backend"] = "jax"  # variable-length UTF-8 (h5py's str)
        f.attrs["fixed"] = np.bytes_("fixed-8")  # fixed-length ASCII
        f.attrs["layer_names"] = np.array([b"fc1", b"fc2", b"norm"], dtype="S4")  # fixed-length array
        f.attrs["names_vlen"] = ["fc1", "fc2", "ünïcode"]  # variable-length array
        f.attrs["model_config"] = json.dumps({"class_name": "Sequential", "config": {"layers": [1, 2]}})
        f.attrs["weight_names"] = np.array([], dtype=np.float64)  # what Keras writes for no weights
        f.attrs["epoch"] = np.int64(12)
        f.attrs["lr"] = np.array([0.1, 0.01], dtype=np.float32)
        f.attrs["nothing"] = h5py.Empty("f8")
        f.create_group("empty")
        f.create_group("empty_with_attrs/inner").attrs["weight_names"] = np.array([], dtype=np.float64)
        ordered = f.create_group("ordered", track_order=True)
        for name in ["zeta", "alpha", "mid"]:
            ordered.attrs[name] = name
            ordered.create_group(name)
        fc1 = f.create_group("fc1")
        fc1.attrs["weight_names"] = [b"fc1/weight", b"fc1/bias"]
        w = fc1.create_dataset(
            "weight", data=rng.normal(size=(16, 24)).astype(np.float32), chunks=(8, 24), compression="gzip",
            compression_opts=6, shuffle=True)
        w.attrs["units"] = "out x in"
        w.attrs["scale_hint"] = np.float64(0.5)
        fc1.create_dataset("bias", data=rng.normal(size=16).astype(np.float64))
        fc2 = f.create_group("fc2")
        fc2.create_dataset("weight", data=rng.normal(size=(8, 16)).astype(np.float16))
        fc2.create_dataset("bias", data=rng.normal(size=8).astype(np.float32))
        meta = f.create_group("meta")
        meta.create_dataset("step", data=np.int64(1234))
        meta.create_dataset("tags", data=["a", "bb", "ccc"], dtype=h5py.string_dtype())
        table = meta.create_dataset(
            "table", data=rng.normal(size=(40, 30)), chunks=(16, 16), compression="gzip", fillvalue=-1.5)
        table.attrs["kind"] = np.bytes_("lookup")
        dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
        dcpl.set_layout(h5py.h5d.COMPACT)
        space = h5py.h5s.create_simple((5,))
        compact = h5py.h5d.create(meta.id, b"compact", h5py.h5t.IEEE_F32LE, space, dcpl=dcpl)
        compact.write(h5py.h5s.ALL, h5py.h5s.ALL, np.arange(5, dtype=np.float32))
        f["alias"] = h5py.SoftLink("/fc1/weight")
        # A virtual dataset (rows 0-9 of /meta/table) and an external link: the restored file holds both
        # as plain datasets of the same elements.
        layout = h5py.VirtualLayout(shape=(10, 30), dtype="f8")
        layout[:] = h5py.VirtualSource(".", "/meta/table", shape=(40, 30))[0:10, :]
        meta.create_virtual_dataset("virtual", layout)
        target = path[: -len(".h5")] + "_target.h5"
        with h5py.File(target, "w") as t:
            t.create_dataset("values", data=np.arange(6, dtype=np.int32)).attrs["origin"] = "target"
        meta["linked"] = h5py.ExternalLink(target.split("/")[-1], "/values")
    print(f"wrote {path}")


def links(f):
    """Every link below the root: path -> ('group' | 'dataset' | 'soft:<target>'), and the external ones."""
    found, external = {}, set()
    walk(f, "", found, external)
    return found, external


def walk(group, prefix, found, external):
    for name in group:
        path = prefix + name
        link = group.get(name, getlink=True)
        if isinstance(link, h5py.ExternalLink):
            external.add(path)
        if isinstance(link, h5py.SoftLink):
            found[path] = "soft:" + link.path
        elif isinstance(group[name], h5py.Group):
            found[path] = "group"
            walk(group[name], path + "/", found, external)
        else:
            found[path] = "dataset"


def attribute_signature(obj, name):
    attr = obj.attrs.get_id(name)
    t = attr.get_type()
    space = attr.get_space()
    kind = space.get_simple_extent_type()
    shape = space.shape if kind != h5py.h5s.NULL else None
    detail = (t.get_class(),)
    if t.get_class() == h5py.h5t.STRING:
        detail += (t.is_variable_str(), t.get_cset(), None if t.is_variable_str() else t.get_size())
    else:
        detail += (t.get_size(), str(attr.dtype))
    return detail, kind, shape


def same_value(a, b):
    if isinstance(a, h5py.Empty) or isinstance(b, h5py.Empty):
        return isinstance(a, h5py.Empty) and isinstance(b, h5py.Empty) and a.dtype == b.dtype
    a, b = np.asarray(a), np.asarray(b)
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes() if a.dtype != object \
        else a.shape == b.shape and list(a.ravel()) == list(b.ravel())


def compare_attributes(original, restored, where, problems, root=False):
    names = sorted(original.attrs.keys())
    extra = sorted(set(restored.attrs.keys()) - set(names) - ({MARKER} if root else set()))
    if extra:
        problems.append(f"{where}: attributes {extra} not in the original")
    if list(original.attrs.keys()) != [n for n in restored.attrs.keys() if not (root and n == MARKER)]:
        problems.append(f"{where}: attribute order {list(original.attrs.keys())} != {list(restored.attrs.keys())}")
    for name in names:
        if name not in restored.attrs:
            problems.append(f"{where}@{name}: missing")
            continue
        if attribute_signature(original, name) != attribute_signature(restored, name):
            problems.append(f"{where}@{name}: {attribute_signature(original, name)} != "
                            f"{attribute_signature(restored, name)}")
        elif not same_value(original.attrs[name], restored.attrs[name]):
            problems.append(f"{where}@{name}: value differs")
    return len(names)


def storage(d):
    plist = d.id.get_create_plist()
    # (h5py 3.7 crashes reading the fill value of a variable-length string dataset.)
    fill = repr(d.fillvalue) if d.dtype != object else plist.fill_value_defined()
    return dict(dtype=str(d.dtype), shape=d.shape, maxshape=d.maxshape, chunks=d.chunks,
                compression=d.compression, opts=d.compression_opts, shuffle=d.shuffle,
                fletcher32=d.fletcher32, fill=fill, layout=plist.get_layout())


def stored_chunks(d):
    """The raw bytes of every stored chunk, as on disk (filters not undone)."""
    chunks = []
    for index in range(d.id.get_num_chunks()):
        info = d.id.get_chunk_info(index)
        mask, data = d.id.read_direct_chunk(info.chunk_offset)
        chunks.append((info.chunk_offset, mask, bytes(data)))
    return chunks


def compare(original_path, restored_path, package):
    with open(f"{package}/manifest.json") as handle:
        manifest = json.load(handle)
    tensors = {t["dataset"].lstrip("/"): t for layer in manifest["layers"] for t in layer["tensors"]}
    problems = []
    attributes = identical = materialized = restored_tensors = 0
    with h5py.File(original_path, "r") as original, h5py.File(restored_path, "r") as restored:
        (before, linked), (after, still_linked) = links(original), links(restored)
        if still_linked:
            problems.append(f"external links in the restored file: {sorted(still_linked)}")
        if before != after:
            problems.append(f"links differ: only in original {sorted(set(before.items()) - set(after.items()))}, "
                            f"only in restored {sorted(set(after.items()) - set(before.items()))}")
        attributes += compare_attributes(original, restored, "/", problems, root=True)
        order = [g.id.get_create_plist().get_link_creation_order() for g in (original, restored)]
        if order[0] != order[1]:
            problems.append(f"/: link creation order flags {order[0]} != {order[1]}")
        for path, kind in sorted(before.items()):
            if after.get(path) != kind or kind.startswith("soft:"):
                continue
            a, b = original[path], restored[path]
            attributes += compare_attributes(a, b, "/" + path, problems)
            if kind == "group":
                flags = [g.id.get_create_plist().get_link_creation_order() for g in (a, b)]
                if flags[0] != flags[1]:
                    problems.append(f"/{path}: link creation order flags {flags[0]} != {flags[1]}")
                if list(a.keys()) != list(b.keys()):
                    problems.append(f"/{path}: member order {list(a.keys())} != {list(b.keys())}")
                continue
            if path in linked or a.is_virtual:
                # Copied in as a plain dataset of the same elements.
                if b.is_virtual or b.id.get_create_plist().get_layout() != h5py.h5d.CONTIGUOUS or \
                        a.dtype != b.dtype or a.shape != b.shape or a[()].tobytes() != b[()].tobytes():
                    problems.append(f"/{path}: not materialized as a contiguous copy of the same elements")
                else:
                    materialized += 1
                continue
            if storage(a) != storage(b):
                problems.append(f"/{path}: storage {storage(a)} != {storage(b)}")
                continue
            record = tensors.get(path)
            if record is None:
                same = a[()].tobytes() == b[()].tobytes() if a.dtype != object else list(a[()]) == list(b[()])
                if a.chunks is not None and same:
                    same = stored_chunks(a) == stored_chunks(b)
                if same:
                    identical += 1
                else:
                    problems.append(f"/{path}: not byte-identical")
                continue
            restored_tensors += 1
            x, y = a[()].astype(np.float64), b[()].astype(np.float64)
            error = float(np.max(np.abs(x - y))) if x.size else 0.0
            if record["encoding"] == "float32":
                allowed = 0.0 if str(a.dtype) in ("float16", "float32") else float(np.finfo(np.float32).eps) * np.max(np.abs(x))
            else:
                # The manifest's error, plus the rounding of the float32 result to the dataset's own type.
                allowed = record["metrics"]["max_abs_error"] * 1.001 + float(np.finfo(a.dtype).eps) * np.max(np.abs(x))
            if error > allowed:
                problems.append(f"/{path}: restored values differ by {error} (allowed {allowed})")
    for problem in problems:
        print(problem)
    print(f"fidelity: {len(before)} links, {attributes} attributes, {identical} byte-identical datasets, {materialized} materialized, "
          f"{restored_tensors} restored tensors, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "make":
        make(sys.argv[2])
    elif len(sys.argv) == 5 and sys.argv[1] == "compare":
        sys.exit(compare(sys.argv[2], sys.argv[3], sys.argv[4]))
    else:
        sys.exit(__doc__)
