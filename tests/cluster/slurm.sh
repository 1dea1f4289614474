#!/usr/bin/env bash
# The Slurm job array of docs/cluster.md on a real Slurm: a single-node cluster on this machine
# (Debian's slurmctld, slurmd and munge, installed here if missing; tests/cluster/slurm.conf.in).
#
# 1. The array script (workflow/slurm/alsim-array.sbatch) runs a small batch as 3 tasks; the
#    dependent job of docs/cluster.md merges the slices and writes the comparison report. The
#    merged folder must be byte for byte the same batch run here without Slurm (manifests apart
#    from wall time, threads and peak memory).
# 2. A task with a 1-minute time limit is stopped by Slurm's SIGTERM mid-batch, must leave a
#    checkpoint, is requeued with `scontrol requeue`, and must finish byte for byte as the same
#    batch run here without a stop.
#
# usage: tests/cluster/slurm.sh ALSIM_BINARY     (as root, or with sudo for the install)
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
alsim_bin="$(realpath "$1")"
export PATH="$(dirname "$alsim_bin"):$PATH"
work="$(mktemp -d /tmp/alsim-slurm.XXXXXX)"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
say() { echo "slurm test [$SECONDS s]: $*"; }
fail() { echo "slurm test FAILED: $*" >&2; exit 1; }

if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v munged >/dev/null; then
    say "installing Slurm and munge from the distribution's packages"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq slurmctld slurmd slurm-client munge >/dev/null
fi

if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
    $sudo mkdir -p /run/munge
    $sudo chown munge:munge /run/munge
    $sudo runuser -u munge -- /usr/sbin/munged
    started_munge=1
fi

mkdir -p "$work/slurm/state" "$work/slurm/spool"
memory_mb=$(($(awk '/MemTotal/ {print $2}' /proc/meminfo) * 9 / 10 / 1024))
sed -e "s|@HOST@|$(hostname -s)|" -e "s|@CPUS@|$(nproc)|" -e "s|@MEMORY@|$memory_mb|" -e "s|@DIR@|$work/slurm|" \
    "$repo/tests/cluster/slurm.conf.in" > "$work/slurm/slurm.conf"
export SLURM_CONF="$work/slurm/slurm.conf"
stop_cluster() {
    scancel --user="$(id -un)" 2>/dev/null || true
    for daemon in slurmd slurmctld; do
        if [ -s "$work/slurm/$daemon.pid" ]; then
            pid=$(cat "$work/slurm/$daemon.pid")
            $sudo kill "$pid" 2>/dev/null || true
            # It writes its state on the way out: wait, so the folder can be removed.
            for _ in $(seq 30); do
                $sudo kill -0 "$pid" 2>/dev/null || break
                sleep 1
            done
        fi
    done
    if [ -n "${started_munge:-}" ]; then $sudo pkill -x munged || true; fi
}
show_logs() {
    for log in "$work"/slurm/*.log "$work"/project/logs/*; do
        if [ -f "$log" ]; then echo "== $log"; tail -n 30 "$log"; fi
    done
}
trap 'status=$?; [ $status -eq 0 ] || show_logs; stop_cluster; [ -z "${reference:-}" ] || kill "$reference" 2>/dev/null || true; [ $status -ne 0 ] || rm -rf "$work"' EXIT
$sudo slurmctld -c
$sudo slurmd -c
for _ in $(seq 60); do
    [ "$(sinfo -h -o %T 2>/dev/null)" = idle ] && break
    sleep 1
done
[ "$(sinfo -h -o %T)" = idle ] || fail "the node did not come up: $(sinfo -h -o '%T %E')"
say "$(sbatch --version), single-node cluster up: $(sinfo -h -o '%P %D %c %T')"

# The state of one job (or array task) as the controller knows it.
state() { scontrol show job "$1" -o | grep -o 'JobState=[A-Z_]*' | cut -d= -f2; }
# Wait until no job of ours is queued or running.
wait_idle() {
    local limit=$1
    for _ in $(seq "$limit"); do
        [ -z "$(squeue -h --user="$(id -un)")" ] && return 0
        sleep 1
    done
    fail "jobs still queued after $limit s: $(squeue)"
}

# A user's project folder: the scenario files, a log folder.
mkdir -p "$work/project/logs"
cp -r "$repo/scenarios" "$work/project/"
cd "$work/project"
array_script="$repo/workflow/slurm/alsim-array.sbatch"

say "1. a batch of 6 runs as a job array of 3 tasks, then the merge and report job"
array=$(sbatch --parsable --array=0-2 --cpus-per-task=1 --time=10 \
    "$array_script" results/small batch scenarios/sporadic.ron scenarios/sod1.ron --replicates 3)
sbatch --parsable --dependency=afterany:"$array" --cpus-per-task=1 --time=10 \
    --output=logs/alsim-small-report.log --wrap '
        alsim merge results/small-shard-* --out results/small
        alsim compare scenarios/sporadic.ron scenarios/sod1.ron --replicates 3 --out results/small' >/dev/null
alsim batch scenarios/sporadic.ron scenarios/sod1.ron --replicates 3 --out local/small 2>/dev/null
alsim compare scenarios/sporadic.ron scenarios/sod1.ron --replicates 3 --out local/small 2>/dev/null
wait_idle 600
for task in 0 1 2; do
    [ "$(state "${array}_$task")" = COMPLETED ] || fail "task $task ended $(state "${array}_$task")"
    grep -q "2 to run" "logs/alsim-${array}_$task.log" || fail "task $task did not run 2 of the 6 runs"
done
test -s results/small/report.md || fail "the report job wrote no report"
python3 "$repo/tests/cluster/same_batch.py" local/small results/small

say "2. a task stopped at its time limit, requeued, and finished"
# Three sporadic bodies one after another on one core: longer than the minute Slurm allows
# (it checks time limits every 30 s, so the stop comes 60-90 s in).
long=(batch scenarios/sporadic-body.ron --replicates 3 --jobs 1)
array=$(sbatch --parsable --array=0 --cpus-per-task=1 --time=1 "$array_script" results/long "${long[@]}")
alsim "${long[@]}" --out local/long 2>/dev/null &
reference=$!
for _ in $(seq 300); do
    case "$(state "${array}_0")" in PENDING | RUNNING | CONFIGURING | COMPLETING) sleep 1 ;; *) break ;; esac
done
first=$(state "${array}_0")
[ "$first" = TIMEOUT ] || fail "the task ended $first, not at its time limit (TIMEOUT): lengthen the batch"
checkpoints=(results/long-shard-0/runs/*/checkpoint.bin)
[ -s "${checkpoints[0]}" ] || fail "the stopped task left no checkpoint"
finished=$(find results/long-shard-0/runs -name summary.json | wc -l)
say "stopped by the time limit with ${#checkpoints[@]} checkpoint(s) and $finished of 3 runs finished; requeueing"
scontrol requeue "${array}_0"
# Given more time, as a user would, so that it finishes in one more go.
scontrol update JobId="${array}_0" TimeLimit=30
wait_idle 900
[ "$(state "${array}_0")" = COMPLETED ] || fail "the requeued task ended $(state "${array}_0")"
grep -q "continues from its checkpoint" "logs/alsim-${array}_0.log" || fail "the requeued task did not continue from the checkpoint"
wait "$reference"
alsim merge results/long-shard-0 --out results/long
python3 "$repo/tests/cluster/same_batch.py" local/long results/long
say "passed"
