"""SimSiam's loss as the SimSiam PyTorch reference (facebookresearch/simsiam, main_simsiam.py) writes it.

Usage: simsiam_reference.py INPUT.json, where INPUT.json is {"p1": [[...]], "p2": ..., "z1": ..., "z2": ...}.
Prints {"loss": ..., "p1_gradient": [[...]], "p2_gradient": [[...]]}.
"""
import json
import sys

import torch
import torch.nn as nn


def main(path):
    with open(path) as f:
        given = json.load(f)
    p1, p2 = (torch.tensor(given[k], dtype=torch.float32, requires_grad=True) for k in ("p1", "p2"))
    z1, z2 = (torch.tensor(given[k], dtype=torch.float32).detach() for k in ("z1", "z2"))
    criterion = nn.CosineSimilarity(dim=1)
    loss = -(criterion(p1, z2).mean() + criterion(p2, z1).mean()) * 0.5
    loss.backward()
    print(json.dumps({"loss": loss.item(), "p1_gradient": p1.grad.tolist(), "p2_gradient": p2.grad.tolist()}))


if __name__ == "__main__":
    main(sys.argv[1])
