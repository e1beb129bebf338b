#!/usr/bin/env bash
# Sharding on a real job scheduler (docs/batch.md, "Slurm job array" and "GNU parallel"): starts a
# one-node Slurm cluster on this machine (Debian's slurm-wlm: munged, slurmctld, slurmd as plain
# daemons with a generated slurm.conf in a temporary directory), runs the documentation's blocks
# verbatim (only /data/study is replaced by an archive of sample recordings) with the job script
# scripts/cluster/batch-array.sbatch unchanged, waits for the queue to drain, and checks that the
# merged CSV and the JSON documents are byte-identical to those of one `insole batch` of the same
# folder; then the same with GNU parallel. Everything it started is stopped on exit.
# Usage: bash scripts/test-cluster.sh [path/to/insole]   (default: build/release, else build/test)
# Without slurm-wlm, munge or parallel it skips with a message, except under CI=true, where that
# and any failure to start the cluster fail it. INSOLE_CLUSTER_TIMEOUT: seconds the queue may take
# to drain (default 300). INSOLE_CLUSTER_KEEP=1 keeps the temporary directory (logs) for a look.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
timeout_s=${INSOLE_CLUSTER_TIMEOUT:-300}

say() { echo "test-cluster: $*" >&2; }
fail() { say "FAILED: $*"; exit 1; }

insole=${1:-}
if [ -z "$insole" ]; then
  for b in build/release build/test; do
    if [ -x "$repo/$b/cli/insole" ]; then insole=$repo/$b/cli/insole; break; fi
  done
fi
[ -n "$insole" ] && [ -x "$insole" ] || fail "no insole program (build it, or give its path)"
insole=$(cd "$(dirname "$insole")" && pwd)/$(basename "$insole")

missing=()
for tool in munged slurmctld slurmd sbatch squeue scontrol scancel parallel python3; do
  command -v "$tool" > /dev/null || missing+=("$tool")
