#!/usr/bin/env bash
# The whole-process script path, startup included: `prison ipc-script`, the Linux oracle
# (tools/Prison.IpcOracle) and a C program (semop_script.c, the floor) on the same 400,000-line semop
# script. Each is run RUNS times (default 3); the best wall time is printed, and the three outputs must
# be identical. Needs gcc and unshare --ipc (root). Usage: bash bench/script/run.sh [LINES] [RUNS]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
lines=${1:-400000}
runs=${2:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

{
    echo "semget IPC_PRIVATE 1 0600"
    for ((i = 0; i < lines / 2; i++)); do
        echo 'semop $0 0:1:0'
        echo 'semop $0 0:-1:0'
    done
} > "$work/semop.ipc"

gcc -O2 -o "$work/semop_script" "$root/bench/script/semop_script.c"
dotnet build -c Release -v q "$root/src/Prison.Cli" > /dev/null
dotnet build -c Release -v q "$root/tools/Prison.IpcOracle" > /dev/null
prison="$root/src/Prison.Cli/bin/Release/net10.0/prison.dll"
oracle="$root/tools/Prison.IpcOracle/bin/Release/net10.0/Prison.IpcOracle.dll"

best() {
    local name=$1 out=$2
    shift 2
    local min=""
    for ((r = 0; r < runs; r++)); do
        local start end t
        start=$(date +%s%N)
        "$@" > "$out"
        end=$(date +%s%N)
        t=$(((end - start) / 1000000))
        if [[ -z $min || $t -lt $min ]]; then min=$t; fi
    done
    printf '%-28s %6d ms\n' "$name" "$min"
}

echo "$lines semop lines, best of $runs, load average: $(cut -d' ' -f1-3 /proc/loadavg)"
best "C program (floor)" "$work/c.out" unshare --ipc "$work/semop_script" "$work/semop.ipc"
best "oracle (baseline)" "$work/oracle.out" unshare --ipc dotnet "$oracle" "$work/semop.ipc"
best "prison ipc-script" "$work/prison.out" dotnet "$prison" ipc-script "$work/semop.ipc"
cmp "$work/c.out" "$work/oracle.out"
cmp "$work/c.out" "$work/prison.out"
echo "outputs identical ($(wc -l < "$work/c.out") lines)"
