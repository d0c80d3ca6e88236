#!/usr/bin/env python3
"""XXH3-128 reference digests for PTQKit's XXH3 (PackageFormat), produced by the reference implementation
through PyPI's `xxhash` (Python bindings of Yann Collet's xxHash; run it in a venv outside the repository:
python3 -m venv /tmp/xxh && /tmp/xxh/bin/pip install xxhash).

Run:  /tmp/xxh/bin/python Tests/Fixtures/make_xxh3_vectors.py
Writes Tests/Fixtures/xxh3/xxhash_vectors.json: for each length L in LENGTHS, the canonical (big-endian)
hex digest of XXH3-128 with seed 0 of the message whose byte i is (i * 167 + L * 13 + (i >> 8)) mod 256
(the same messages as make_sha256_vectors.py; XXH3Tests.swift rebuilds them). The lengths cover every
code path of XXH3-128: 0, 1-3, 4-8, 9-16, 17-128, 129-240 bytes, the long loop around its 64-byte
stripes, 1024-byte blocks and 256-byte streaming buffer, and a few multi-MiB messages.
"""
import json
import pathlib

import xxhash

LENGTHS = list(range(0, 257)) + [300, 447, 448, 511, 512, 513, 1000, 1023, 1024, 1025, 2047, 2048, 2049,
                                 4095, 4096, 4097, 65535, 65536, 65537,
                                 (1 << 20) - 1, 1 << 20, (1 << 20) + 1, (3 << 20) + 7]


def message(length: int) -> bytes:
    return bytes((i * 167 + length * 13 + (i >> 8)) % 256 for i in range(length))


def main() -> None:
    vectors = [{"length": n, "xxh3_128": xxhash.xxh3_128(message(n)).hexdigest()} for n in LENGTHS]
    out = pathlib.Path(__file__).resolve().parent / "xxh3" / "xxhash_vectors.json"
    out.write_text(json.dumps({"generator": "(i * 167 + L * 13 + (i >> 8)) % 256",
                               "reference": f"python xxhash {xxhash.VERSION} (xxHash {xxhash.XXHASH_VERSION})",
                               "vectors": vectors}, indent=1) + "\n")


if __name__ == "__main__":
    main()
