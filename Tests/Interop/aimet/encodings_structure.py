"""What an AIMET encodings file holds, independent of AIMET (numpy-free): shared by load_with_aimet.py
(run once with aimet-onnx, writing the goldens) and check_export.py aimet (CI, comparing our files with them).
"""


def shape_of(value):
    """The JSON type structure of a value: dicts by key, lists by their first element's structure."""
    if isinstance(value, dict):
        return {k: shape_of(v) for k, v in sorted(value.items())}
    if isinstance(value, list):
        return [shape_of(value[0])] if value else []
    return type(value).__name__


def structure(document):
    """Top-level keys and, per encoding list/map, the entry structure (one per distinct shape)."""
    out = {"top_level": sorted(document)}
    for key in ("activation_encodings", "param_encodings", "encodings"):
        if key not in document:
            continue
        entries = document[key]
        items = list(entries.values()) if isinstance(entries, dict) else entries
        shapes = []
        for item in items:
            s = shape_of(item)
            if s not in shapes:
                shapes.append(s)
        out[key] = shapes
    return out


def names_in(document):
    if document["version"] == "2.0.0":
        return sorted(e["name"] for e in document["encodings"])
    if document["version"] == "1.0.0":
        return sorted(e["name"] for key in ("activation_encodings", "param_encodings") for e in document[key])
    return sorted(list(document["activation_encodings"]) + list(document["param_encodings"]))


def expected_aimet(document, name):
    """(scales, offsets) the file gives quantizer `name`, in AIMET's (delta, offset) form."""
    if document["version"] == "0.6.1":
        entries = {**document["param_encodings"], **document["activation_encodings"]}[name]
        return [e["scale"] for e in entries], [e["offset"] for e in entries]
    if document["version"] == "1.0.0":
        for key in ("activation_encodings", "param_encodings"):
            for e in document[key]:
                if e["name"] == name:
                    return e["scale"], e["offset"]
    for e in document["encodings"]:
        if e["name"] == name:
            scales = e["y_scale"] if isinstance(e["y_scale"], list) else [e["y_scale"]]
            zero = e.get("y_zero_point", 0)
            zeros = zero if isinstance(zero, list) else [zero] * len(scales)
            first = -(2 ** (int(e["output_dtype"][3:]) - 1)) if e["output_dtype"].startswith("int") else 0
            return scales, [first - z for z in zeros]
    raise KeyError(name)
