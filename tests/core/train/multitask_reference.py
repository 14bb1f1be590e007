"""A two-head model's multi-task loss written plainly in PyTorch: the reference for Graft's.

Each task has its own nn.Linear head on a shared backbone (Linear + ReLU), and its cross-entropy
is the mean over the images labelled in it (-1: no label), computed on those images alone. The
loss is sum_t w_t L_t (fixed weights) or sum_t exp(-s_t) L_t + s_t / 2 (uncertainty weighting,
Kendall et al. 2018).

Usage: multitask_reference.py INPUT.json, INPUT.json holding "backbone_weight", "backbone_bias",
"heads" (a list of {"weight", "bias"}), "images", "labels" (N x tasks), and "weights" or
"log_variances". Prints {"loss", "per_task", "gradients": {name: values}}.
"""
import json
import sys

import torch
import torch.nn.functional as F


def main(path):
    with open(path) as f:
        given = json.load(f)
    backbone = torch.nn.Linear(len(given["backbone_weight"][0]), len(given["backbone_weight"]))
    heads = [torch.nn.Linear(len(head["weight"][0]), len(head["weight"])) for head in given["heads"]]
    with torch.no_grad():
        backbone.weight.copy_(torch.tensor(given["backbone_weight"]))
        backbone.bias.copy_(torch.tensor(given["backbone_bias"]))
        for head, values in zip(heads, given["heads"]):
            head.weight.copy_(torch.tensor(values["weight"]))
            head.bias.copy_(torch.tensor(values["bias"]))
    log_variances = None
    if "log_variances" in given:
        log_variances = torch.tensor(given["log_variances"], requires_grad=True)
    images = torch.tensor(given["images"])
    labels = torch.tensor(given["labels"], dtype=torch.long)

    features = F.relu(backbone(images))
    loss = torch.zeros(())
    per_task = []
    for t, head in enumerate(heads):
        keep = labels[:, t] != -1
        if not keep.any():
            per_task.append(0.0)
            continue
        task_loss = F.cross_entropy(head(features[keep]), labels[keep, t])
        per_task.append(task_loss.item())
        if log_variances is None:
            loss = loss + given["weights"][t] * task_loss
        else:
            loss = loss + torch.exp(-log_variances[t]) * task_loss + log_variances[t] / 2
    loss.backward()

    gradients = {"backbone_weight": backbone.weight.grad.tolist(), "backbone_bias": backbone.bias.grad.tolist()}
    for t, head in enumerate(heads):
        gradients["head%d_weight" % t] = head.weight.grad.tolist()
        gradients["head%d_bias" % t] = head.bias.grad.tolist()
    if log_variances is not None:
        gradients["log_variances"] = log_variances.grad.tolist()
    print(json.dumps({"loss": loss.item(), "per_task": per_task, "gradients": gradients}))


if __name__ == "__main__":
    main(sys.argv[1])
