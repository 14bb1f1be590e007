#!/usr/bin/env bash
# The transfer acceptance protocol, end to end with graft-cli, in the current folder: Graft's
# built-in TinyNet pretrained on Fashion-MNIST (builtin:tinynet-fmnist; its recipe and accuracy are
# checked by the BuiltInWeights and Cli.Pretrain tests), then fine-tune vs scratch vs linear probe
# on OpenCV's handwritten digits at 5, 10 and 20 labels per class, 10 seeds each; half the digits
# are held out. digits_reference.py --graft-weights runs the same protocol in plain PyTorch.
#   digits_transfer.sh GRAFT_CLI GRAFT_DIGITS_FOLDER
set -euo pipefail
CLI="$1"
DIGITS_FOLDER="$2"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
DIGITS_PNG=/usr/share/doc/opencv-doc/examples/data/digits.png

"$DIGITS_FOLDER" "$DIGITS_PNG" digits
"$CLI" new digits.graft
"$CLI" import digits.graft digits
"$CLI" split digits.graft --val 0 --test 0.5
"$CLI" experiment run digits.graft "$HERE/digits-experiment.json"
"$CLI" compare digits.graft 1
