#!/usr/bin/env bash
# The Slurm scale-out recipes (Configs/scale-out/slurm-*.sbatch) on a real single-node Slurm on localhost.
#
#   Tests/ScaleOut/slurm_test.sh [PTQ]      (PTQ: the ptq binary, default .build/debug/ptq; run as root)
#
# 1. Installs Debian's slurm-wlm and munge if missing, starts munged (as the munge user, with its own key
#    and socket), slurmctld and slurmd (SlurmUser=root, no cgroups, no accounting) with a slurm.conf,
#    state, spool and logs under one temporary directory; fails with the daemons' logs if they do not
#    come up.
# 2. Generates a seeded activation set (make_activations.py: ~256 MiB in 6 files, Fletcher-32 chunks).
# 3. Submits the shipped recipes unchanged, with paths through the environment: a job array of 4
#    `ptq observe --shard K/4` tasks, then the merge + calibrate job with --dependency=afterok:<array>;
#    the package must be byte-identical to a direct `ptq calibrate --activations ...`.
# 4. Failure path: damages one chunk that only shard K reads (damage_shard_input.py), submits again:
#    task K must fail with exit 74 and leave no statistics file, the merge must never run (it stays
#    pending with DependencyNeverSatisfied, as afterok does); then repairs the file, resubmits only
#    index K (sbatch --array=K with SHARDS=4, as Configs/scale-out/README.md says) and a new merge, whose
#    package must again be byte-identical to the direct run.
# Every wait is bounded (PTQ_SLURM_TIMEOUT seconds each, default 900). On exit the jobs are cancelled,
# the daemons stopped and the temporary directory removed; on failure the daemons' and jobs' logs are
# printed first. The last line reads "slurm: N passed, 0 failed" on success.
set -euo pipefail

REPO=$(cd "$(dirname "$0")/../.." && pwd)
TESTS="$REPO/Tests/ScaleOut"
RECIPES="$REPO/Configs/scale-out"
SHARDS=4
DATA_MIB=${PTQ_SLURM_DATA_MIB:-256}
TIMEOUT=${PTQ_SLURM_TIMEOUT:-900}
PYTHON=/usr/bin/python3
# The exit code `ptq observe` documents for a read failure inside libhdf5 (a chunk failing its checksum).
EXPECTED_FAILURE=74
PASSED=0

say() { echo "slurm_test: $*"; }
fail() {
    echo "slurm_test: FAIL: $*" >&2
    exit 1
}
pass() {
    PASSED=$((PASSED + 1))
    say "ok $PASSED - $*"
}

PTQ=${1:-$REPO/.build/debug/ptq}
[ -x "$PTQ" ] || fail "$PTQ is not an executable: build it first (swift build)"
PTQ=$(realpath "$PTQ")
[ "$(id -u)" = 0 ] || fail "must run as root (it installs packages and starts slurmd, slurmctld and munged)"

