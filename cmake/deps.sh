#!/usr/bin/env bash
# Installs what libgan needs to build, test and reproduce the paper on a
# Debian 12 machine, skipping packages that are already there.
#   bash cmake/deps.sh          build + test dependencies
#   bash cmake/deps.sh --peer   also python3-torch (the PyTorch peer benchmark)
set -euo pipefail

packages=(build-essential cmake pkg-config libopenblas-dev libblas-dev libcmocka-dev doxygen
          zlib1g-dev libpng-dev libcairo2-dev clang valgrind npm ca-certificates dataset-fashion-mnist
          python3 python3-numpy python3-pytest)
if [[ "${1:-}" == "--peer" ]]; then
    packages+=(python3-torch)
fi

missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        # A tool already on PATH (e.g. a cmake or npm installed another way) is enough.
        case "$p" in
            cmake|npm) command -v "$p" >/dev/null 2>&1 && continue ;;
        esac
        missing+=("$p")
    fi
done

if ((${#missing[@]})); then
    echo "deps: installing ${missing[*]}"
    sudo_cmd=()
    if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); fi
    "${sudo_cmd[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
    echo "deps: all present"
fi
