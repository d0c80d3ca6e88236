#!/usr/bin/env bash
# Behaviour check for refactors: builds a package for every config in Configs/ on the bundled data
# (Calibration/: weights + activations, weights only, activations only) and on the test fixtures
# (Tests/Fixtures/mutation, Tests/Fixtures/badinput: every weights_*.h5 with valid_activations.h5 and
# every activations_*.h5 with valid_weights.h5), and from saved statistics (`ptq observe` in two shards,
# `ptq merge`, `ptq calibrate --stats`) on the bundled data, once with each of two `ptq` binaries, and compares
# the exit code, stdout, and manifest.json, tensors.h5 and summary.md byte for byte. Nothing is
# normalised: the manifest has no timestamps and both binaries record the same ptqkit_version (a run
# with different versions would differ in that field and is reported as a difference).
#
#   scripts/compare-packages.sh BASE_PTQ NEW_PTQ [WORK_DIR]
#
# Exits 0 when every run matches; prints each difference and exits 1 otherwise. Run from the repo root.
set -u
base=$1 new=$2 work=${3:-$(mktemp -d /tmp/ptq-compare.XXXXXX)}
export PTQ_PROBE=off  # the probe does not change outputs; skipping it halves the time
mkdir -p "$work/base" "$work/new"

runs=()
for config in Configs/*.yaml Configs/*.json; do
  runs+=("$config|Calibration/weights.h5|Calibration/activations.h5")
  runs+=("$config|Calibration/weights.h5|")
  runs+=("$config||Calibration/activations.h5")
  runs+=("$config|Tests/Fixtures/mutation/weights_small.h5|Tests/Fixtures/mutation/activations_small.h5")
  for w in Tests/Fixtures/badinput/weights_*.h5; do runs+=("$config|$w|Tests/Fixtures/badinput/valid_activations.h5"); done
  for a in Tests/Fixtures/badinput/activations_*.h5; do runs+=("$config|Tests/Fixtures/badinput/valid_weights.h5|$a"); done
done

differences=0 packages=0 index=0
for config in Configs/*.yaml Configs/*.json; do runs+=("$config|Calibration/weights.h5|STATS"); done
for run in "${runs[@]}"; do
  IFS='|' read -r config weights activations <<<"$run"
  args=(calibrate --config "$config" --quiet --threads 2)
  [ -n "$weights" ] && args+=(--weights "$weights")
  [ -n "$activations" ] && [ "$activations" != STATS ] && args+=(--activations "$activations")
  index=$((index + 1))
  for side in base new; do
    binary=$base; [ $side = new ] && binary=$new
    out="$work/$side/$index"
    rm -rf "$out"
    extra=()
    if [ "$activations" = STATS ]; then
      # The same paths for both binaries: the manifest records where the statistics came from.
      rm -f "$work"/stats*.ptqstats
      for k in 0 1; do
        "$binary" observe --activations Calibration/activations.h5 --config "$config" --shard $k/2 --quiet \
          --output "$work/stats$k.ptqstats" >/dev/null 2>&1
      done
      "$binary" merge "$work/stats0.ptqstats" "$work/stats1.ptqstats" --output "$work/stats.ptqstats" >/dev/null 2>&1
      extra=(--stats "$work/stats.ptqstats")
    fi
    "$binary" "${args[@]}" "${extra[@]}" --output "$out" >"$out.stdout" 2>"$out.stderr"
    echo $? >"$out.rc"
  done
  b="$work/base/$index" n="$work/new/$index"
  for part in rc stdout; do
    cmp -s "$b.$part" "$n.$part" || { echo "DIFF $part: ${args[*]}"; differences=$((differences + 1)); }
  done
  if [ -d "$b" ] || [ -d "$n" ]; then
    packages=$((packages + 1))
    for file in manifest.json tensors.h5 summary.md; do
      cmp -s "$b/$file" "$n/$file" || { echo "DIFF $file: ${args[*]}"; differences=$((differences + 1)); }
    done
  fi
done
echo "$index runs, $packages packages written, $differences differences (outputs in $work)"
[ $differences -eq 0 ]
