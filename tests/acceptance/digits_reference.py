#!/usr/bin/env python3
"""The transfer acceptance protocol in plain PyTorch, independent of Graft, to check Graft's numbers.

TinyNet (Graft's layer layout) pretrained on Fashion-MNIST (60k images, 2 epochs, Adam 1e-3,
batch 128), or Graft's own pretrained weights with --graft-weights (the acceptance test's figures
come from resources/pretrained/tinynet-fmnist.pt, 20 seeds); then fine-tune (fresh head),
scratch and a linear probe on OpenCV's digits at 5, 10 and 20 labels per class: Adam 1e-3
(probe 1e-2), batch 32, epochs = max(20, 2000 / (10 k)). Half of each class is held out and the
k labels per class are drawn from the other half, as digits_transfer.sh splits them.

  python3 digits_reference.py [--graft-weights resources/pretrained/tinynet-fmnist.pt] [--seeds 3] [--first-seed 0] [--threads N]

Needs python3-torch, python3-pil, dataset-fashion-mnist and opencv-doc. Prints mean, sd and the
paired fine-tune - scratch delta with its 95 % t interval per k.
"""
import argparse
import gzip
import math
import os

import numpy as np
import torch
import torch.nn as nn
from PIL import Image

FASHION = '/usr/share/datasets/fashion-mnist'
DIGITS = '/usr/share/doc/opencv-doc/examples/data/digits.png'
T_975 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262, 10: 2.228,
         11: 2.201, 12: 2.179, 13: 2.160, 14: 2.145, 15: 2.131, 16: 2.120, 17: 2.110, 18: 2.101, 19: 2.093}  # by df


def idx_file(path):
    data = gzip.open(path).read()
    return np.frombuffer(data, np.uint8, offset=16 if data[3] == 3 else 8)


def normalised(images):  # Graft's preprocessing: /255, then Normalize(0.5, 0.5)
    return (torch.tensor(images, dtype=torch.float32).unsqueeze(1) / 255 - 0.5) / 0.5


def conv_bn_relu(inputs, outputs):
    return [nn.Conv2d(inputs, outputs, 3, padding=1, bias=False), nn.BatchNorm2d(outputs), nn.ReLU(inplace=True)]


class TinyNet(nn.Module):
    # Graft's block name -> index in `features`, to read Graft's weights files.
    GRAFT_NAMES = {'stem.0': 0, 'stem.1': 1, 'stage1.0': 3, 'stage1.1': 4, 'stage2.0': 7, 'stage2.1': 8,
                   'stage3.0': 11, 'stage3.1': 12}

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(*conv_bn_relu(1, 32), *conv_bn_relu(32, 32), nn.MaxPool2d(2),
                                      *conv_bn_relu(32, 64), nn.MaxPool2d(2), *conv_bn_relu(64, 128),
                                      nn.AdaptiveAvgPool2d(1), nn.Flatten())
        self.head = nn.Linear(128, 10)

    def forward(self, x):
        return self.head(self.features(x))

    @classmethod
    def graft_state(cls, path):
        state = {}
        for name, tensor in torch.load(path, weights_only=False).items():  # Graft's pickle tags tensor types
            block, field = name.rsplit('.', 1)
            state[f'features.{cls.GRAFT_NAMES[block]}.{field}' if block in cls.GRAFT_NAMES else name] = tensor
        return state


def train(model, images, labels, learning_rate, batch, epochs, parameters, order):
    optimizer = torch.optim.Adam(parameters, lr=learning_rate)
    for _ in range(epochs):
        permutation = torch.randperm(len(images), generator=order)
        for start in range(0, len(images), batch):
            chosen = permutation[start:start + batch]
            loss = nn.functional.cross_entropy(model(images[chosen]), labels[chosen])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()


