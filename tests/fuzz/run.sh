#!/usr/bin/env bash
# Fuzz one target for a while with libFuzzer (clang, ASan + UBSan):
#   tests/fuzz/run.sh TARGET SECONDS [BUILD_DIR]
# TARGET: gan_net_load, gan_session_load, gan_dataset_load_idx,
# gan_optimizer_set_state, gan_dataset_load_npy, gan_dataset_load_csv,
# gan_dataset_load_png_dir, gan_generator_load or gan_dataset_load_cifar10. BUILD_DIR (default
# build-fuzz) is configured with -DGAN_FUZZ=ON and built if needed. New inputs accumulate in
# BUILD_DIR/tests/fuzz/work/TARGET (started from the generated seeds in
# .../corpus/TARGET); a failing input is saved in .../artifacts/TARGET/ and
# can be replayed with BUILD_DIR/tests/fuzz/fuzz_TARGET FILE. Exits nonzero
# when the fuzzer finds a failure. Extra libFuzzer flags go in
# GAN_FUZZ_FLAGS, e.g. GAN_FUZZ_FLAGS="-fork=1 -ignore_crashes=1" to keep
# going after a failure.
set -euo pipefail
if [[ $# -lt 2 ]]; then
    echo "usage: $0 TARGET SECONDS [BUILD_DIR]" >&2
    exit 2
fi
target=$1 seconds=$2
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${3:-$root/build-fuzz}
case $target in
    gan_net_load|gan_session_load|gan_dataset_load_idx|gan_optimizer_set_state) ;;
    gan_dataset_load_npy|gan_dataset_load_csv|gan_dataset_load_png_dir|gan_generator_load) ;;
    gan_dataset_load_cifar10) ;;
    *) echo "unknown target: $target" >&2; exit 2 ;;
esac

if [[ ! -f $build/CMakeCache.txt ]]; then
    cmake -S "$root" -B "$build" -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DGAN_FUZZ=ON -DGAN_BUILD_EXAMPLES=OFF >/dev/null
fi
cmake --build "$build" -j2 --target "fuzz_$target" fuzz_seeds >/dev/null

dir=$build/tests/fuzz
mkdir -p "$dir/work/$target" "$dir/artifacts/$target"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export OPENBLAS_NUM_THREADS=1
exec "$dir/fuzz_$target" "$dir/work/$target" "$dir/corpus/$target" \
    -max_total_time="$seconds" -timeout=20 -rss_limit_mb=2048 -max_len=8192 \
    -artifact_prefix="$dir/artifacts/$target/" -print_final_stats=1 ${GAN_FUZZ_FLAGS:-}
