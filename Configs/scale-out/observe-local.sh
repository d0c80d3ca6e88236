#!/bin/sh
# Scale-out on one machine: observe N shards, P processes at a time (xargs -P), then merge them.
#
#   ACTIVATIONS='acts/*.h5' CONFIG=config.yaml STATS=stats N=4 P=2 Configs/scale-out/observe-local.sh
#   ptq calibrate --stats stats/all.ptqstats --weights weights.h5 --output model.ptq
#
# ACTIVATIONS is expanded by the shell (paths without spaces); every shard must see the same files and
# config. PTQ names the ptq binary (default: ptq on PATH). The shard index K comes from `seq`.
set -eu
: "${ACTIVATIONS:?set ACTIVATIONS to the activation files or a glob}"
: "${CONFIG:?set CONFIG to the configuration file}"
STATS=${STATS:-stats}
N=${N:-4}
P=${P:-2}
PTQ=${PTQ:-ptq}
export ACTIVATIONS CONFIG STATS N PTQ
mkdir -p "$STATS"
seq 0 $((N - 1)) | xargs -P "$P" -I{} sh -c '
    K=$1
    ptq() { "$PTQ" "$@"; }
    ptq observe --activations $ACTIVATIONS --config "$CONFIG" --shard "$K/$N" --output "$STATS/stats-$K.ptqstats" --quiet
' sh {}
"$PTQ" merge "$STATS"/stats-*.ptqstats -o "$STATS/all.ptqstats"
