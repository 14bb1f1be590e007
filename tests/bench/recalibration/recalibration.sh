#!/usr/bin/env bash
# BatchNorm recalibration on a hard two-class set, Graft against plain PyTorch on the same weights:
# fine-tunes builtin:tinynet-fmnist on 40 images per class (the demo's recipe) with and without
# recalibration, per seed, and prints recalibration_check.py's comparison. About 1 min per seed.
#   tests/bench/recalibration/recalibration.sh GRAFT_CLI [SEEDS=3]
set -euo pipefail
CLI="$(realpath "$1")"
SEEDS="${2:-3}"
PYTHON="${PYTHON:-/usr/bin/python3}" # with Debian's torch and torchvision
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
"$PYTHON" "$HERE/two_class_digits.py" images
for ((seed = 0; seed < SEEDS; seed++)); do
    echo "== seed $seed"
    rm -f project.graft*
    "$CLI" new project.graft >/dev/null
    "$CLI" import project.graft images >/dev/null
    "$PYTHON" "$HERE/recalibration_check.py" split project.graft 40 "$seed"
    for mode in on off; do
        flag=(); [ "$mode" = off ] && flag=(--no-bn-recalibration)
        "$CLI" train project.graft --init builtin:tinynet-fmnist --new-head --optimizer adam --lr 0.001 \
            --schedule constant --batch-size 32 --epochs 20 --min-images-seen 2000 --seed "$seed" \
            --save-weights "$mode.pt" "${flag[@]}" >"$mode.log"
    done
    "$PYTHON" "$HERE/recalibration_check.py" compare project.graft on.pt off.pt
done
