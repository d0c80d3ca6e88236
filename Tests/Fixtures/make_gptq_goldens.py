#!/usr/bin/env python3
"""GPTQ goldens for Tests/WeightRoundingTests/GPTQReferenceTests.swift from a numpy reproduction of the
published algorithm (Frantar et al. 2022), structured as the paper's reference code (IST-DASLab/gptq,
gptq.py `GPTQ.fasterquant`):

    H = 2/N * X^T X;  dead = diag(H) == 0;  H[dead, dead] = 1;  W[:, dead] = 0
    (act-order: perm = argsort(diag(H), descending))
    H += percdamp * mean(diag(H)) * I
    Hinv = cholesky(cholesky_inverse(cholesky(H)), upper=True)
    for each block [i1, i2) of `blocksize` columns:
        W1 = W[:, i1:i2].copy()
        for i in block: (group start: find_params(W[:, i1+i : i1+i+groupsize]))
            q = quantize(W1[:, i]); err = (W1[:, i] - q) / Hinv1[i, i]
            W1[:, i:] -= err ⊗ Hinv1[i, i:];  Err1[:, i] = err
        W[:, i2:] -= Err1 @ Hinv[i1:i2, i2:]

Differences from the reference, all deliberate: float64 instead of float32 (torch) for H, its factors and the
error feedback; the quantizer is PTQKit's ptqkit-profile grid (QuantCore's AffineScheme: asymmetric
s = (hi − lo)/(qmax − qmin) as Float32, z = clamp(qmin − round(lo/s)); symmetric s = amax/min(z − qmin, qmax − z))
so the codes can be compared with PTQKit's; with act-order and groups, the groups are the stored tensor's
contiguous runs of inputs (fitted when the first of their columns in the permuted order is reached), as
PTQKit stores them (the reference's permuted groups need a group index the package does not have).

The inputs are generated from SplitMix64 uniforms with IEEE-exact arithmetic only (+, −, ×, ÷), so the Swift
test regenerates the very same X and W (`GoldenLayerData`) instead of reading them from a large file.

Run: /usr/bin/python3 Tests/Fixtures/make_gptq_goldens.py  (numpy only) → Tests/Fixtures/gptq_goldens.json
"""
import json
import os

import numpy as np

MASK = (1 << 64) - 1


class SplitMix64:
    def __init__(self, seed):
        self.state = seed & MASK

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

    def uniform(self):
        return (float(self.next() >> 11) + 0.5) / float(1 << 53)


def layer_data(seed, outputs, inputs, rows, dead):
    """X (rows × inputs) and W (outputs × inputs), float32, as GoldenLayerData in Swift."""
    g = SplitMix64(seed)
    scale = [0.5 + g.uniform() for _ in range(inputs)]
    scale[3] *= 8.0  # one outlier feature
    w = np.zeros((outputs, inputs), dtype=np.float32)
    for o in range(outputs):
        for i in range(inputs):
            w[o, i] = np.float32((g.uniform() + g.uniform() + g.uniform() - 1.5) * 0.2)
    x = np.zeros((rows, inputs), dtype=np.float32)
    for n in range(rows):
        previous = 0.0
        for j in range(inputs):
            z = (g.uniform() + g.uniform() + g.uniform() + g.uniform() - 2.0) * scale[j]
            v = z + 0.6 * previous  # correlated neighbouring features
            previous = v
            x[n, j] = np.float32(0.0 if j in dead else v)
    return x, w


def fit(lo, hi, sym, bits):
    """PTQKit's ptqkit-profile (scale, zero point) for Float32 ranges, signed codes when symmetric."""
    if sym:
        qmin, qmax = -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    else:
        qmin, qmax = 0, (1 << bits) - 1
    lo = min(float(np.float32(lo)), 0.0)
    hi = max(float(np.float32(hi)), 0.0)
    zsym = 0 if sym else (qmin + qmax + 1) // 2
    if hi == lo:
        return np.float32(1.0), zsym, qmin, qmax
    if sym:
        s = np.float32(max(-lo, hi) / min(zsym - qmin, qmax - zsym))
        return s, zsym, qmin, qmax
    s = np.float32((hi - lo) / (qmax - qmin))
    z = int(min(max(qmin - np.rint(lo / float(s)), qmin), qmax))
    return s, z, qmin, qmax


def quantize(w, params):
    """Codes and values of a column w (float64) with per-row params [(s, z, qmin, qmax)], as QuantCore."""
    codes = np.zeros(len(w), dtype=np.int64)
    values = np.zeros(len(w))
    for r, (s, z, qmin, qmax) in enumerate(params):
        v = np.float32(np.float32(w[r]) / s)
        v = min(max(v, np.float32(qmin - z)), np.float32(qmax - z))
        q = int(np.rint(v)) + z
        codes[r] = q
        values[r] = float(np.float32(s * np.float32(q - z)))
    return codes, values


