#!/bin/sh
# Builds the libFuzzer targets (every module with -sanitize=fuzzer,address) and runs each for
# FUZZ_SECONDS (default 600) from its committed seed corpus.
#   Fuzz/run.sh [TARGET...]        targets: FuzzConfig FuzzPackageFiles (default: both, one after the other)
# The working corpus grows in Fuzz/.build/corpus/TARGET (not committed). A crashing input is written to
# Fuzz/Crashers/TARGET/ (crash-*, leak-*, timeout-*, oom-*): commit it there, fix the bug, and the
# normal suite (Tests/CLITests/FuzzRegressionTests.swift) feeds it to the same entry points from then on.
# libFuzzer's summary line "stat::number_of_executed_units" gives the executions run.
set -eu
cd "$(dirname "$0")"
SECONDS_PER_TARGET=${FUZZ_SECONDS:-600}
TARGETS=${*:-FuzzConfig FuzzPackageFiles}
swift build -c release --sanitize fuzzer --sanitize address 2>&1 | grep -v 'ld.gold: warning: Cannot export local symbol' || true
status=0
for target in $TARGETS; do
  case $target in
    FuzzConfig) seeds=Corpus/config ;;
    FuzzPackageFiles) seeds=Corpus/package-files ;;
    *) echo "unknown target $target" >&2; exit 64 ;;
  esac
  mkdir -p ".build/corpus/$target" "Crashers/$target"
  echo "== $target for ${SECONDS_PER_TARGET}s"
  # -rss_limit_mb also caps single allocations (malloc_limit_mb defaults to it): a length field that
  # makes the reader allocate gigabytes is a finding. -timeout catches hangs (e.g. runaway recursion).
  ".build/release/$target" ".build/corpus/$target" "$seeds" \
    -max_total_time="$SECONDS_PER_TARGET" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
    -print_final_stats=1 -artifact_prefix="Crashers/$target/" || status=$?
done
exit $status
