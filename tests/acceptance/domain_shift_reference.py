#!/usr/bin/env python3
"""The domain-shift benchmark's experiment in plain PyTorch, independent of Graft, on the benchmark
project's own images (graft-cli demo --domain-shift --out FILE).

Source: the printed digits (training and validation splits). Target: OpenCV's handwritten digits,
whose training split is the unlabelled target pool (labels unread by the adapting arms) and whose
test split is held out. Six arms, TinyNet from scratch, Adam 1e-3, batch 64, 13,500 images seen:
- source only: printed digits alone;
- AdaBN (Li et al. 2016): the same training (the source-only model itself, when both arms run),
  then every BatchNorm layer's statistics taken from the target pool;
- Deep CORAL: each step a batch of 64 target images runs with the labelled batch, and
  |C_s - C_t|_F^2 / (4 d^2) of the pooled features joins the loss (Sun and Saenko 2016's
  definition; the Transfer-Learning-Library's CorrelationAlignmentLoss adds the means' gap and
  divides by d^2, not 4 d^2);
- DANN as the Transfer-Learning-Library builds it: the pooled features of both batches, through a
  gradient reversal layer whose weight is 2 / (1 + exp(-10 p)) - 1, into a domain discriminator
  (Linear-BatchNorm-ReLU twice, 1024 wide, one logit), binary cross-entropy source 1 / target 0,
  each domain's mean, halved; the discriminator in the same optimizer;
- 10 handwritten labels per digit, and every handwritten training label: the yardsticks.
As Graft does, before each validation the BatchNorm layers get the exact statistics of the
training images (CORAL and DANN: and of the target pool), the printed validation images pick the
best epoch by loss, and arms without validation images keep the last.

  python3 domain_shift_reference.py BENCHMARK.graft [--seeds 10] [--arms 'source only,DANN']

Prints each arm's mean held-out accuracy with its 95 % t interval and sd, and the paired deltas
against source only.
"""
import argparse
import io
import math
import os
import sqlite3

import numpy as np
import torch
import torch.nn as nn
from PIL import Image

from demo_reference import interval
from digits_reference import TinyNet

BATCH, SEEN, RATE = 64, 13500, 1e-3
ARMS = ('source only', 'AdaBN', 'Deep CORAL', 'DANN', '10 handwritten labels per digit', 'every handwritten label')


def images_of(db, domain, split):
    """The images Graft preprocesses for TinyNet (grey, 28 px, Normalize(0.5, 0.5)), by class then hash."""
    rows = db.execute('SELECT i.data, c.name FROM labels l JOIN splits s ON s.image = l.image JOIN images i ON i.sha256 = '
                      'l.image JOIN classes c ON c.id = l.class_id JOIN image_domains d ON d.image = l.image WHERE '
                      'd.domain = ? AND s.split = ? ORDER BY l.class_id, l.image', (domain, split)).fetchall()
    pixels = np.stack([np.array(Image.open(io.BytesIO(data)).convert('L')) for data, _ in rows])
    images = (torch.from_numpy(pixels).float().unsqueeze(1) / 255 - 0.5) / 0.5
    return images, torch.tensor([int(name) for _, name in rows])


class GradientReversal(torch.autograd.Function):
    @staticmethod
    def forward(context, x, weight):
        context.weight = weight
        return x.view_as(x)

    @staticmethod
    def backward(context, gradient):
        return -context.weight * gradient, None


def discriminator(width):
    return nn.Sequential(nn.Linear(width, 1024), nn.BatchNorm1d(1024), nn.ReLU(), nn.Linear(1024, 1024),
                         nn.BatchNorm1d(1024), nn.ReLU(), nn.Linear(1024, 1))


def coral(source, target):
    d = source.size(1)
    covariance = [(f - f.mean(0, keepdim=True)).t() @ (f - f.mean(0, keepdim=True)) / (len(f) - 1) for f in (source, target)]
    return (covariance[0] - covariance[1]).pow(2).sum() / (4 * d * d)


@torch.no_grad()
def set_statistics(model, *image_sets):
    """Every BatchNorm layer gets the exact mean and unbiased variance of these images' inputs to it."""
    norms = [m for m in model.modules() if isinstance(m, nn.BatchNorm2d)]
    sums = {id(n): [0, 0.0, 0.0] for n in norms}

    def record(norm, inputs, _):
        x = inputs[0].double()
        entry = sums[id(norm)]
        entry[0] += x.numel() // x.size(1)
        entry[1] = entry[1] + x.sum((0, 2, 3))
        entry[2] = entry[2] + x.pow(2).sum((0, 2, 3))

    hooks = [n.register_forward_hook(record) for n in norms]
    model.train()  # each batch normalised by its own statistics, as Graft's recalibration pass
    for images in image_sets:
        order = torch.randperm(len(images), generator=torch.Generator().manual_seed(0))
        for start in range(0, len(images), BATCH):
            model(images[order[start:start + BATCH]])
    for hook in hooks:
        hook.remove()
    for norm in norms:
        count, total, squares = sums[id(norm)]
        mean = total / count
        norm.running_mean.copy_(mean.float())
        norm.running_var.copy_(((squares - count * mean * mean) / (count - 1)).float())
    model.eval()


