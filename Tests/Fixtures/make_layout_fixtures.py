#!/usr/bin/env python3
"""Writes the model-layout fixtures of issue 14 (Tests/Fixtures/layouts/) with the real producers.

Keras part (Keras 3 with the JAX backend, the interop venv):

    KERAS_BACKEND=jax .build/test-venv/bin/python Tests/Fixtures/make_layout_fixtures.py keras

builds a small functional model `digits_cnn` (Conv2D `conv1`, DepthwiseConv2D `dw1`,
BatchNormalization `bn1`, Conv2DTranspose `up1`, Dense `fc1`, Dense `fc2`) and a tiny text model
`text_emb` (Embedding `embed`, Dense `head`), and saves each both ways:
`model.save_weights("<name>.weights.h5")` (Keras 3 native layout `layers/<class>[_N]/vars/<i>`) and
`model.save("<name>.h5")` (legacy HDF5: `model_weights/<layer>/<layer>/kernel`, `layer_names`,
`weight_names`, `model_config`). It also writes `digits_cnn_inputs.npy`-free inputs as
`digits_cnn_inputs.h5` (/input float32 [8, 8, 8, 1]) with the float model's outputs (/logits).

Torch part (torch in a venv outside the repository; the HDF5 files are then written by h5py in
`H5PY_PYTHON`, default the system python3):

    /work/venv-audit/bin/python Tests/Fixtures/make_layout_fixtures.py torch

writes a tiny BERT-style transformer block's `state_dict()` twice: flat root datasets named by the
state-dict keys (`encoder.layer.0.attention.self.query.weight`, LayerNorm `.weight`/`.bias`, a 64×16
word-embedding table) in `bert_tiny_flat.h5`, and the same keys split at every `.` into nested groups
in `bert_tiny_nested.h5`.

Torch convolutions (same venv): a small CNN with `Conv2d` `conv1`, `ConvTranspose2d` `up` (with bias),
a grouped `ConvTranspose2d` `gup` (groups 2), a bias-free `ConvTranspose2d` `deconv2` and `Linear` `fc`,
its flat `state_dict()` in `torch_cnn.h5`, and torch's own per-channel int8 weight scales
(`torch.ao.quantization.PerChannelMinMaxObserver`, symmetric, with the channel axis torch's quantization
uses for each module: 0 for Conv2d/Linear, 1 for ConvTranspose) in `torch_cnn_scales.json`:

    /work/venv-audit/bin/python Tests/Fixtures/make_layout_fixtures.py torch-conv

Damaged variants for the bad-input catalogue (any h5py; written from the Keras outputs above):

    /usr/bin/python3 Tests/Fixtures/make_layout_fixtures.py damaged

Every output is a few KB to tens of KB.
"""
import os
import shutil
import sys

import numpy as np

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "layouts")
BAD = os.path.join(os.path.dirname(os.path.abspath(__file__)), "badinput")


def keras_models():
    os.environ.setdefault("KERAS_BACKEND", "jax")
    import keras
    from keras import layers

    keras.utils.set_random_seed(20261206)
    inputs = keras.Input(shape=(8, 8, 1), name="image")
    x = layers.Conv2D(6, 3, padding="same", activation="relu", name="conv1")(inputs)
    x = layers.DepthwiseConv2D(3, depth_multiplier=2, padding="same", name="dw1")(x)
    x = layers.BatchNormalization(name="bn1")(x)
    x = layers.Activation("relu")(x)
    x = layers.Conv2DTranspose(4, 2, strides=1, padding="same", name="up1")(x)
    x = layers.GlobalAveragePooling2D()(x)
    x = layers.Dense(16, activation="relu", name="fc1")(x)
    outputs = layers.Dense(10, name="fc2")(x)
    cnn = keras.Model(inputs, outputs, name="digits_cnn")
    rng = np.random.default_rng(20261206)
    # BatchNormalization's moving statistics are not 0/1 in a trained model: make them so here.
    bn = cnn.get_layer("bn1")
    gamma, beta, mean, var = bn.get_weights()
    bn.set_weights([
        (1 + 0.1 * rng.standard_normal(gamma.shape)).astype("float32"),
        (0.1 * rng.standard_normal(beta.shape)).astype("float32"),
        (0.2 * rng.standard_normal(mean.shape)).astype("float32"),
        (1 + 0.3 * rng.random(var.shape)).astype("float32"),
    ])

    tokens = keras.Input(shape=(5,), dtype="int32", name="tokens")
    e = layers.Embedding(32, 8, name="embed")(tokens)
    e = layers.GlobalAveragePooling1D()(e)
    text = keras.Model(tokens, layers.Dense(3, name="head")(e), name="text_emb")

    os.makedirs(ROOT, exist_ok=True)
    for model in (cnn, text):
        model.save_weights(os.path.join(ROOT, f"{model.name}.weights.h5"))
        model.save(os.path.join(ROOT, f"{model.name}.h5"))

    import h5py
    images = rng.random((8, 8, 8, 1)).astype("float32")
    with h5py.File(os.path.join(ROOT, "digits_cnn_inputs.h5"), "w") as f:
        f["input"] = images
        f["logits"] = np.asarray(cnn.predict(images, verbose=0), dtype="float32")