def gptq(w, x, bits, sym, groupsize, blocksize, percdamp, actorder):
    w = w.astype(np.float64).copy()
    rows, columns = w.shape
    h = 2.0 / x.shape[0] * (x.astype(np.float64).T @ x.astype(np.float64))
    params = None
    if groupsize == -1:
        params = [fit(w[r].min(), w[r].max(), sym, bits) for r in range(rows)]
    dead = np.diag(h) == 0
    h[dead, dead] = 1
    w[:, dead] = 0
    perm = np.arange(columns)
    if actorder:
        perm = np.array(sorted(range(columns), key=lambda i: (-h[i, i], i)))
        w = w[:, perm]
        h = h[perm][:, perm]
    position = np.argsort(perm)
    damp = percdamp * np.mean(np.diag(h))
    h[np.arange(columns), np.arange(columns)] += damp
    hinv = np.linalg.cholesky(np.linalg.inv(h)).T  # the upper factor U of H^-1, U^T U = H^-1
    q = np.zeros((rows, columns), dtype=np.int64)
    groups = {}
    for i1 in range(0, columns, blocksize):
        i2 = min(i1 + blocksize, columns)
        count = i2 - i1
        w1 = w[:, i1:i2].copy()
        err1 = np.zeros((rows, count))
        hinv1 = hinv[i1:i2, i1:i2]
        for i in range(count):
            original = perm[i1 + i]
            if groupsize != -1:
                g = original // groupsize
                if g not in groups:
                    cols = position[g * groupsize:min((g + 1) * groupsize, columns)]
                    block = w[:, cols]
                    groups[g] = [fit(block[r].min(), block[r].max(), sym, bits) for r in range(rows)]
                params = groups[g]
            codes, values = quantize(w1[:, i], params)
            q[:, original] = codes
            d = hinv1[i, i]
            e = (w1[:, i] - values) / d
            w1[:, i:] -= np.outer(e, hinv1[i, i:])
            err1[:, i] = e
        w[:, i2:] -= err1 @ hinv[i1:i2, i2:]
    scales = np.zeros((rows, columns))
    zeros = np.zeros((rows, columns))
    for r in range(rows):
        for c in range(columns):
            p = groups[c // groupsize][r] if groupsize != -1 else params[r]
            scales[r, c], zeros[r, c] = float(p[0]), p[1]
    return q, scales * (q - zeros)


def rtn(w, bits, sym, groupsize):
    rows, columns = w.shape
    size = columns if groupsize == -1 else groupsize
    out = np.zeros_like(w, dtype=np.float64)
    for g in range(0, columns, size):
        block = w[:, g:g + size].astype(np.float64)
        params = [fit(block[r].min(), block[r].max(), sym, bits) for r in range(rows)]
        for c in range(block.shape[1]):
            out[:, g + c] = quantize(block[:, c], params)[1]
    return out


def sqnr(x, w, w_hat):
    y = x.astype(np.float64) @ w.astype(np.float64).T
    e = y - x.astype(np.float64) @ w_hat.T
    return float(10 * np.log10(np.sum(y * y) / np.sum(e * e)))


LAYERS = [
    dict(name="per-channel-uint4", seed=11, outputs=32, inputs=64, rows=256, dead=[], bits=4, sym=False,
         groupsize=-1, blocksize=128, percdamp=0.01, actorder=False),
    dict(name="groups-32-int4-symmetric", seed=12, outputs=24, inputs=96, rows=288, dead=[], bits=4, sym=True,
         groupsize=32, blocksize=64, percdamp=0.01, actorder=False),
    dict(name="act-order-dead-uint4", seed=13, outputs=16, inputs=128, rows=384, dead=[5, 17], bits=4, sym=False,
         groupsize=-1, blocksize=48, percdamp=0.01, actorder=True),
]


def main():
    out = []
    for spec in LAYERS:
        x, w = layer_data(spec["seed"], spec["outputs"], spec["inputs"], spec["rows"], set(spec["dead"]))
        q, w_hat = gptq(w, x, spec["bits"], spec["sym"], spec["groupsize"], spec["blocksize"], spec["percdamp"],
                        spec["actorder"])
        entry = dict(spec)
        entry["codes"] = [int(v) for v in q.reshape(-1)]
        entry["sqnr_db"] = sqnr(x, w, w_hat)
        entry["rtn_sqnr_db"] = sqnr(x, w, rtn(w, spec["bits"], spec["sym"], spec["groupsize"]))
        entry["first_x"] = float(x[0, 0])
        entry["first_w"] = float(w[0, 0])
        out.append(entry)
        print(f"{spec['name']}: GPTQ {entry['sqnr_db']:.3f} dB, RTN {entry['rtn_sqnr_db']:.3f} dB")
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "gptq_goldens.json")
    with open(path, "w") as f:
        json.dump({"generator": "make_gptq_goldens.py", "layers": out}, f, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main()
