#!/usr/bin/env python3
"""The held-out inputs of every linear layer of the bundled digits network, for `ptq evaluate`.

    python3 Calibration/make_heldout_activations.py OUT.h5 [--weights W.h5] [--heldout H.h5]

Runs the float network (`digits_mlp.forward`, float32) on the held-out split and writes the input of each
layer as `activations.h5` holds the calibration split's: /fc1 [M,64] (the images), /fc2 [M,128],
/fc3 [M,64], float32. Needs numpy and h5py. Deterministic; not committed (made when needed, 250 KB).
"""
import argparse
import os
import sys

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import digits_mlp  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("--weights", default=os.path.join(HERE, "weights.h5"))
    parser.add_argument("--heldout", default=os.path.join(HERE, "heldout.h5"))
    args = parser.parse_args()
    weights = digits_mlp.load_weights(args.weights)
    x, _ = digits_mlp.load_heldout(args.heldout)
    inputs: dict = {}
    digits_mlp.forward(weights, x, record=inputs)
    tmp = args.out + ".partial"
    with h5py.File(tmp, "w") as f:
        for name, value in inputs.items():
            f.create_dataset(name, data=np.asarray(value, dtype=np.float32))
    os.replace(tmp, args.out)


if __name__ == "__main__":
    main()
