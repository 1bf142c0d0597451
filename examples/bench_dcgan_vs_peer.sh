#!/usr/bin/env bash
# Time one DCGAN training iteration (batch 64, one D step then one G step,
# Adam) in libgan (examples/bench_dcgan) and in PyTorch
# (examples/torch_dcgan.py), the same model, in interleaved rounds: every
# round runs libgan then PyTorch at each thread count, so both see the same
# machine. Prints every JSON line, then per thread count the median over
# the rounds of each program's median ms/iteration (wall clock), of its
# median CPU ms/iteration (all threads; with one thread the figure least
# disturbed by other jobs sharing the cores) and of its fastest iteration,
# with the ratios.
#
#   usage: examples/bench_dcgan_vs_peer.sh [build-dir] [rounds] [iterations] [threads...]
#
# Defaults: build, 5 rounds, 30 iterations (after 5 warm-up ones) a run,
# threads 1 and 2. Both use the thread count for everything: libgan's
# OPENBLAS_NUM_THREADS and session threads, PyTorch's set_num_threads and
# OMP_NUM_THREADS. Needs python3-torch (bash cmake/deps.sh --peer).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-build}
rounds=${2:-5}
iters=${3:-30}
shift $(( $# < 3 ? $# : 3 ))
threads=("$@")
[[ ${#threads[@]} -gt 0 ]] || threads=(1 2)
bench=$build/examples/bench_dcgan
peer=$here/torch_dcgan.py
[[ -x $bench ]] || { echo "build $build first (bench_dcgan not found)" >&2; exit 2; }
/usr/bin/python3 -c 'import torch' 2>/dev/null || { echo "needs python3-torch" >&2; exit 2; }

field() { sed "s/.*\"$1\": \([0-9.]*\).*/\1/"; }
declare -A ours theirs ours_cpu theirs_cpu ours_min theirs_min
for ((r = 1; r <= rounds; r++)); do
    for t in "${threads[@]}"; do
        a=$(OPENBLAS_NUM_THREADS=$t "$bench" "$t" "$iters" 5)
        b=$(OMP_NUM_THREADS=$t OPENBLAS_NUM_THREADS=$t /usr/bin/python3 "$peer" "$t" "$iters" 5)
        echo "round $r, $t thread(s): libgan  $a"
        echo "round $r, $t thread(s): pytorch $b"
        ours[$t]+="$(echo "$a" | field ms_per_iteration) "
        theirs[$t]+="$(echo "$b" | field ms_per_iteration) "
        ours_cpu[$t]+="$(echo "$a" | field cpu_ms_per_iteration) "
        theirs_cpu[$t]+="$(echo "$b" | field cpu_ms_per_iteration) "
        ours_min[$t]+="$(echo "$a" | field ms_min) "
        theirs_min[$t]+="$(echo "$b" | field ms_min) "
    done
done
median() { tr ' ' '\n' | grep . | sort -g | awk '{v[NR] = $1} END {print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
for t in "${threads[@]}"; do
    for kind in wall cpu fastest; do
        case $kind in
            wall) a=$(echo "${ours[$t]}" | median); b=$(echo "${theirs[$t]}" | median) ;;
            cpu) a=$(echo "${ours_cpu[$t]}" | median); b=$(echo "${theirs_cpu[$t]}" | median) ;;
            fastest) a=$(echo "${ours_min[$t]}" | median); b=$(echo "${theirs_min[$t]}" | median) ;;
        esac
        awk -v t="$t" -v k="$kind" -v a="$a" -v b="$b" -v r="$rounds" 'BEGIN {
            printf "%s thread(s), %-7s median of %d rounds: libgan %8.2f ms, PyTorch %8.2f ms per iteration: libgan %.2fx faster\n", t, k, r, a, b, b / a }'
    done
done
