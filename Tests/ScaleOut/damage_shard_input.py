#!/usr/bin/env python3
"""Damages the input of exactly one shard, for the failure path of Tests/ScaleOut/slurm_test.sh.

Reads the shards' statistics files (STATS_DIR/stats-K.ptqstats, from a complete run), picks an
activation file whose rows are all covered by a single shard K (preferring a shard other than the first
and the last), and flips one byte inside a middle chunk of its `fc2` dataset. The datasets carry the
Fletcher-32 checksum filter (make_activations.py), so libhdf5 reports that chunk as damaged when shard K
reads it, while every other shard, which reads only the file's metadata, is unaffected. The chosen file
is also the one shard K fingerprints (a file's fingerprint belongs to the shard of its first rows), so
restoring the file's bytes restores every shard's result.

Prints one line: K FILE BYTE_OFFSET. `repair FILE BYTE_OFFSET` flips the byte back.

Usage: damage_shard_input.py damage STATS_DIR SHARD_COUNT | repair FILE BYTE_OFFSET
"""
import json
import os
import sys

import h5py


def readers_by_file(stats_dir, shard_count):
    """{file path: set of shards whose coverage includes rows of it}."""
    readers = {}
    for shard in range(shard_count):
        path = os.path.join(stats_dir, f"stats-{shard}.ptqstats")
        with open(path, encoding="utf-8") as handle:
            body = json.load(handle)["body"]
        if body["shards"] != [shard]:
            sys.exit(f"{path}: covers shards {body['shards']}, expected [{shard}]")
        for segment in body["coverage"]:
            readers.setdefault(segment["file"], set()).add(shard)
    return readers


def flip(path, offset):
    """Inverts the byte at `offset` of the file at `path` (doing it twice restores the file)."""
    with open(path, "r+b") as handle:
        handle.seek(offset)
        byte = handle.read(1)[0]
        handle.seek(offset)
        handle.write(bytes([byte ^ 0xFF]))


def damage(stats_dir, shard_count):
    """Damages a file read only by one shard; prints the shard, the file and the byte offset."""
    readers = readers_by_file(stats_dir, shard_count)
    single = sorted((min(shards), path) for path, shards in readers.items() if len(shards) == 1)
    if not single:
        sys.exit(f"{stats_dir}: no activation file is read by a single shard")
    inner = [entry for entry in single if 0 < entry[0] < shard_count - 1]
    shard, path = (inner or single)[0]
    with h5py.File(path, "r") as file:
        dataset = file["fc2"]
        chunk_rows = dataset.chunks[0]
        middle = (dataset.shape[0] // 2) // chunk_rows * chunk_rows
        info = dataset.id.get_chunk_info_by_coord((middle, 0))
    offset = info.byte_offset + info.size // 2
    flip(path, offset)
    print(shard, path, offset)


def main():
    usage = __doc__.splitlines()[-1]
    if len(sys.argv) != 4 or sys.argv[1] not in ("damage", "repair"):
        sys.exit(usage)
    if sys.argv[1] == "damage":
        damage(sys.argv[2], int(sys.argv[3]))
    else:
        flip(sys.argv[2], int(sys.argv[3]))


if __name__ == "__main__":
    main()
