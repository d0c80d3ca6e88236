"""Keras itself as the consumer of `ptq dequantize`'s output (issue 14, items 4 and 6).

    KERAS_BACKEND=jax python keras_roundtrip.py make DIR
        builds a small model with Keras 3 (Conv2D, BatchNormalization, DepthwiseConv2D, Dense; seed 0),
        trains it a few steps on fixed synthetic data, and writes into DIR:
        m.weights.h5 (model.save_weights, the Keras 3 native layout), m.h5 (model.save, the legacy
        full-model HDF5 layout), inputs.npy (the evaluation inputs) and float_top1.npy (the float
        model's top-1 class on them).
    KERAS_BACKEND=jax python keras_roundtrip.py check DIR NATIVE_RESTORED LEGACY_RESTORED
        loads NATIVE_RESTORED with model.load_weights (native reader, chosen by the *.weights.h5 suffix),
        LEGACY_RESTORED with model.load_weights (legacy HDF5 reader) and with keras.saving.load_model,
        and prints one line per load: `<how>: agreement A (N inputs)`, A the share of inputs whose top-1
        class equals the float model's. Exits 1 when a load fails, 0 otherwise (the caller judges A).
    KERAS_BACKEND=jax python keras_roundtrip.py session DIR
        `make`, then prints `ready`, reads one line `NATIVE_RESTORED LEGACY_RESTORED` from standard input
        and does `check` in the same process (Keras is imported and initialised once).

Everything is deterministic: the same seed, data and number of steps on the CPU.
"""

import os
import sys

os.environ.setdefault("KERAS_BACKEND", "jax")
os.environ.setdefault("JAX_PLATFORMS", "cpu")

import numpy as np  # noqa: E402
import keras  # noqa: E402

CLASSES = 10
SHAPE = (12, 12, 3)
EVAL_COUNT = 256


def build():
    """The model: every layer class the issue names, with names Keras gives them."""
    keras.utils.set_random_seed(0)
    inputs = keras.Input(shape=SHAPE)
    x = keras.layers.Conv2D(8, 3, padding="same")(inputs)
    x = keras.layers.BatchNormalization()(x)
    x = keras.layers.ReLU()(x)
    x = keras.layers.DepthwiseConv2D(3, padding="same")(x)
    x = keras.layers.BatchNormalization()(x)
    x = keras.layers.ReLU()(x)
    x = keras.layers.Flatten()(x)
    x = keras.layers.Dense(16, activation="relu")(x)
    outputs = keras.layers.Dense(CLASSES)(x)
    return keras.Model(inputs, outputs, name="roundtrip")


def data(count, seed):
    """Inputs with a class signal: each class adds its own fixed pattern to noise."""
    rng = np.random.default_rng(seed)
    patterns = np.random.default_rng(1234).normal(size=(CLASSES,) + SHAPE).astype(np.float32)
    labels = rng.integers(0, CLASSES, size=count)
    x = rng.normal(scale=0.5, size=(count,) + SHAPE).astype(np.float32) + patterns[labels]
    return x, labels


def make(directory):
    model = build()
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss=keras.losses.SparseCategoricalCrossentropy(True))
    x, y = data(512, seed=1)
    model.fit(x, y, batch_size=64, epochs=4, verbose=0, shuffle=False)
    inputs, labels = data(EVAL_COUNT, seed=2)
    np.save(os.path.join(directory, "inputs.npy"), inputs)
    logits = model.predict(inputs, verbose=0)
    np.save(os.path.join(directory, "float_top1.npy"), np.argmax(logits, axis=1))
    top = np.sort(logits, axis=1)
    print(f"float model: accuracy {np.mean(np.argmax(logits, axis=1) == labels):.4f}, "
          f"median top-1 margin {np.median(top[:, -1] - top[:, -2]):.3f}")
    model.save_weights(os.path.join(directory, "m.weights.h5"))
    model.save(os.path.join(directory, "m.h5"))
    print("wrote m.weights.h5, m.h5, inputs.npy, float_top1.npy")


def agreement(model, inputs, reference):
    predicted = np.argmax(model.predict(inputs, verbose=0), axis=1)
    return float(np.mean(predicted == reference))


def check(directory, native, legacy):
    inputs = np.load(os.path.join(directory, "inputs.npy"))
    reference = np.load(os.path.join(directory, "float_top1.npy"))
    failed = False
    loads = [
        ("load_weights(native)", lambda: with_weights(native)),
        ("load_weights(legacy)", lambda: with_weights(legacy)),
        ("load_model(legacy)", lambda: keras.saving.load_model(legacy, compile=False)),
    ]
    for how, load in loads:
        try:
            model = load()
        except Exception as error:  # report every failed load, not only the first
            print(f"{how}: FAILED {type(error).__name__}: {error}")
            failed = True
            continue
        print(f"{how}: agreement {agreement(model, inputs, reference):.4f} ({len(inputs)} inputs)")
    return 1 if failed else 0


def with_weights(path):
    model = build()
    model.load_weights(path)
    return model


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "make":
        make(sys.argv[2])
    elif len(sys.argv) == 5 and sys.argv[1] == "check":
        sys.exit(check(sys.argv[2], sys.argv[3], sys.argv[4]))
    elif len(sys.argv) == 3 and sys.argv[1] == "session":
        make(sys.argv[2])
        print("ready", flush=True)
        restored = sys.stdin.readline().split()
        sys.exit(check(sys.argv[2], *restored) if len(restored) == 2 else "expected two restored files")
    else:
        sys.exit(__doc__)
