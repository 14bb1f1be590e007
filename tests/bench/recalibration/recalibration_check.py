#!/usr/bin/env python3
"""Checks Graft's BatchNorm recalibration against plain PyTorch on the same weights, layer by layer.

  recalibration_check.py split PROJECT.graft K SEED
      K images per class to the train split, the rest to test (a seeded draw), as a labelled
      sample of K per class with the rest held out.
  recalibration_check.py compare PROJECT.graft ON.pt OFF.pt
      ON.pt and OFF.pt: TinyNet weights that graft-cli train --save-weights wrote for the same
      run with and without --no-bn-recalibration. Prints held-out accuracy of both, of the ON
      weights recalibrated in PyTorch (in one batch of the training images, and as Graft's first
      recalibration did: class-sorted batches of 32 with their statistics averaged), and how far
      Graft's statistics lie from the one-batch figures in every BatchNorm layer.

Needs python3-torchvision and python3-pil.
"""
import io
import os
import random
import sqlite3
import sys

import numpy as np
import torch
import torch.nn as nn
import torchvision.transforms.functional as TF
from PIL import Image

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '../../acceptance'))
from digits_reference import TinyNet  # noqa: E402


def split(project, per_class, seed):
    db = sqlite3.connect(project)
    draw = random.Random(seed)
    db.execute('DELETE FROM splits')
    for (class_id,) in db.execute('SELECT id FROM classes').fetchall():
        images = [row[0] for row in db.execute('SELECT image FROM labels WHERE class_id = ? ORDER BY image', (class_id,))]
        draw.shuffle(images)
        db.executemany('INSERT INTO splits(image, split) VALUES(?, ?)',
                       [(image, 'train' if i < per_class else 'test') for i, image in enumerate(images)])
    db.commit()


def split_tensors(db, split_name, classes):
    """Graft's TinyNet input (grey, 28 px, Normalize(0.5, 0.5)), in Graft's order: by class, then hash."""
    rows = db.execute('SELECT i.data, l.class_id FROM labels l JOIN splits s ON s.image = l.image JOIN images i '
                      'ON i.sha256 = l.image WHERE s.split = ? ORDER BY l.class_id, l.image', (split_name,)).fetchall()
    images = []
    for data, _ in rows:
        pixels = torch.from_numpy(np.array(Image.open(io.BytesIO(data)).convert('L'))).unsqueeze(0)
        images.append((TF.center_crop(TF.resize(pixels, 28, antialias=True), 28).float() / 255 - 0.5) / 0.5)
    return torch.stack(images), torch.tensor([classes.index(class_id) for _, class_id in rows])


def norms(model):
    return [m for m in model.modules() if isinstance(m, nn.BatchNorm2d)]


@torch.no_grad()
def recalibrated(model, images, batch):
    """PyTorch's cumulative average (momentum None) over batches in the given order."""
    for norm in norms(model):
        norm.reset_running_stats()
        norm.momentum = None
        norm.train()
    for start in range(0, len(images), batch):
        model(images[start:start + batch])
    return model.eval()


def compare(project, weights_on, weights_off):
    db = sqlite3.connect(f'file:{project}?mode=ro', uri=True)
    classes = [row[0] for row in db.execute('SELECT id FROM classes ORDER BY id')]
    train_images, _ = split_tensors(db, 'train', classes)
    held_out, held_out_labels = split_tensors(db, 'test', classes)

    def load(path):
        model = TinyNet()
        model.head = nn.Linear(128, len(classes))
        model.load_state_dict(TinyNet.graft_state(path))
        return model.eval()

    @torch.no_grad()
    def accuracy(model):
        return (model(held_out).argmax(1) == held_out_labels).float().mean().item()

    on, off = load(weights_on), load(weights_off)
    trained_alike = all(torch.equal(a, b) for (name, a), (_, b) in zip(on.state_dict().items(), off.state_dict().items())
                        if 'running' not in name and 'num_batches' not in name)
    one_batch = recalibrated(load(weights_on), train_images, len(train_images))
    class_sorted = recalibrated(load(weights_on), train_images, 32)
    print(f'held out: {len(held_out)} images, {max((held_out_labels == c).float().mean().item() for c in range(len(classes))):.2f} '
          f'of them one class; weights other than BatchNorm statistics identical with and without: {trained_alike}')
    print(f'accuracy: Graft {accuracy(on):.3f}, Graft without recalibration {accuracy(off):.3f}, '
          f'PyTorch one batch {accuracy(one_batch):.3f}, PyTorch class-sorted batches averaged {accuracy(class_sorted):.3f}')
    for i, (graft, reference) in enumerate(zip(norms(on), norms(one_batch))):
        mean_off = ((graft.running_mean - reference.running_mean).abs() / reference.running_var.sqrt()).max().item()
        ratio = graft.running_var / reference.running_var
        print(f'  BatchNorm {i}: Graft - one batch: mean up to {mean_off:.4f} sd, variance ratio '
              f'{ratio.min().item():.3f} to {ratio.max().item():.3f}')


if __name__ == '__main__':
    torch.set_num_threads(os.cpu_count())
    if len(sys.argv) == 5 and sys.argv[1] == 'split':
        split(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    elif len(sys.argv) == 5 and sys.argv[1] == 'compare':
        compare(*sys.argv[2:])
    else:
        sys.exit(__doc__)
