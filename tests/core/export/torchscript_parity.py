#!/usr/bin/env python3
"""Runs a Graft TorchScript export in Python's torch.jit (Debian python3-torch), the independent
runtime, and compares its output with Graft's on the same images.

  torchscript_parity.py MODEL.pt CASE.pt TOLERANCE

CASE.pt is Graft's pickle of {"images": N x C x H x W floats (uint8 N x H x W x C pixels for an
export with preprocessing baked in), "logits": Graft's output}; for a multi-task export, whose
forward() returns a dictionary, "logits:TASK" for each task instead. Prints the largest
difference; exits 1 when the shapes or tasks differ or the difference exceeds TOLERANCE.
"""
import sys

import torch

model = torch.jit.load(sys.argv[1])
case = torch.load(sys.argv[2])
with torch.no_grad():
    output = model(case['images'])
outputs = output if isinstance(output, dict) else {'': output}
expected = {key.partition(':')[2]: value for key, value in case.items() if key.startswith('logits')}
if sorted(outputs) != sorted(expected):
    print(f'{sys.argv[1]}: outputs {sorted(outputs)}, Graft has {sorted(expected)}')
    sys.exit(1)
worst = 0.0
for task, value in outputs.items():
    if value.shape != expected[task].shape:
        print(f'{sys.argv[1]}: {task or "logits"} has shape {tuple(value.shape)}, Graft {tuple(expected[task].shape)}')
        sys.exit(1)
    difference = (value - expected[task]).abs().max().item()
    print(f'{sys.argv[1]}: {task or "logits"} shape {tuple(value.shape)}, max |python - graft| = {difference:.3g}')
    worst = max(worst, difference)
sys.exit(0 if worst <= float(sys.argv[3]) else 1)
