#!/usr/bin/env bash
# Self-supervised pretraining's acceptance, end to end with graft-cli, in the current folder: the
# demo project (10 labelled digits per class, 2,450 unlabelled, 2,450 held out), SimSiam from random
# weights on its labelled training images and unlabelled pool, then an experiment: a linear probe on
# the SimSiam features against a probe on random features (the same network, initialised by each
# trial's seed), 10 labels per digit, 5 seeds. The manifest's kNN accuracy on the held-out digits,
# before and after, and the comparison's verdict are the result.
#   digits_self_supervised.sh GRAFT_CLI [EPOCHS]
set -euo pipefail
CLI="$1"
EPOCHS="${2:-20}"

"$CLI" demo --out demo.graft
"$CLI" pretrain demo.graft --self-supervised simsiam --name digits-simsiam --arch tinynet --epochs "$EPOCHS" \
    --batch-size 64 --augment crop:0.6,rotate:10 --seed 0 --out .
cat > probe-experiment.json <<JSON
{"name": "Probe: SimSiam features vs random features", "seeds": 5, "budgets": [10], "baseline": "random features",
 "arms": [
  {"name": "SimSiam features", "train": {"arch": "tinynet", "init": "digits-simsiam.pt", "freeze": "probe",
                                         "learningRate": 0.01, "schedule": "constant", "batchSize": 32, "epochs": 20,
                                         "minImagesSeen": 2000}},
  {"name": "random features", "train": {"arch": "tinynet", "freeze": "probe", "learningRate": 0.01,
                                        "schedule": "constant", "batchSize": 32, "epochs": 20, "minImagesSeen": 2000}}]}
JSON
"$CLI" experiment run demo.graft probe-experiment.json
"$CLI" compare demo.graft 3
