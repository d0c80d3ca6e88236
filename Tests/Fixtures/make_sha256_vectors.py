#!/usr/bin/env python3
"""SHA-256 reference digests for PTQKit's SHA256 (ModelPackage), produced by Python's hashlib.

Run:  python3 Tests/Fixtures/make_sha256_vectors.py
Writes Tests/Fixtures/sha256/hashlib_vectors.json: for each length L in LENGTHS, the hex digest of the
message whose byte i is (i * 167 + L * 13 + (i >> 8)) mod 256 (SHA256Tests.swift rebuilds the same
bytes). The lengths cover every padding case of the first blocks (0...300), block and buffer edges,
and a few multi-MiB messages.
"""
import hashlib
import json
import pathlib

LENGTHS = list(range(0, 301)) + [447, 448, 511, 512, 513, 1000, 4095, 4096, 4097, 65535, 65536, 65537,
                                 (1 << 20) - 1, 1 << 20, (1 << 20) + 1, (3 << 20) + 7]


def message(length: int) -> bytes:
    return bytes((i * 167 + length * 13 + (i >> 8)) % 256 for i in range(length))


def main() -> None:
    vectors = [{"length": n, "sha256": hashlib.sha256(message(n)).hexdigest()} for n in LENGTHS]
    out = pathlib.Path(__file__).resolve().parent / "sha256" / "hashlib_vectors.json"
    out.write_text(json.dumps({"generator": "(i * 167 + L * 13 + (i >> 8)) % 256", "vectors": vectors}, indent=1) + "\n")


if __name__ == "__main__":
    main()
