#!/usr/bin/env python3
"""Make PTQKit's transformer-like acceptance test set: one pre-norm encoder block's Linear weights and the
inputs of every Linear layer, for calibration and held out.

Run:  python3 Calibration/make_transformer_block.py OUT_DIR [--dim 384] [--rows 2048] [--seed 0]
                                                     [--shared-variance 0.5]
      (numpy + h5py; `make test-set` writes .build/transformer-block/ with the defaults)

Writes into OUT_DIR (deterministic for a seed; nothing here is committed, it is made when needed):
  weights.h5      a PyTorch state dict written with h5py, flat keys, float32, [out, in] (y = x @ W.T + b):
                  attn.q_proj / attn.k_proj / attn.v_proj / attn.out_proj .weight [d, d] and .bias [d],
                  mlp.fc1.weight [4d, d], mlp.fc1.bias [4d], mlp.fc2.weight [d, 4d], mlp.fc2.bias [d],
                  ln1 / ln2 .weight and .bias [d] (LayerNorm: not linear layers).
  calibration.h5  the input of each Linear layer over `rows` tokens, float32 [rows, in], one dataset per
  heldout.h5      layer named as the layer (/attn.q_proj, ..., /mlp.fc2); the held-out file comes from
                  other tokens (another stream of the same generator), the same shapes.

The structure the tests and the figures rely on (what published quantization work reports of trained
transformers):
  - residual stream: anisotropic, heavy-tailed features. Trained transformers' token states are anisotropic:
    they fill a narrow cone and a few directions carry much of their variance (Ethayarajh 2019, "How
    contextual are contextualized word representations?"; Cai et al. 2021, "Isotropy in the contextual
    embedding space: clusters and manifolds"), and the covariance eigenspectra of trained networks'
    representations follow power laws λ_k ∝ k^-α with α near 1 (Stringer et al. 2019; Agrawal et al. 2022,
    "α-ReQ"). So a share --shared-variance (default 0.5) of each channel's variance comes from d latent
    factors (Student t, 4 dof) with variances ∝ k^-1 (SPECTRUM_DECAY), mixed into the channels by a fixed
    random orthogonal matrix; the rest is the channel's own Student t (4 dof) noise; per-channel spreads
    (log-normal, σ 0.3) scale both. The mixing and the spreads belong to the model (the same for the
    calibration and the held-out stream). The 0.5 split is a modelling choice, not a figure measured on a
    real model: the power law alone (1.0) makes LayerNorm's outputs nearly Gaussian (median excess kurtosis
    0.0), the channels' own part keeps them heavy-tailed. Measured on the defaults' held-out ln1 output
    without the outlier channels (380 channels): participation ratio (Σλ)²/Σλ² 105 (the independent
    channels of the generator before: 225), top 10 principal directions 22 % of the variance (11 %), top 38
    (10 %) 42 % (29 %), mean |correlation| between channels 0.06 (0.02), median excess kurtosis 1.5 (5.1).
    A few outlier channels (the same feature indices throughout, as in real models) get an offset;
    LayerNorm normalizes each token, then its gain puts those channels at 5-10x the others (measured: RMS
    7-14x the median channel's in the ln1 output, 6-10x in ln2's): the inputs of q/k/v (ln1) and fc1 (ln2)
    carry them;
  - the inputs of out_proj are real softmax attention outputs (6 heads over sequences of 64 tokens);
  - the inputs of fc2 are GELU(fc1(...)): one-sided, most values in [-0.17, 0], a long positive tail;
  - weights: heavy-tailed elements (Student t, 5 dof), output rows with log-normal norms (σ 0.35)
    around the 1/sqrt(in) of a trained layer, and the columns of the outlier channels of normal size, so
    those channels carry a large share of each output (XW^T is not dominated by the ordinary features,
    nor trivially by one channel).
"""

from __future__ import annotations

import argparse
import os

import h5py
import numpy as np

HEADS = 6
SEQUENCE = 64
OUTLIER_CHANNELS = 4
SPECTRUM_DECAY = 1.0
SHARED_VARIANCE = 0.5
LAYERS = ("attn.q_proj", "attn.k_proj", "attn.v_proj", "attn.out_proj", "mlp.fc1", "mlp.fc2")


