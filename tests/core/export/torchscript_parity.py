#!/usr/bin/env python3
"""Runs a Graft TorchScript export in Python's torch.jit (Debian python3-torch), the independent
runtime, and compares its output with Graft's on the same images.

  torchscript_parity.py MODEL.pt CASE.pt TOLERANCE

CASE.pt is Graft's pickle of {"images": N x C x H x W floats (uint8 N x H x W x C pixels for an
export with preprocessing baked in), "logits": Graft's output}. Prints the
largest difference; exits 1 when the shapes differ or the difference exceeds TOLERANCE.
"""
import sys

import torch

model = torch.jit.load(sys.argv[1])
case = torch.load(sys.argv[2])
with torch.no_grad():
    output = model(case['images'])
difference = (output - case['logits']).abs().max().item()
print(f'{sys.argv[1]}: shape {tuple(output.shape)}, max |python - graft| = {difference:.3g}')
sys.exit(0 if output.shape == case['logits'].shape and difference <= float(sys.argv[3]) else 1)