def trained_arm(arm, pretrained, images, labels, seed, k):
    """One trial's TinyNet: fine-tune (fresh head), scratch or a linear probe, trained as the protocol
    says: Adam 1e-3 (probe 1e-2), batch 32, epochs = max(20, 2000 / images)."""
    torch.manual_seed(1000 * seed + k)
    model = TinyNet()
    if arm != 'scratch':
        model.load_state_dict({n: t for n, t in pretrained.items() if not n.startswith('head.')}, strict=False)
    model.train()
    parameters = model.parameters()
    if arm == 'probe':  # frozen backbone with its Fashion-MNIST statistics
        model.features.requires_grad_(False)
        model.features.eval()
        parameters = model.head.parameters()
    train(model, images, labels, 1e-2 if arm == 'probe' else 1e-3, 32, max(20, math.ceil(2000 / len(images))), parameters,
          torch.Generator().manual_seed(seed))
    return model


@torch.no_grad()
def accuracy(model, images, labels):
    model.eval()
    return sum((model(images[s:s + 500]).argmax(1) == labels[s:s + 500]).sum().item()
               for s in range(0, len(images), 500)) / len(images)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--graft-weights', help="Graft's pretrained TinyNet (train --save-weights) instead of pretraining")
    parser.add_argument('--seeds', type=int, default=3)
    parser.add_argument('--first-seed', type=int, default=0, help='to share seeds out between processes')
    parser.add_argument('--fashion', default=FASHION, help='folder of the Fashion-MNIST training .gz files')
    parser.add_argument('--digits', default=DIGITS, help="OpenCV's digits.png")
    parser.add_argument('--threads', type=int, default=os.cpu_count())
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    if args.graft_weights:
        pretrained = TinyNet.graft_state(args.graft_weights)
    else:
        torch.manual_seed(0)
        images = normalised(idx_file(f'{args.fashion}/train-images-idx3-ubyte.gz').reshape(-1, 28, 28))
        labels = torch.tensor(idx_file(f'{args.fashion}/train-labels-idx1-ubyte.gz'), dtype=torch.long)
        network = TinyNet()
        network.train()
        train(network, images, labels, 1e-3, 128, 2, network.parameters(), torch.Generator().manual_seed(0))
        pretrained = network.state_dict()

    sheet = np.array(Image.open(args.digits).convert('L'))  # 50 rows x 100 columns of 20x20 digits, 5 rows per class
    cells = sheet.reshape(50, 20, 100, 20).transpose(0, 2, 1, 3).reshape(5000, 20, 20)
    padded = np.zeros((5000, 28, 28), np.uint8)
    padded[:, 4:24, 4:24] = cells
    digit_labels = np.repeat(np.arange(10), 500)
    digits, digit_targets = normalised(padded), torch.tensor(digit_labels, dtype=torch.long)

    arms = ('fine-tune', 'scratch', 'probe')
    results = {}
    for seed in range(args.first_seed, args.first_seed + args.seeds):
        rng = np.random.default_rng(seed)
        pool = np.concatenate([rng.permutation(np.where(digit_labels == c)[0])[:250] for c in range(10)])
        held_out = np.setdiff1d(np.arange(5000), pool)
        for k in (5, 10, 20):
            chosen = np.concatenate([rng.permutation(pool[digit_labels[pool] == c])[:k] for c in range(10)])
            for arm in arms:
                model = trained_arm(arm, pretrained, digits[chosen], digit_targets[chosen], seed, k)
                results.setdefault((arm, k), []).append(accuracy(model, digits[held_out], digit_targets[held_out]))
            print(f'seed {seed} k={k}: ' + ', '.join(f'{arm} {results[(arm, k)][-1]:.3f}' for arm in arms), flush=True)

    for k in (5, 10, 20):
        row = [f'k={k:<3}'] + [f'{arm} {np.mean(results[(arm, k)]):.3f} (sd {np.std(results[(arm, k)], ddof=1):.3f})'
                               for arm in arms]
        delta = np.array(results[('fine-tune', k)]) - np.array(results[('scratch', k)])
        half = T_975.get(len(delta) - 1, 1.96) * delta.std(ddof=1) / math.sqrt(len(delta))  # normal beyond 19 df
        row.append(f'delta {delta.mean():+.3f} [{delta.mean() - half:+.3f}, {delta.mean() + half:+.3f}]')
        print('  '.join(row))


if __name__ == '__main__':
    main()
