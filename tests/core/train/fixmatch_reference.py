"""FixMatch's unlabelled loss as the FixMatch PyTorch reference writes it: the reference for Graft's.

Usage: fixmatch_reference.py INPUT.json, where INPUT.json is {"weak": [[...]], "strong": [[...]], "threshold": t}.
Prints {"loss": ..., "mask": [...], "labels": [...], "gradient": [[...]]} (the gradient of the loss
with respect to the strong logits).
"""
import json
import sys

import torch
import torch.nn.functional as F


def main(path):
    with open(path) as f:
        given = json.load(f)
    weak = torch.tensor(given["weak"], dtype=torch.float32)
    strong = torch.tensor(given["strong"], dtype=torch.float32, requires_grad=True)
    pseudo_label = torch.softmax(weak.detach(), dim=-1)
    max_probs, targets = torch.max(pseudo_label, dim=-1)
    mask = max_probs.ge(given["threshold"]).float()
    loss = (F.cross_entropy(strong, targets, reduction="none") * mask).mean()
    loss.backward()
    print(json.dumps({"loss": loss.item(), "mask": mask.tolist(), "labels": targets.tolist(),
                      "gradient": strong.grad.tolist()}))


if __name__ == "__main__":
    main(sys.argv[1])
