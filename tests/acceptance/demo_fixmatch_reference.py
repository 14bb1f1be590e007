#!/usr/bin/env python3
"""The demo's second experiment (what the unlabelled digits add) in plain PyTorch, independent of Graft.

Reads a demo project (graft-cli demo --out FILE): its 10 labelled training images per digit, its
unlabelled pool and its held-out test images. For each seed and k in 5 and 10 it draws k per digit
and trains TinyNet four ways, as the demo's spec says: fine-tune from Graft's built-in weights (fresh
head) and scratch, each without and with FixMatch. The recipe: Adam 1e-3, batch 32, epochs =
max(20, 2000 / (10 k)); FixMatch adds mu x 32 = 64 unlabelled images a step (the pool and the
training images the budget left out, walked in a fresh random order each pass), the image as it is
for the weak view, RandAugment as FixMatch's (two of twelve operations, each at probability 1/2 and
a random magnitude) plus a cutout of half the side for the strong one, written here with
torchvision.transforms.functional; pseudo-labels kept at a top probability of 0.95, lambda_u 1. The
models then get BatchNorm statistics of their k x 10 training images in one batch, as Graft's
recalibration gives them.

  python3 demo_fixmatch_reference.py DEMO.graft [--weights resources/pretrained/tinynet-fmnist.pt] [--seeds 5]
      [--first-seed 0] [--arms 'fine-tune,scratch + FixMatch'] [--budgets 5,10]

Prints, per k, each arm's mean with its 95 % t interval, its sd, and the paired deltas against fine-tune.
"""
import argparse
import io
import math
import os
import random
import sqlite3

import numpy as np
import torch
import torch.nn as nn
import torchvision.transforms.functional as TF
from PIL import Image
from torchvision.transforms import InterpolationMode

from demo_reference import interval, recalibrate, split_tensors
from digits_reference import TinyNet, accuracy

HERE = os.path.dirname(os.path.abspath(__file__))
MU, BATCH, THRESHOLD = 2, 32, 0.95


def grey_uint8(data):
    return torch.from_numpy(np.array(Image.open(io.BytesIO(data)).convert('L'))).unsqueeze(0)


def preprocessed(pixels):
    """Graft's TinyNet preprocessing of a 1 x H x W uint8 image: resize to 28, crop 28, Normalize(0.5, 0.5)."""
    pixels = TF.center_crop(TF.resize(pixels, 28, antialias=True), 28)
    return (pixels.float() / 255 - 0.5) / 0.5


