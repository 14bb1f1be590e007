#!/usr/bin/env bash
# The transfer acceptance protocol, end to end with graft-cli, in the current folder:
# TinyNet pretrained on Fashion-MNIST's 60k training images (2 epochs, Adam 1e-3, batch 128),
# then fine-tune vs scratch vs linear probe on OpenCV's handwritten digits at 5, 10 and 20
# labels per class, 3 seeds each; half the digits are held out.
#   digits_transfer.sh GRAFT_CLI GRAFT_DIGITS_FOLDER
set -euo pipefail
CLI="$1"
DIGITS_FOLDER="$2"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
FASHION=/usr/share/datasets/fashion-mnist
DIGITS_PNG=/usr/share/doc/opencv-doc/examples/data/digits.png

mkdir -p fashion-train
ln -sf "$FASHION"/train-images-idx3-ubyte.gz "$FASHION"/train-labels-idx1-ubyte.gz fashion-train/
"$CLI" new fashion.graft
"$CLI" import fashion.graft fashion-train
"$CLI" split fashion.graft --val 0 --test 0
# NCHW, as the reference script pretrains: the probe's accuracy hinges on this one backbone, and
# the reference's tolerance covers the trials' seeds, not pretraining's rounding. Plain PyTorch
# keeps BatchNorm's running statistics as training leaves them, so here (and in the spec) Graft does too.
"$CLI" train fashion.graft --epochs 2 --lr 0.001 --schedule constant --batch-size 128 --no-channels-last \
    --no-bn-recalibration --save-weights fashion-tinynet.pt

"$DIGITS_FOLDER" "$DIGITS_PNG" digits
"$CLI" new digits.graft
"$CLI" import digits.graft digits
"$CLI" split digits.graft --val 0 --test 0.5
"$CLI" experiment run digits.graft "$HERE/digits-experiment.json"
"$CLI" compare digits.graft 1
