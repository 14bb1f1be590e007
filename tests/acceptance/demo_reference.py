#!/usr/bin/env python3
"""The demo's experiment in plain PyTorch, independent of Graft, on the demo project's own images.

Reads a demo project (graft-cli demo --out FILE): its 10 training images per digit are the pool,
its 4,900 test images the held-out set. For each seed and k in 5 and 10 it draws k per digit from
the pool and trains TinyNet three ways, as the demo's spec does: fine-tune from Graft's built-in
weights (fresh head), scratch, and a linear probe; Adam 1e-3 (probe 1e-2), batch 32, epochs =
max(20, 2000 / (10 k)). Unless --no-recalibration, the fine-tuned and scratch models then get
BatchNorm statistics of their k x 10 training images in one batch, as Graft recalibrates them.

  python3 demo_reference.py DEMO.graft [--weights resources/pretrained/tinynet-fmnist.pt] [--seeds 10]

Needs python3-torchvision and python3-pil. Prints, per k, each arm's mean with its 95 % t interval
and the paired fine-tune - scratch and probe - scratch deltas with theirs.
"""
import argparse
import io
import math
import os
import sqlite3

import numpy as np
import torch
import torch.nn as nn
import torchvision.transforms.functional as TF
from PIL import Image

from digits_reference import T_975, TinyNet, accuracy, trained_arm

HERE = os.path.dirname(os.path.abspath(__file__))


def split_tensors(db, split):
    """The split's images as Graft preprocesses them for TinyNet (grey, 28 px, Normalize(0.5, 0.5)), by class then hash."""
    rows = db.execute('SELECT i.data, c.name FROM labels l JOIN splits s ON s.image = l.image JOIN images i '
                      'ON i.sha256 = l.image JOIN classes c ON c.id = l.class_id WHERE s.split = ? '
                      'ORDER BY l.class_id, l.image', (split,)).fetchall()
    images = []
    for data, _ in rows:
        pixels = torch.from_numpy(np.array(Image.open(io.BytesIO(data)).convert('L'))).unsqueeze(0)
        pixels = TF.center_crop(TF.resize(pixels, 28, antialias=True), 28)
        images.append((pixels.float() / 255 - 0.5) / 0.5)
    return torch.stack(images), torch.tensor([int(name) for _, name in rows])


@torch.no_grad()
def recalibrate(model, images):
    """BatchNorm statistics of `images` in one batch: the exact mean and unbiased variance per layer."""
    model.eval()
    for norm in (m for m in model.modules() if isinstance(m, nn.BatchNorm2d)):
        norm.reset_running_stats()
        norm.momentum = None
        norm.train()
    model(images)
    model.eval()


def interval(values):
    values = np.asarray(values)
    half = T_975.get(len(values) - 1, 1.96) * values.std(ddof=1) / math.sqrt(len(values))
    return f'{values.mean():.3f} [{values.mean() - half:.3f}, {values.mean() + half:.3f}]'


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('project', help='a demo project made by graft-cli demo')
    parser.add_argument('--weights', default=os.path.join(HERE, '../../resources/pretrained/tinynet-fmnist.pt'))
    parser.add_argument('--seeds', type=int, default=10)
    parser.add_argument('--no-recalibration', action='store_true', help="keep BatchNorm's running statistics")
    parser.add_argument('--threads', type=int, default=os.cpu_count())
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    db = sqlite3.connect(f'file:{args.project}?mode=ro', uri=True)
    pool, pool_labels = split_tensors(db, 'train')
    held_out, held_out_labels = split_tensors(db, 'test')
    pretrained = TinyNet.graft_state(args.weights)
    print(f'{len(pool)} pool images, {len(held_out)} held out; recalibration {"off" if args.no_recalibration else "on"}')

    arms = ('fine-tune', 'scratch', 'probe')
    results = {}
    for seed in range(args.seeds):
        rng = np.random.default_rng(seed)
        for k in (5, 10):
            chosen = np.concatenate([rng.permutation(np.where(pool_labels.numpy() == c)[0])[:k] for c in range(10)])
            images, labels = pool[chosen], pool_labels[chosen]
            for arm in arms:
                model = trained_arm(arm, pretrained, images, labels, seed, k)
                if arm != 'probe' and not args.no_recalibration:
                    recalibrate(model, images)
                results.setdefault((arm, k), []).append(accuracy(model, held_out, held_out_labels))
            print(f'seed {seed} k={k}: ' + ', '.join(f'{arm} {results[(arm, k)][-1]:.3f}' for arm in arms), flush=True)

    for k in (5, 10):
        row = [f'k={k:<3}'] + [f'{arm} {interval(results[(arm, k)])}' for arm in arms]
        for arm in ('fine-tune', 'probe'):
            row.append(f'{arm} - scratch {interval(np.array(results[(arm, k)]) - np.array(results[("scratch", k)]))}')
        print('  '.join(row))


if __name__ == '__main__':
    main()