def strong(pixels, rng):
    """FixMatch's RandAugment on a uint8 image, then a grey cutout of half the shorter side."""
    _, height, width = pixels.shape
    for _ in range(2):
        operation = rng.randrange(12)
        magnitude = rng.random()
        if rng.random() >= 0.5:
            continue
        signed = 2 * magnitude - 1
        if operation == 0:
            pixels = TF.autocontrast(pixels)
        elif operation == 1:
            pixels = TF.equalize(pixels)
        elif operation == 2:
            pixels = TF.rotate(pixels, 30 * signed, interpolation=InterpolationMode.NEAREST, fill=0)
        elif operation == 3:
            if 256 * magnitude <= 255:  # above 255 nothing is inverted, and torchvision refuses the threshold
                pixels = TF.solarize(pixels, 256 * magnitude)
        elif operation == 4:
            pixels = TF.posterize(pixels, 4 + int(magnitude * 4.999))
        elif operation in (5, 6):
            shear = math.degrees(math.atan(0.3 * signed))
            pixels = TF.affine(pixels, angle=0.0, translate=[0, 0], scale=1.0,
                               shear=[shear, 0.0] if operation == 5 else [0.0, shear],
                               interpolation=InterpolationMode.NEAREST, fill=0, center=[0, 0])
        elif operation in (7, 8):
            shift = [int(0.3 * width * signed), 0] if operation == 7 else [0, int(0.3 * height * signed)]
            pixels = TF.affine(pixels, angle=0.0, translate=shift, scale=1.0, shear=[0.0, 0.0],
                               interpolation=InterpolationMode.NEAREST, fill=0)
        elif operation == 9:
            pixels = TF.adjust_brightness(pixels, 0.05 + 0.9 * magnitude)
        elif operation == 10:
            pixels = TF.adjust_contrast(pixels, 0.05 + 0.9 * magnitude)
        else:
            pixels = TF.adjust_sharpness(pixels, 0.05 + 0.9 * magnitude)
    size = max(1, min(height, width) // 2)
    x, y = rng.randrange(width) - size // 2, rng.randrange(height) - size // 2
    pixels = pixels.clone()
    pixels[:, max(0, y):max(0, y + size), max(0, x):max(0, x + size)] = 127
    return pixels


def unlabelled_pool(db):
    """The project's images without a label, as uint8."""
    rows = db.execute('SELECT i.data FROM images i WHERE i.sha256 NOT IN (SELECT image FROM labels) ORDER BY i.sha256')
    return [grey_uint8(data) for (data,) in rows]


def training_uint8(db):
    """The labelled training images as uint8, in split_tensors' order (class, then hash)."""
    rows = db.execute('SELECT i.data FROM labels l JOIN splits s ON s.image = l.image JOIN images i '
                      'ON i.sha256 = l.image WHERE s.split = ? ORDER BY l.class_id, l.image', ('train',)).fetchall()
    return [grey_uint8(data) for (data,) in rows]


def trained(arm, pretrained, images, labels, unlabelled, seed, k):
    torch.manual_seed(1000 * seed + k)
    model = TinyNet()
    if arm.startswith('fine-tune'):
        model.load_state_dict({n: t for n, t in pretrained.items() if not n.startswith('head.')}, strict=False)
    model.train()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    order = torch.Generator().manual_seed(seed)
    draws = random.Random(seed)
    fixmatch = arm.endswith('FixMatch')
    walk, place = [], 0
    for _ in range(max(20, math.ceil(2000 / len(images)))):
        permutation = torch.randperm(len(images), generator=order)
        for start in range(0, len(images), BATCH):
            chosen = permutation[start:start + BATCH]
            inputs = images[chosen]
            if fixmatch:
                picked = []
                for _ in range(MU * BATCH):
                    if place == len(walk):
                        walk, place = draws.sample(range(len(unlabelled)), len(unlabelled)), 0
                    picked.append(unlabelled[walk[place]])
                    place += 1
                weak = torch.stack([preprocessed(p) for p in picked])
                strong_views = torch.stack([preprocessed(strong(p, draws)) for p in picked])
                inputs = torch.cat([inputs, weak, strong_views])
            logits = model(inputs)
            loss = nn.functional.cross_entropy(logits[:len(chosen)], labels[chosen])
            if fixmatch:
                weak_logits, strong_logits = logits[len(chosen):].chunk(2)
                top, pseudo = torch.softmax(weak_logits.detach(), dim=-1).max(dim=-1)
                mask = top.ge(THRESHOLD).float()
                loss = loss + (nn.functional.cross_entropy(strong_logits, pseudo, reduction='none') * mask).mean()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    recalibrate(model, images)
    return model


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('project', help='a demo project made by graft-cli demo')
    parser.add_argument('--weights', default=os.path.join(HERE, '../../resources/pretrained/tinynet-fmnist.pt'))
    parser.add_argument('--seeds', type=int, default=5)
    parser.add_argument('--first-seed', type=int, default=0, help='to add seeds to an earlier run')
    parser.add_argument('--arms', default='fine-tune,fine-tune + FixMatch,scratch,scratch + FixMatch')
    parser.add_argument('--budgets', default='5,10', help='labels per digit, comma-separated')
    parser.add_argument('--threads', type=int, default=os.cpu_count())
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    db = sqlite3.connect(f'file:{args.project}?mode=ro', uri=True)
    labelled, labelled_classes = split_tensors(db, 'train')
    labelled_uint8 = training_uint8(db)
    held_out, held_out_labels = split_tensors(db, 'test')
    pool = unlabelled_pool(db)
    pretrained = TinyNet.graft_state(args.weights)
    print(f'{len(labelled)} labelled training images, {len(pool)} unlabelled, {len(held_out)} held out')

    arms = tuple(arm.strip() for arm in args.arms.split(','))
    budgets = tuple(int(k) for k in args.budgets.split(','))
    results = {}
    for seed in range(args.first_seed, args.first_seed + args.seeds):
        rng = np.random.default_rng(seed)
        for k in (5, 10):
            chosen = np.concatenate([rng.permutation(np.where(labelled_classes.numpy() == c)[0])[:k] for c in range(10)])
            if k not in budgets:
                continue  # drawn all the same, so the other budget's images are those of a whole run
            left_out = [labelled_uint8[i] for i in sorted(set(range(len(labelled))) - set(chosen.tolist()))]
            for arm in arms:
                model = trained(arm, pretrained, labelled[chosen], labelled_classes[chosen], pool + left_out, seed, k)
                results.setdefault((arm, k), []).append(accuracy(model, held_out, held_out_labels))
            print(f'seed {seed} k={k}: ' + ', '.join(f'{arm} {results[(arm, k)][-1]:.3f}' for arm in arms), flush=True)

    for k in budgets:
        print(f'k={k}')
        for arm in arms:
            values = np.array(results[(arm, k)])
            line = f'  {arm:22} {interval(values)}  sd {values.std(ddof=1):.3f}'
            if arm != 'fine-tune' and ('fine-tune', k) in results:
                line += f'  minus fine-tune {interval(values - np.array(results[("fine-tune", k)]))}'
            print(line)


if __name__ == '__main__':
    main()