@torch.no_grad()
def loss_and_accuracy(model, images, labels):
    model.eval()
    logits = torch.cat([model(images[s:s + 500]) for s in range(0, len(images), 500)])
    return nn.functional.cross_entropy(logits, labels).item(), (logits.argmax(1) == labels).float().mean().item()


def trial(arm, seed, data, source_only_models):
    if arm == 'AdaBN' and seed in source_only_models:  # the same training as source only, as in Graft
        model = source_only_models[seed]
        set_statistics(model, data['target'][0])
        return loss_and_accuracy(model, *data['held_out'])[1]
    torch.manual_seed(seed)
    generator = torch.Generator().manual_seed(seed)
    model = TinyNet()
    on_target = arm in ('10 handwritten labels per digit', 'every handwritten label')
    images, labels = (data['target'] if on_target else data['source'])
    if arm == '10 handwritten labels per digit':
        chosen = torch.cat([torch.nonzero(labels == digit).flatten()[torch.randperm(int((labels == digit).sum()),
                                                                                         generator=generator)[:10]]
                            for digit in range(10)])
        images, labels = images[chosen], labels[chosen]
    pool = data['target'][0]
    aligning = arm in ('Deep CORAL', 'DANN')
    domain_head = discriminator(128) if arm == 'DANN' else None
    parameters = list(model.parameters()) + (list(domain_head.parameters()) if domain_head is not None else [])
    optimizer = torch.optim.Adam(parameters, lr=RATE)
    epochs = max(1, math.ceil(SEEN / len(images)))
    steps_per_epoch = math.ceil(len(images) / BATCH)
    total_steps, step = epochs * steps_per_epoch, 0
    pool_order, pool_place = torch.randperm(len(pool), generator=generator), 0
    best = (math.inf, None)
    for _ in range(epochs):
        model.train()
        if domain_head is not None:
            domain_head.train()
        order = torch.randperm(len(images), generator=generator)
        for start in range(0, len(images), BATCH):
            chosen = order[start:start + BATCH]
            x, y = images[chosen], labels[chosen]
            if aligning:
                if pool_place + BATCH > len(pool):
                    pool_order, pool_place = torch.randperm(len(pool), generator=generator), 0
                target = pool[pool_order[pool_place:pool_place + BATCH]]
                pool_place += BATCH
                features = model.features(torch.cat([x, target]))
                logits = model.head(features[:len(x)])
                loss = nn.functional.cross_entropy(logits, y)
                if len(x) >= 2:
                    if arm == 'Deep CORAL':
                        loss = loss + coral(features[:len(x)], features[len(x):])
                    else:
                        weight = 2 / (1 + math.exp(-10 * step / total_steps)) - 1
                        domain = domain_head(GradientReversal.apply(features, weight)).squeeze(1)
                        loss = loss + 0.5 * (nn.functional.binary_cross_entropy_with_logits(domain[:len(x)], torch.ones(len(x)))
                                             + nn.functional.binary_cross_entropy_with_logits(domain[len(x):], torch.zeros(len(target))))
            else:
                loss = nn.functional.cross_entropy(model(x), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            step += 1
        set_statistics(model, images, pool) if aligning else set_statistics(model, images)
        if not on_target:  # the printed validation images pick the best epoch
            val_loss, _ = loss_and_accuracy(model, *data['validation'])
            if val_loss < best[0] - 1e-4:
                best = (val_loss, {n: t.clone() for n, t in model.state_dict().items()})
    if best[1] is not None:
        model.load_state_dict(best[1])
    if arm == 'AdaBN':
        set_statistics(model, pool)
    accuracy = loss_and_accuracy(model, *data['held_out'])[1]
    if arm == 'source only':
        source_only_models[seed] = model
    return accuracy


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('project', help='a benchmark made by graft-cli demo --domain-shift')
    parser.add_argument('--seeds', type=int, default=10)
    parser.add_argument('--arms', default=','.join(ARMS))
    parser.add_argument('--threads', type=int, default=os.cpu_count())
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    db = sqlite3.connect(f'file:{args.project}?mode=ro', uri=True)
    data = {'source': images_of(db, 'printed', 'train'), 'validation': images_of(db, 'printed', 'val'),
            'target': images_of(db, 'handwritten', 'train'), 'held_out': images_of(db, 'handwritten', 'test')}
    print(', '.join(f'{name} {len(images)}' for name, (images, _) in data.items()))
    arms = args.arms.split(',')
    results = {arm: [] for arm in arms}
    for seed in range(args.seeds):
        source_only_models = {}
        for arm in arms:
            results[arm].append(trial(arm, seed, data, source_only_models))
            print(f'seed {seed} {arm}: {results[arm][-1]:.4f}', flush=True)
    print()
    for arm in arms:
        print(f'{arm:34s} {interval(results[arm])}  sd {np.std(results[arm], ddof=1) if len(results[arm]) > 1 else 0:.3f}')
        if arm != 'source only' and 'source only' in results:
            deltas = np.array(results[arm]) - np.array(results['source only'])
            print(f'{"  - source only":34s} {interval(deltas) if len(deltas) > 1 else f"{deltas.mean():.3f}"}')


main()