# --- packages ---------------------------------------------------------------------------------------
missing=()
for program in slurmctld slurmd sbatch munged; do command -v "$program" >/dev/null || missing+=("$program"); done
$PYTHON -c "import h5py, numpy" 2>/dev/null || missing+=(h5py)
if [ ${#missing[@]} -gt 0 ]; then
    say "installing slurm-wlm munge python3-h5py python3-numpy (missing: ${missing[*]})"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurm-wlm munge python3-h5py python3-numpy >/dev/null
fi
for program in slurmctld slurmd sbatch scontrol squeue scancel munged mungekey runuser; do
    command -v "$program" >/dev/null || fail "$program is not installed"
done
id munge >/dev/null 2>&1 || fail "no munge user (the munge package creates it)"

# --- temporary directory, cleanup -------------------------------------------------------------------
WORK=$(mktemp -d /tmp/ptq-slurm.XXXXXX)
chmod 755 "$WORK" # munged runs as the munge user and must reach its socket directory
export SLURM_CONF="$WORK/slurm.conf"
CTLD_PID="" SLURMD_PID=""
DAEMONS_UP=0

print_logs() {
    for log in "$WORK"/log/* "$WORK"/munge/munged.log "$WORK"/run/logs/*; do
        [ -f "$log" ] || continue
        echo "----- $log (last 60 lines)"
        tail -n 60 "$log"
    done
}

# Ends processes by id: SIGTERM, up to 15 s, then SIGKILL.
stop_pids() {
    local pid alive
    [ $# -gt 0 ] || return 0
    kill -TERM "$@" 2>/dev/null
    for _ in $(seq 1 30); do
        alive=()
        for pid in "$@"; do
            if kill -0 "$pid" 2>/dev/null && ! grep -q '^State:.*zombie' "/proc/$pid/status" 2>/dev/null; then
                alive+=("$pid")
            fi
        done
        [ ${#alive[@]} -gt 0 ] || return 0
        sleep 0.5
    done
    kill -KILL "${alive[@]}" 2>/dev/null
}

# The processes whose working directory is inside the temporary directory: the daemons and, started by
# slurmd there, the job steps (slurmstepd) and the jobs.
processes_in_work() {
    local cwd pid
    for cwd in /proc/[0-9]*/cwd; do
        pid=${cwd#/proc/}
        pid=${pid%/cwd}
        [ "$pid" = $$ ] && continue
        case "$(readlink "$cwd" 2>/dev/null)" in "$WORK" | "$WORK"/*) echo "$pid" ;; esac
    done
}

cleanup() {
    local status=$?
    set +e
    trap - EXIT INT TERM
    cd / # not inside the directory searched and removed below
    if [ "$status" != 0 ]; then
        echo "slurm_test: failed (exit $status); state of the test cluster and logs follow" >&2
        if [ "$DAEMONS_UP" = 1 ]; then
            timeout 10 squeue --states=all -o '%i %T %r %j' >&2
        fi
        print_logs >&2
    fi
    if [ "$DAEMONS_UP" = 1 ]; then
        # Cancel what still runs and give slurmd up to 30 s to end the steps before shutting down.
        timeout 10 scancel --quiet --user=root
        for _ in $(seq 1 30); do
            [ -z "$(timeout 5 squeue -h -t running,completing,configuring -o %i 2>/dev/null)" ] && break
            sleep 1
        done
        timeout 10 scontrol shutdown >/dev/null 2>&1
    fi
    stop_pids $SLURMD_PID $CTLD_PID
    # shellcheck disable=SC2046 # one pid per word
    stop_pids $(processes_in_work)
    [ -f "$WORK/munge/munged.pid" ] && stop_pids "$(cat "$WORK/munge/munged.pid")"
    rm -rf "$WORK"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- munged, slurmctld, slurmd ----------------------------------------------------------------------
MUNGE_DIR="$WORK/munge"
mkdir -p "$MUNGE_DIR" "$WORK/state" "$WORK/spool" "$WORK/log" "$WORK/run/logs"
mungekey --create --keyfile="$MUNGE_DIR/munge.key" >/dev/null
chown -R munge:munge "$MUNGE_DIR"
chmod 600 "$MUNGE_DIR/munge.key"
runuser -u munge -- munged --socket="$MUNGE_DIR/munge.socket" --key-file="$MUNGE_DIR/munge.key" \
    --pid-file="$MUNGE_DIR/munged.pid" --log-file="$MUNGE_DIR/munged.log" --seed-file="$MUNGE_DIR/munged.seed" \
    || fail "munged did not start"
for _ in $(seq 1 20); do [ -S "$MUNGE_DIR/munge.socket" ] && break; sleep 0.5; done
munge --socket="$MUNGE_DIR/munge.socket" --no-input | unmunge --socket="$MUNGE_DIR/munge.socket" >/dev/null \
    || fail "munged does not answer on $MUNGE_DIR/munge.socket"

# Two free TCP ports on localhost for slurmctld and slurmd.
read -r CTLD_PORT SLURMD_PORT < <($PYTHON -c '
import socket
sockets = [socket.socket() for _ in range(2)]
for s in sockets: s.bind(("127.0.0.1", 0))
print(*(s.getsockname()[1] for s in sockets))')
# This machine's CPUs, sockets, cores and memory, as slurmd detects them, for node "localhost".
NODE=$(slurmd -C | sed -n 's/^NodeName=[^ ]*/NodeName=localhost/p')
[ -n "$NODE" ] || fail "slurmd -C printed no node line"
cat >"$SLURM_CONF" <<EOF
ClusterName=ptqtest
SlurmctldHost=localhost
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$MUNGE_DIR/munge.socket
StateSaveLocation=$WORK/state
SlurmdSpoolDir=$WORK/spool
SlurmctldPidFile=$WORK/slurmctld.pid
SlurmdPidFile=$WORK/slurmd.pid
SlurmctldLogFile=$WORK/log/slurmctld.log
SlurmdLogFile=$WORK/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MinJobAge=3600
$NODE State=UNKNOWN
PartitionName=ptq Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF

# Started in the temporary directory, so that they and the job steps they start can be found there.
cd "$WORK"
slurmctld -D -i >"$WORK/log/slurmctld.out" 2>&1 &
CTLD_PID=$!
DAEMONS_UP=1
for _ in $(seq 1 60); do
    kill -0 "$CTLD_PID" 2>/dev/null || fail "slurmctld exited at start"
    [[ "$(timeout 5 scontrol ping 2>/dev/null)" == *"is UP"* ]] && break
    sleep 0.5
done
[[ "$(timeout 5 scontrol ping)" == *"is UP"* ]] || fail "slurmctld did not come up within 30 s"
slurmd -D -N localhost >"$WORK/log/slurmd.out" 2>&1 &
SLURMD_PID=$!
cd "$REPO"
for _ in $(seq 1 120); do
    kill -0 "$SLURMD_PID" 2>/dev/null || fail "slurmd exited at start"
    [ "$(timeout 5 sinfo -h -n localhost -o %T 2>/dev/null)" = idle ] && break
    sleep 0.5
done
state=$(timeout 5 sinfo -h -n localhost -o %T)
[ "$state" = idle ] || fail "node localhost is '$state', not idle, 60 s after slurmd started"
pass "munged (as munge), slurmctld and slurmd up; node localhost idle: $NODE"

# --- jobs -------------------------------------------------------------------------------------------
# job_field JOB FIELD: FIELD=value of each record of `scontrol show job JOB` (one per array task).
job_field() { timeout 10 scontrol -o show job "$1" | sed -n "s/.* $2=\([^ ]*\).*/\1/p"; }

# wait_job JOB: until every record of JOB is in a final state (bounded by TIMEOUT); fails at once if
# JOB waits for a dependency that can no longer be satisfied.
wait_job() {
    local job=$1 deadline=$((SECONDS + TIMEOUT)) states
    while :; do
        states=$(job_field "$job" JobState | sort -u | tr '\n' ' ')
        if [ "$states" = "PENDING " ] && [ "$(job_field "$job" Reason)" = DependencyNeverSatisfied ]; then
            fail "job $job will never run: its dependency failed"
        fi
        case " $states" in
            *" PENDING"* | *" RUNNING"* | *" CONFIGURING"* | *" COMPLETING"* | *" SUSPENDED"* | *" REQUEUED"* | " ") ;;
            *) return 0 ;;
        esac
        [ $SECONDS -lt $deadline ] || fail "job $job not finished after $TIMEOUT s (states: $states)"
        sleep 1
    done
}

# task_line JOB K: "STATE EXITCODE" of array task K.
task_line() {
    timeout 10 scontrol -o show job "$1" | awk -v k="$2" '$0 ~ (" ArrayTaskId=" k " ") {
        for (i = 1; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
        print f["JobState"], f["ExitCode"] }'
}

# submit_observe STATS ARRAY [SHARDS]: submits the observe recipe; prints the job id.
submit_observe() {
    local export="ALL,ACTIVATIONS=$DATA/*.h5,CONFIG=$CONFIG,STATS=$1"
    [ $# -lt 3 ] || export+=",SHARDS=$3"
    (cd "$WORK/run" && sbatch --parsable --array="$2" --export="$export" "$RECIPES/slurm-observe.sbatch")
}

# submit_merge STATS OUTPUT AFTER: submits the merge recipe after job AFTER; prints the job id.
submit_merge() {
    (cd "$WORK/run" && sbatch --parsable --dependency="afterok:$3" \
        --export="ALL,STATS=$1,WEIGHTS=$WEIGHTS,OUTPUT=$2" "$RECIPES/slurm-merge.sbatch")
}

# same_package A B: the two package directories hold the same files with the same bytes.
same_package() {
    [ -d "$1" ] && [ -d "$2" ] || return 1
    diff -r "$1" "$2" >/dev/null
}

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

# --- data -------------------------------------------------------------------------------------------
DATA="$WORK/acts"
CONFIG="$REPO/Configs/int8.yaml"
WEIGHTS="$REPO/Calibration/weights.h5"
t=$(now)
$PYTHON "$TESTS/make_activations.py" "$DATA" --mib "$DATA_MIB" --files 6 >"$WORK/log/make_activations.out"
DATA_BYTES=$(cat "$DATA"/*.h5 | wc -c)
say "activation set: $(ls "$DATA" | wc -l) files, $DATA_BYTES bytes ($(elapsed "$t" "$(now)") s to write)"

# The ptq the jobs run is the one under test, found on PATH (the recipes call `ptq`).
export PATH="$(dirname "$PTQ"):$PATH"

# --- 1: the recipes, all shards succeed ---------------------------------------------------------------
t=$(now)
array=$(submit_observe "$WORK/stats" "0-$((SHARDS - 1))")
merge=$(submit_merge "$WORK/stats" "$WORK/slurm.ptq" "$array")
wait_job "$array"
ARRAY_SECONDS=$(elapsed "$t" "$(now)")
for k in $(seq 0 $((SHARDS - 1))); do
    line=$(task_line "$array" "$k")
    [ "$line" = "COMPLETED 0:0" ] || fail "array task ${array}_$k: '$line', expected COMPLETED 0:0"
    [ -f "$WORK/stats/stats-$k.ptqstats" ] || fail "no $WORK/stats/stats-$k.ptqstats"
done
wait_job "$merge"
TOTAL_SECONDS=$(elapsed "$t" "$(now)")
TASK_TIMES=$(for k in $(seq 0 $((SHARDS - 1))); do
    timeout 10 scontrol -o show job "${array}_$k" | sed -n 's/.* RunTime=\([^ ]*\).*/\1/p'
done | tr '\n' ' ')
[ "$(job_field "$merge" JobState)" = COMPLETED ] || fail "merge job $merge: $(job_field "$merge" JobState)"
pass "job array $array (${SHARDS} observe tasks, $ARRAY_SECONDS s) and merge job $merge (afterok) completed"
t=$(now)
"$PTQ" calibrate --activations "$DATA"/*.h5 --config "$CONFIG" --weights "$WEIGHTS" --output "$WORK/direct.ptq" \
    --quiet >"$WORK/log/direct.out" 2>&1 || fail "direct ptq calibrate failed: $(cat "$WORK/log/direct.out")"
DIRECT_SECONDS=$(elapsed "$t" "$(now)")
say "direct ptq calibrate: $DIRECT_SECONDS s"
same_package "$WORK/slurm.ptq" "$WORK/direct.ptq" \
    || fail "the Slurm run's package differs from the direct run's: $(diff -rq "$WORK/slurm.ptq" "$WORK/direct.ptq")"
pass "package from Slurm (submit to package $TOTAL_SECONDS s) byte-identical to the direct run ($DIRECT_SECONDS s)"

# --- 2: one shard's input damaged ---------------------------------------------------------------------
SUMS=$(cd "$DATA" && sha256sum ./*.h5)
read -r K DAMAGED OFFSET < <($PYTHON "$TESTS/damage_shard_input.py" damage "$WORK/stats" "$SHARDS")
[ -n "${OFFSET:-}" ] || fail "damage_shard_input.py damaged nothing"
say "flipped the byte at $OFFSET of $DAMAGED (read only by shard $K)"
retry=$(submit_observe "$WORK/retry" "0-$((SHARDS - 1))")
stuck=$(submit_merge "$WORK/retry" "$WORK/retry.ptq" "$retry")
wait_job "$retry"
for k in $(seq 0 $((SHARDS - 1))); do
    line=$(task_line "$retry" "$k")
    if [ "$k" = "$K" ]; then
        [ "$line" = "FAILED $EXPECTED_FAILURE:0" ] \
            || fail "task ${retry}_$k: '$line', expected FAILED $EXPECTED_FAILURE:0"
    else
        [ "$line" = "COMPLETED 0:0" ] || fail "task ${retry}_$k: '$line', expected COMPLETED 0:0"
    fi
done
log="$WORK/run/logs/ptq-observe-${retry}_$K.log"
# One line naming the file and the dataset.
grep -q "^ptq observe: $DAMAGED:/fc2: " "$log" || fail "$log does not name $DAMAGED:/fc2: $(cat "$log")"
pass "task $K failed with exit $EXPECTED_FAILURE: $(grep 'ptq observe:' "$log" | head -1 | cut -c1-160)"
expected=$(for k in $(seq 0 $((SHARDS - 1))); do [ "$k" = "$K" ] || echo "stats-$k.ptqstats"; done)
[ "$(ls -A "$WORK/retry")" = "$expected" ] || fail "$WORK/retry holds $(ls -A "$WORK/retry"), expected $expected"
deadline=$((SECONDS + 60))
until [ "$(job_field "$stuck" Reason)" = DependencyNeverSatisfied ]; do
    [ $SECONDS -lt $deadline ] || fail "merge $stuck: $(job_field "$stuck" JobState) $(job_field "$stuck" Reason)"
    sleep 1
done
[ "$(job_field "$stuck" JobState)" = PENDING ] || fail "merge $stuck: $(job_field "$stuck" JobState)"
# No package, no partial package (.retry.ptq.ptq-partial.*), no merge log.
entries=$(ls -A "$WORK")
! grep -q 'retry\.ptq' <<<"$entries" && [ ! -e "$WORK/run/logs/ptq-merge-$stuck.log" ] \
    || fail "the merge $stuck ran: $(ls -A "$WORK" "$WORK/run/logs")"
pass "merge $stuck never ran (PENDING, DependencyNeverSatisfied); only the 3 good shards' statistics exist"

# --- 2b: repair, resubmit index K alone, merge ------------------------------------------------------
timeout 10 scancel "$stuck"
deadline=$((SECONDS + 60))
until [ "$(job_field "$stuck" JobState)" = CANCELLED ]; do
    [ $SECONDS -lt $deadline ] || fail "merge $stuck is $(job_field "$stuck" JobState) 60 s after scancel"
    sleep 1
done
$PYTHON "$TESTS/damage_shard_input.py" repair "$DAMAGED" "$OFFSET"
[ "$(cd "$DATA" && sha256sum ./*.h5)" = "$SUMS" ] || fail "repairing $DAMAGED did not restore the activation set"
t=$(now)
rerun=$(submit_observe "$WORK/retry" "$K" "$SHARDS")
merge2=$(submit_merge "$WORK/retry" "$WORK/retry.ptq" "$rerun")
wait_job "$merge2"
line=$(task_line "$rerun" "$K")
[ "$line" = "COMPLETED 0:0" ] || fail "resubmitted task ${rerun}_$K: '$line'"
[ "$(job_field "$merge2" JobState)" = COMPLETED ] || fail "merge job $merge2: $(job_field "$merge2" JobState)"
same_package "$WORK/retry.ptq" "$WORK/direct.ptq" \
    || fail "the package after resubmitting shard $K differs from the direct run's"
pass "after repair, sbatch --array=$K + merge ($(elapsed "$t" "$(now)") s): package byte-identical to the direct run"

say "figures: $DATA_BYTES bytes in 6 files, $SHARDS shards on $(nproc) CPUs; array $ARRAY_SECONDS s" \
    "(tasks' RunTime ${TASK_TIMES% }), submit to package $TOTAL_SECONDS s; direct ptq calibrate" \
    "$DIRECT_SECONDS s; load average $(cut -d' ' -f1-3 /proc/loadavg) (ptq: $PTQ)"
echo "slurm: $PASSED passed, 0 failed"