def linear(rng: np.random.Generator, out: int, inp: int) -> tuple[np.ndarray, np.ndarray]:
    """A trained-looking Linear layer: heavy-tailed elements, log-normal row norms, small bias."""
    w = rng.standard_t(5, size=(out, inp))
    w /= np.linalg.norm(w, axis=1, keepdims=True)
    w *= rng.lognormal(mean=0.0, sigma=0.35, size=(out, 1))
    b = rng.normal(0.0, 0.02, size=out)
    return w.astype(np.float32), b.astype(np.float32)


def layer_norm_gain(rng: np.random.Generator, d: int, outliers: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """LayerNorm gain and shift: ~1 for ordinary channels, 5-10x (with an offset) on the outlier ones."""
    gain = rng.normal(1.0, 0.1, size=d)
    gain[outliers] = rng.uniform(5.0, 10.0, size=len(outliers)) * rng.choice([-1.0, 1.0], size=len(outliers))
    shift = rng.normal(0.0, 0.05, size=d)
    shift[outliers] = rng.normal(0.0, 1.0, size=len(outliers))
    return gain.astype(np.float32), shift.astype(np.float32)


def layer_norm(x: np.ndarray, gain: np.ndarray, shift: np.ndarray) -> np.ndarray:
    mean = x.mean(axis=-1, keepdims=True)
    var = x.var(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(var + 1e-5) * gain + shift


def gelu(x: np.ndarray) -> np.ndarray:
    """The tanh approximation of GELU (GPT-2, BERT)."""
    return 0.5 * x * (1.0 + np.tanh(np.sqrt(2.0 / np.pi) * (x + 0.044715 * x**3)))


def block(rng: np.random.Generator, d: int) -> dict[str, np.ndarray]:
    """The block's parameters as a state dict."""
    outliers = rng.choice(d, size=OUTLIER_CHANNELS, replace=False)
    state: dict[str, np.ndarray] = {}
    for name, (out, inp) in zip(LAYERS, [(d, d)] * 4 + [(4 * d, d), (d, 4 * d)]):
        state[f"{name}.weight"], state[f"{name}.bias"] = linear(rng, out, inp)
    for ln in ("ln1", "ln2"):
        state[f"{ln}.weight"], state[f"{ln}.bias"] = layer_norm_gain(rng, d, outliers)
    state["outliers"] = np.sort(outliers).astype(np.int64)
    return state


def stream_structure(rng: np.random.Generator, d: int, shared_variance: float) -> dict[str, np.ndarray]:
    """The model's fixed residual-stream geometry, shared by every token stream: a random orthogonal mixing of
    d latent directions whose variances fall as k^-SPECTRUM_DECAY, and per-channel spreads (log-normal, σ 0.3),
    scaled so that the mean channel variance is 2 (that of a Student t with 4 dof)."""
    q, r = np.linalg.qr(rng.standard_normal((d, d)))
    mixing = q * np.sign(np.diag(r))  # Haar-distributed orthogonal [latent, channel]
    spectrum = np.arange(1, d + 1, dtype=np.float64) ** -SPECTRUM_DECAY
    spectrum *= d / spectrum.sum()
    return {"mixing": np.sqrt(spectrum)[:, None] * mixing, "spread": rng.lognormal(0.0, 0.3, size=d),
            "shared_variance": np.float64(shared_variance)}


def residual_stream(
    rng: np.random.Generator, rows: int, structure: dict[str, np.ndarray], outliers: np.ndarray
) -> np.ndarray:
    """Token states: the shared part (heavy-tailed latent factors through the model's anisotropic mixing) and
    each channel's own heavy-tailed part, per-channel spreads, and a small offset on the outlier channels
    (LayerNorm's gain then makes those 5-10x the others)."""
    d = structure["spread"].shape[0]
    shared = rng.standard_t(4, size=(rows, d)) @ structure["mixing"]
    own = rng.standard_t(4, size=(rows, d))
    share = float(structure["shared_variance"])
    base = (np.sqrt(share) * shared + np.sqrt(1.0 - share) * own) * structure["spread"]
    base[:, outliers] += 1.0
    return base


def layer_inputs(state: dict[str, np.ndarray], stream: np.ndarray) -> dict[str, np.ndarray]:
    """The input of every Linear layer for these tokens, in float64 (the float reference of the block)."""
    w = {k: v.astype(np.float64) for k, v in state.items()}
    rows, d = stream.shape
    head = d // HEADS
    x1 = layer_norm(stream, w["ln1.weight"], w["ln1.bias"])
    q, k, v = (x1 @ w[f"attn.{p}_proj.weight"].T + w[f"attn.{p}_proj.bias"] for p in "qkv")
    split = lambda t: t.reshape(rows // SEQUENCE, SEQUENCE, HEADS, head).transpose(0, 2, 1, 3)  # noqa: E731
    scores = split(q) @ split(k).transpose(0, 1, 3, 2) / np.sqrt(head)
    scores -= scores.max(axis=-1, keepdims=True)
    attention = np.exp(scores)
    attention /= attention.sum(axis=-1, keepdims=True)
    context = (attention @ split(v)).transpose(0, 2, 1, 3).reshape(rows, d)
    hidden = stream + context @ w["attn.out_proj.weight"].T + w["attn.out_proj.bias"]
    x2 = layer_norm(hidden, w["ln2.weight"], w["ln2.bias"])
    up = gelu(x2 @ w["mlp.fc1.weight"].T + w["mlp.fc1.bias"])
    return {
        "attn.q_proj": x1, "attn.k_proj": x1, "attn.v_proj": x1, "attn.out_proj": context,
        "mlp.fc1": x2, "mlp.fc2": up,
    }


def write(path: str, datasets: dict[str, np.ndarray], attrs: dict[str, object]) -> None:
    tmp = path + ".partial"
    with h5py.File(tmp, "w") as f:
        for name, value in datasets.items():
            f.create_dataset(name, data=value.astype(np.float32))
        for key, value in attrs.items():
            f.attrs[key] = value
    os.replace(tmp, path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", help="output directory (made if missing)")
    parser.add_argument("--dim", type=int, default=384, help="model width d (a multiple of 6)")
    parser.add_argument("--rows", type=int, default=2048, help="tokens per activation file (a multiple of 64)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--shared-variance", type=float, default=SHARED_VARIANCE,
                        help="share of each channel's variance in the correlated latent part, in [0, 1]")
    args = parser.parse_args()
    if args.dim % HEADS or args.dim < 2 * OUTLIER_CHANNELS or args.rows % SEQUENCE or args.rows <= 0:
        parser.error(f"--dim must be a multiple of {HEADS}, --rows a positive multiple of {SEQUENCE}")
    if not 0.0 <= args.shared_variance <= 1.0:
        parser.error("--shared-variance must be in [0, 1]")
    os.makedirs(args.out, exist_ok=True)
    rng = np.random.default_rng(args.seed)
    state = block(rng, args.dim)
    outliers = state.pop("outliers")
    structure = stream_structure(rng, args.dim, args.shared_variance)
    about = {"script": "Calibration/make_transformer_block.py", "dim": args.dim, "seed": args.seed,
             "outlier_channels": outliers}
    write(os.path.join(args.out, "weights.h5"), state, {**about, "convention": "torch state_dict, y = x @ W.T + b"})
    for name, stream_seed in (("calibration.h5", 1), ("heldout.h5", 2)):
        tokens = np.random.default_rng([args.seed, stream_seed])
        inputs = layer_inputs(state, residual_stream(tokens, args.rows, structure, outliers))
        stream = {"rows": args.rows, "shared_variance": args.shared_variance, "spectrum_decay": SPECTRUM_DECAY}
        write(os.path.join(args.out, name), inputs, {**about, **stream})
    print(f"wrote {args.out}/weights.h5, calibration.h5, heldout.h5 (d = {args.dim}, {args.rows} tokens each)")


if __name__ == "__main__":
    main()