done
if [ ${#missing[@]} -gt 0 ]; then
  msg="missing ${missing[*]} (Debian: slurm-wlm munge parallel; scripts/install-deps.sh)"
  if [ "${CI:-}" = "true" ]; then fail "$msg"; fi
  say "$msg: skipped"
  exit 0
fi

start_s=$(date +%s)
work=$(mktemp -d "${TMPDIR:-/tmp}/insole-cluster.XXXXXX")
chmod 755 "$work"  # munged wants every directory above its socket searchable by all
daemons=()
own_conf=""  # set once our slurm.conf is in SLURM_CONF: never cancel jobs of another cluster
cleanup() {
  local rc=$?
  # Jobs first (their steps outlive slurmd), then the daemons, by the ids started here.
  if [ -n "$own_conf" ] && [ "${SLURM_CONF:-}" = "$own_conf" ]; then
    scancel --quiet --user="$(id -un)" 2> /dev/null || true
    for _ in $(seq 20); do [ -z "$(squeue -h -o %i 2> /dev/null)" ] && break; sleep 0.5; done
  fi
  local pid
  for pid in "${daemons[@]}"; do kill -TERM "$pid" 2> /dev/null || true; done
  for pid in "${daemons[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2> /dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2> /dev/null || true
  done
  if [ "$rc" -ne 0 ]; then
    for f in "$work"/cluster/log/*.log; do
      [ -f "$f" ] && { say "--- last lines of $f"; tail -n 30 "$f" >&2; }
    done
  fi
  if [ -n "${INSOLE_CLUSTER_KEEP:-}" ]; then say "kept $work"; else rm -rf "$work"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- the archive: the sample recordings, a few simulated ones, one corrupt file -----------------
mkdir -p "$work/study/simulated"
cp "$repo"/data/*.h5 "$work/study/"
for seed in 1 2; do
  "$insole" simulate -o "$work/study/simulated/walk-$seed.h5" --seed "$seed" --duration 4 --rows 60 --cols 200 \
    > /dev/null 2>&1 || fail "insole simulate"
done
"$insole" simulate -o "$work/study/simulated/stand.h5" --mode stand --duration 5 --rows 60 --cols 200 \
  > /dev/null 2>&1 || fail "insole simulate --mode stand"
head -c 3000 "$repo/data/walk_normal.h5" > "$work/study/truncated.h5"
recordings=$(find "$work/study" -name '*.h5' | wc -l)

# Each run works in its own directory holding a link named `study`, so that every run names the
# recordings (and JSON paths) identically: study/..., results/json/...
for d in single slurm parallel; do
  mkdir -p "$work/$d"
  ln -s ../study "$work/$d/study"
  ln -s "$repo/scripts" "$work/$d/scripts"
done
export PATH="$(dirname "$insole"):$PATH"

# The documentation's block after `<!-- test-cluster: NAME -->`, with /data/study -> study.
doc_block() {
  awk -v tag="<!-- test-cluster: $1 -->" '
    $0 == tag { armed = 1; next }
    armed && /^```/ { if (inside) exit; inside = 1; next }
    inside { print }' "$repo/docs/batch.md" | sed 's#/data/study#study#g'
}
for b in slurm-submit slurm-resubmit parallel; do
  [ -n "$(doc_block "$b")" ] || fail "docs/batch.md has no block marked <!-- test-cluster: $b -->"
done

# --- the reference: one process -----------------------------------------------------------------
(cd "$work/single" && mkdir -p results && insole batch study -o results/study.csv --json-dir results/json --progress none) \
  2> "$work/single.log" && rc=0 || rc=$?
[ "$rc" -le 1 ] || { cat "$work/single.log" >&2; fail "single-process insole batch exited $rc"; }
grep -q ',failed,' "$work/single/results/study.csv" || fail "the corrupt file gave no failed row"
say "$recordings recordings; single-process batch: $(tail -n 2 "$work/single.log" | head -n 1 | sed 's/^insole batch: //')"

same_results() {  # dir label
  cmp "$work/single/results/study.csv" "$1/results/study.csv" \
    || fail "$2: the merged CSV differs from the single-process one"
  diff -r "$work/single/results/json" "$1/results/json" > /dev/null \
    || fail "$2: the JSON documents differ from the single-process ones"
}

# --- GNU parallel ---------------------------------------------------------------------------------
(cd "$work/parallel" && bash -euo pipefail -c "$(doc_block parallel)") > "$work/parallel.log" 2>&1 \
  || { cat "$work/parallel.log" >&2; fail "the GNU parallel block of docs/batch.md failed"; }
same_results "$work/parallel" "GNU parallel"
say "GNU parallel: 4 shards merged, identical to the single run"

# --- Slurm: a one-node cluster ---------------------------------------------------------------------
cluster_fail() { fail "cannot start the Slurm cluster: $*"; }
c=$work/cluster
mkdir -p "$c/munge" "$c/state" "$c/spool" "$c/log"
# Two free TCP ports for slurmctld and slurmd (the defaults may be taken by a real cluster).
read -r ctld_port slurmd_port < <(python3 -c '
import socket
socks = [socket.socket() for _ in range(2)]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(*(s.getsockname()[1] for s in socks))')
head -c 1024 /dev/urandom > "$c/munge/munge.key"
chmod 600 "$c/munge/munge.key"
munged --foreground --key-file="$c/munge/munge.key" --socket="$c/munge/socket" --pid-file="$c/munge/munged.pid" \
  --seed-file="$c/munge/seed" --log-file="$c/log/munged.log" > "$c/log/munged.out" 2>&1 &
daemons+=($!)
for _ in $(seq 100); do [ -S "$c/munge/socket" ] && break; sleep 0.1; done
[ -S "$c/munge/socket" ] || { cat "$c/log/munged.out" >&2; cluster_fail "munged did not create its socket"; }

host=$(hostname)
# The job script asks for 4 CPUs per task: the node declares at least 16 so that four tasks run at
# once (the kernel shares the real cores among them; results do not depend on it).
cpus=$(nproc)
[ "$cpus" -ge 16 ] || cpus=16
mem_mb=$(awk '/^MemTotal:/ { print int($2 / 1024) }' /proc/meminfo)
[ "$mem_mb" -ge 4096 ] || mem_mb=4096  # and 4 GB (memory is not a consumable resource here)
cat > "$c/slurm.conf" << EOF
# One-node test cluster of scripts/test-cluster.sh (generated).
ClusterName=insoletest
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$c/munge/socket
StateSaveLocation=$c/state
SlurmdSpoolDir=$c/spool
SlurmctldPidFile=$c/slurmctld.pid
SlurmdPidFile=$c/slurmd.pid
SlurmctldLogFile=$c/log/slurmctld.log
SlurmdLogFile=$c/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=none
ReturnToService=2
SlurmdParameters=config_overrides
DependencyParameters=kill_invalid_depend
MinJobAge=600
NodeName=insole-node NodeHostname=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem_mb State=UNKNOWN
PartitionName=test Nodes=insole-node Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF=$c/slurm.conf
own_conf=$SLURM_CONF
slurmctld -D -f "$SLURM_CONF" > "$c/log/slurmctld.out" 2>&1 &
daemons+=($!)
slurmd -D -f "$SLURM_CONF" -N insole-node > "$c/log/slurmd.out" 2>&1 &
daemons+=($!)
up=""
for _ in $(seq 120); do
  for pid in "${daemons[@]}"; do
    kill -0 "$pid" 2> /dev/null || { cat "$c"/log/*.out >&2; cluster_fail "a daemon exited"; }
  done
  if [ "$(sinfo -h -n insole-node -o %t 2> /dev/null)" = "idle" ]; then up=1; break; fi
  sleep 0.5
done
[ -n "$up" ] || cluster_fail "the node did not become idle within 60 s (sinfo: $(sinfo -h 2>&1 | head -n 3))"
say "Slurm $(sinfo --version | awk '{print $2}'): node insole-node up with $cpus CPUs ($(($(date +%s) - start_s)) s)"

# Waits until the queue is empty, failing on a job that can never run or on the deadline.
drain() {  # label
  local deadline=$(($(date +%s) + timeout_s))
  while :; do
    local queue
    queue=$(squeue -h -o '%i %T %r')
    [ -z "$queue" ] && return 0
    if grep -q 'DependencyNeverSatisfied' <<< "$queue"; then
      say "$queue"
      fail "$1: a job's dependency can never be satisfied (an array task failed; see logs below)"
    fi
    if [ "$(date +%s)" -ge "$deadline" ]; then
      say "queue after ${timeout_s} s:"; say "$queue"
      fail "$1: the jobs did not finish within ${timeout_s} s"
    fi
    sleep 1
  done
}
# Every job known to slurmctld (completed ones stay listed for MinJobAge) must have COMPLETED.
all_completed() {  # label
  local states
  states=$(scontrol -o show job | awk '{
    id = st = ec = ""
    for (i = 1; i <= NF; i++) {
      if ($i ~ /^JobId=/) id = $i
      if ($i ~ /^JobState=/) st = $i
      if ($i ~ /^ExitCode=/) ec = $i
    }
    if (id != "") print id, st, ec }')
  [ -n "$states" ] || fail "$1: slurmctld knows no jobs"
  if grep -v 'JobState=COMPLETED ExitCode=0:0' <<< "$states" | grep -q .; then
    say "$states"
    for f in "$work"/slurm/logs/*.out; do say "--- $f"; cat "$f" >&2; done
    fail "$1: not every job completed with exit code 0"
  fi
}

(cd "$work/slurm" && bash -euo pipefail -c "$(doc_block slurm-submit)") > "$work/slurm.log" 2>&1 \
  || { cat "$work/slurm.log" >&2; fail "the Slurm submission block of docs/batch.md failed"; }
drain "Slurm array"
all_completed "Slurm array"
tasks=$(ls "$work"/slurm/results/shard-*.csv | wc -l)
[ "$tasks" -eq 16 ] || fail "Slurm array: $tasks shard CSVs, expected 16"
same_results "$work/slurm" "Slurm array"
say "Slurm: 16 array tasks and the dependent merge job completed, identical to the single run ($(($(date +%s) - start_s)) s)"

# The resubmission of one task, as the documentation shows it: --resume reuses the shard's rows
# (its CSV comes out the same), and merging again gives the same table.
cp "$work/slurm/results/shard-7.csv" "$work/shard-7.before"
(cd "$work/slurm" && bash -euo pipefail -c "$(doc_block slurm-resubmit)") > "$work/resubmit.log" 2>&1 \
  || { cat "$work/resubmit.log" >&2; fail "the Slurm resubmission block of docs/batch.md failed"; }
drain "Slurm resubmission"
all_completed "Slurm resubmission"
cmp "$work/shard-7.before" "$work/slurm/results/shard-7.csv" || fail "the resubmitted task changed its shard CSV"
(cd "$work/slurm" && insole batch-merge results/shard-*.csv -o results/study.csv) > /dev/null 2>&1 \
  || fail "batch-merge after the resubmission"
same_results "$work/slurm" "Slurm after resubmission"
say "Slurm: task 7 resubmitted with SHARDS=16, same shard and merged CSV"
say "passed in $(($(date +%s) - start_s)) s"
