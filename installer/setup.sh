#!/usr/bin/env bash
# Sets Graft up on Debian 12 from a fresh clone.
#   installer/setup.sh run    install dependencies, build Release, open Graft on the demo project
#   installer/setup.sh test   install dependencies, build with tests, run the whole suite
# Safe to re-run: installed packages and finished builds are skipped.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VERB="${1:-}"

# Build and run time dependencies, all from Debian 12; opencv-doc holds the demo project's digits,
# adwaita-icon-theme the icons where the desktop's theme has none.
PACKAGES=(
    build-essential cmake ninja-build ccache pkg-config
    qt6-base-dev libqcustomplot-dev adwaita-icon-theme
    libtorch-dev libopenblas0-pthread
    libopencv-dev libsqlite3-dev zlib1g-dev nlohmann-json3-dev libcurl4-openssl-dev libssl-dev
    libboost-math-dev libonnx-dev libprotobuf-dev libgloo-dev
    opencv-doc
)
# Test-only: GoogleTest, Fashion-MNIST for the real-data tests,
# torch/torchvision for reference fixtures, SciPy and scikit-learn for independent references,
# clang's libFuzzer for the parser fuzzers.
TEST_PACKAGES=(libgtest-dev dataset-fashion-mnist python3-torchvision python3-scipy python3-sklearn clang libclang-rt-14-dev)

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

install_packages() {
    local missing=()
    for package in "$@"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
    done
    if [ ${#missing[@]} -eq 0 ]; then
        say "Debian packages already installed"
        return
    fi
    local sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null || { echo "setup.sh: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
        sudo=(sudo)
    fi
    say "Installing ${missing[*]}"
    "${sudo[@]}" apt-get update -qq
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

build() {
    local preset="$1"
    say "Configuring and building ($preset)"
    cmake --preset "$preset" -S "$ROOT" >/dev/null
    cmake --build --preset "$preset" --parallel "$(nproc)"
}

case "$VERB" in
run)
    install_packages "${PACKAGES[@]}"
    build release
    cd "$ROOT"
    if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
        say "Opening Graft on its demo project (Train page: press 'Run experiment 1')"
        exec build/release/app/gui/graft --demo
    else
        say "No display found (DISPLAY and WAYLAND_DISPLAY are unset): running the demo in the terminal instead"
        exec build/release/app/cli/graft-cli demo --run
    fi
    ;;
test)
    install_packages "${PACKAGES[@]}" "${TEST_PACKAGES[@]}"
    build testing
    say "Running the test suite"
    cd "$ROOT"
    QT_QPA_PLATFORM=offscreen ctest --preset testing --parallel "$(nproc)"
    ;;
*)
    echo "usage: installer/setup.sh run|test" >&2
    exit 2
    ;;
esac
