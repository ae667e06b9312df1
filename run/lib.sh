# Shared by run/demo, run/test and run/bench/*: install what is missing,
# configure and build. Source it; do not run it.
set -euo pipefail

BB_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BB_PACKAGES=(build-essential cmake pkg-config zlib1g-dev libmujoco-dev libopenmpi-dev openmpi-bin
             libzmq3-dev libyaml-dev libcriterion-dev libhdf5-dev libisal-dev
             libglfw3-dev xvfb ffmpeg)

# Installs the Debian packages that are not installed yet (idempotent).
bb_install() {
    local missing=() p
    for p in "${BB_PACKAGES[@]}" "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    ((${#missing[@]})) || return 0
    if [ "$(id -u)" -ne 0 ]; then
        echo "run/: these Debian packages are missing: ${missing[*]}" >&2
        echo "run/: install them (sudo apt-get install ${missing[*]}) or run this script as root" >&2
        exit 1
    fi
    echo "run/: installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# OpenMPI as root on a small machine: allow root, allow more ranks than
# cores, and no single-copy (ptrace) transport, which containers forbid;
# and no hwloc GL component, which opens every X display (an Xvfb that a
# render started) and dies when it ends (coupler/main.c).
bb_mpi_env() {
    export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
    export OMPI_MCA_rmaps_base_oversubscribe=1
    export OMPI_MCA_btl_vader_single_copy_mechanism=none
    export HWLOC_COMPONENTS=-gl
}

# bb_build BUILD_DIR [cmake args...]
bb_build() {
    local dir=$1
    shift
    cmake -S "$BB_ROOT" -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
    cmake --build "$dir" -j"$(nproc)"
}
