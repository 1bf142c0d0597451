#!/usr/bin/env bash
# Time one training iteration of the paper's MNIST model (batch 100, k = 1)
# in libgan (examples/bench_iteration) and in the PyTorch peer, one right
# after the other, with OpenBLAS's own kernel choice (OPENBLAS_CORETYPE
# unset, as on a user's machine) and with the Haswell kernels.
#
#   usage: GAN_PEER=PEER.py examples/bench_vs_peer.sh [build-dir] [iterations] [threads]
#
# The peer is a PyTorch script kept outside this repository (a measuring
# stick, not project code); docs/paper.md §5 says what it must do: take
# THREADS ITERATIONS and print a JSON line with "ms_per_iteration".
# Needs python3-torch (bash cmake/deps.sh --peer).
set -euo pipefail
build=${1:-build}
iters=${2:-200}
threads=${3:-2}
peer=${GAN_PEER:-}
[[ -n $peer ]] || { echo "set GAN_PEER to the PyTorch peer script (docs/paper.md §5)" >&2; exit 2; }
[[ -x $build/examples/bench_iteration ]] || { echo "build $build first" >&2; exit 2; }
[[ -f $peer ]] || { echo "peer script not found: GAN_PEER=$peer" >&2; exit 2; }

for core in unset Haswell; do
    if [[ $core == unset ]]; then unset OPENBLAS_CORETYPE; else export OPENBLAS_CORETYPE=$core; fi
    echo "=== OPENBLAS_CORETYPE=$core, $threads threads ==="
    out=$(OPENBLAS_NUM_THREADS=$threads "$build/examples/bench_iteration" "$iters" 20)
    echo "$out"
    ours=$(echo "$out" | awk '/^alternating/ {print $3}')
    theirs_json=$(OMP_NUM_THREADS=$threads /usr/bin/python3 "$peer" "$threads" "$iters")
    echo "peer: $theirs_json"
    theirs=$(echo "$theirs_json" | sed 's/.*"ms_per_iteration": \([0-9.]*\).*/\1/')
    awk -v a="$ours" -v b="$theirs" 'BEGIN { printf "libgan alternating %.2f ms vs PyTorch %.2f ms: %.1fx faster\n", a, b, b / a }'
done
