#!/usr/bin/env python3
"""Accuracy of a Graft TinyNet weights file on Fashion-MNIST's 10k test images, in plain PyTorch.

  python3 fashion_accuracy.py WEIGHTS.pt MANIFEST.json [--fashion /usr/share/datasets/fashion-mnist]

The manifest (graft-cli pretrain's) gives the class each output stands for. Prints the accuracy
alone, to check what the manifest claims.
"""
import argparse
import json
import os

import torch

from digits_reference import FASHION, TinyNet, accuracy, idx_file, normalised


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('weights')
    parser.add_argument('manifest')
    parser.add_argument('--fashion', default=FASHION)
    args = parser.parse_args()
    model = TinyNet()
    model.load_state_dict(TinyNet.graft_state(args.weights))
    images = normalised(idx_file(os.path.join(args.fashion, 't10k-images-idx3-ubyte.gz')).reshape(-1, 28, 28))
    labels = torch.tensor(idx_file(os.path.join(args.fashion, 't10k-labels-idx1-ubyte.gz')), dtype=torch.int64)
    with open(args.manifest) as manifest:
        output_of_label = {int(name): output for output, name in enumerate(json.load(manifest)['source']['classes'])}
    labels = torch.tensor([output_of_label[int(label)] for label in labels])
    print(f'{accuracy(model, images, labels):.6f}')


if __name__ == '__main__':
    main()