def torch_block():
    import subprocess
    import tempfile

    import torch
    from torch import nn

    torch.manual_seed(20261206)

    class SelfAttention(nn.Module):
        def __init__(self, d):
            super().__init__()
            self.query, self.key, self.value = nn.Linear(d, d), nn.Linear(d, d), nn.Linear(d, d)

    class Attention(nn.Module):
        def __init__(self, d):
            super().__init__()
            self.self = SelfAttention(d)
            self.output = nn.ModuleDict({"dense": nn.Linear(d, d), "LayerNorm": nn.LayerNorm(d)})

    class Layer(nn.Module):
        def __init__(self, d):
            super().__init__()
            self.attention = Attention(d)
            self.intermediate = nn.ModuleDict({"dense": nn.Linear(d, 4 * d)})
            self.output = nn.ModuleDict({"dense": nn.Linear(4 * d, d), "LayerNorm": nn.LayerNorm(d)})

    class Embeddings(nn.Module):
        def __init__(self, d):
            super().__init__()
            self.word_embeddings = nn.Embedding(64, d)
            self.LayerNorm = nn.LayerNorm(d)

    class Bert(nn.Module):
        def __init__(self, d=16):
            super().__init__()
            self.embeddings = Embeddings(d)
            self.encoder = nn.ModuleDict({"layer": nn.ModuleList([Layer(d)])})

    model = Bert()
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "LayerNorm" in name:  # trained LayerNorms are not exactly 1 / 0
                p.add_(0.05 * torch.randn_like(p))
    state = {k: v.detach().numpy() for k, v in model.state_dict().items()}
    with tempfile.TemporaryDirectory() as tmp:
        npz = os.path.join(tmp, "state.npz")
        np.savez(npz, keys=np.array(list(state)), **{f"t{i}": v for i, v in enumerate(state.values())})
        # h5py from another interpreter (the torch venv has none): H5PY_PYTHON, default /usr/bin/python3.
        subprocess.run([os.environ.get("H5PY_PYTHON", "/usr/bin/python3"), __file__, "torch-h5", npz], check=True)


def torch_conv():
    import json
    import subprocess
    import tempfile

    import torch
    from torch import nn
    from torch.ao.quantization import PerChannelMinMaxObserver

    torch.manual_seed(20261207)
    model = nn.ModuleDict({
        "conv1": nn.Conv2d(1, 6, 3),
        "up": nn.ConvTranspose2d(6, 4, 2, stride=2),
        "gup": nn.ConvTranspose2d(4, 8, 2, stride=2, groups=2),
        "deconv2": nn.ConvTranspose2d(8, 3, 2, bias=False),
        "fc": nn.Linear(12, 5),
    })
    scales = {}
    for name, module in model.items():
        axis = 1 if isinstance(module, nn.ConvTranspose2d) else 0
        observer = PerChannelMinMaxObserver(ch_axis=axis, dtype=torch.qint8, qscheme=torch.per_channel_symmetric)
        observer(module.weight.detach())
        scale, _ = observer.calculate_qparams()
        scales[name] = {"axis": axis, "scales": [float(v) for v in scale]}
    with open(os.path.join(ROOT, "torch_cnn_scales.json"), "w") as f:
        json.dump({"torch": torch.__version__, "layers": scales}, f, indent=1)
        f.write("\n")
    state = {k: v.detach().numpy() for k, v in model.state_dict().items()}
    with tempfile.TemporaryDirectory() as tmp:
        npz = os.path.join(tmp, "state.npz")
        np.savez(npz, keys=np.array(list(state)), **{f"t{i}": v for i, v in enumerate(state.values())})
        subprocess.run(
            [os.environ.get("H5PY_PYTHON", "/usr/bin/python3"), __file__, "torch-h5", npz, "torch_cnn.h5"],
            check=True)


def torch_h5(npz, flat_name=None):
    import h5py

    saved = np.load(npz)
    state = {str(k): saved[f"t{i}"] for i, k in enumerate(saved["keys"])}
    os.makedirs(ROOT, exist_ok=True)
    if flat_name:
        with h5py.File(os.path.join(ROOT, flat_name), "w") as f:
            for key, value in state.items():
                f[key] = value
        return
    with h5py.File(os.path.join(ROOT, "bert_tiny_flat.h5"), "w") as f:
        for key, value in state.items():
            f[key] = value
    with h5py.File(os.path.join(ROOT, "bert_tiny_nested.h5"), "w") as f:
        for key, value in state.items():
            f["/".join(key.split("."))] = value


def damaged():
    import h5py

    os.makedirs(BAD, exist_ok=True)
    # A native `vars` group without its `name` attribute.
    path = os.path.join(BAD, "keras_native_vars_without_name.weights.h5")
    shutil.copyfile(os.path.join(ROOT, "text_emb.weights.h5"), path)
    with h5py.File(path, "r+") as f:
        del f["layers/dense/vars"].attrs["name"]
    # `layer_names` naming a group that is not there.
    path = os.path.join(BAD, "keras_legacy_missing_layer_group.h5")
    shutil.copyfile(os.path.join(ROOT, "text_emb.h5"), path)
    with h5py.File(path, "r+") as f:
        del f["model_weights/head"]
    # A `weight_names` entry without its dataset.
    path = os.path.join(BAD, "keras_legacy_missing_weight.h5")
    shutil.copyfile(os.path.join(ROOT, "text_emb.h5"), path)
    with h5py.File(path, "r+") as f:
        del f["model_weights/head/head/bias"]


if __name__ == "__main__":
    if sys.argv[1:2] == ["torch-h5"]:
        torch_h5(*sys.argv[2:4])
        sys.exit(0)
    parts = sys.argv[1:] or ["keras", "torch", "torch-conv", "damaged"]
    for part in parts:
        {"keras": keras_models, "torch": torch_block, "torch-conv": torch_conv, "damaged": damaged}[part]()
