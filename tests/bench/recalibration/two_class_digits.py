#!/usr/bin/env python3
"""A two-class greyscale set on which BatchNorm statistics decide a lot: OpenCV's digits at 300 px.

Class "a" holds 3s, 5s and 8s, class "b" 5s, 8s and 9s (other writers' 5s and 8s), so a third of
each class is ambiguous and held-out accuracy stays near 0.7, like a hard real task. Class "b" has
600 images and "a" 282, so with 40 per class for training the 802 held out are 70 % "b". Each
image is a 20 x 20 digit with random contrast, background and noise, scaled to 300 x 300.

  python3 two_class_digits.py OUT_FOLDER     (ImageFolder layout: OUT_FOLDER/a/*.png, OUT_FOLDER/b/*.png)
"""
import os
import sys

import numpy as np
from PIL import Image

DIGITS = '/usr/share/doc/opencv-doc/examples/data/digits.png'


def main():
    out = sys.argv[1]
    sheet = np.array(Image.open(DIGITS).convert('L'))  # 50 rows x 100 columns of 20x20 digits, 5 rows per class
    cells = sheet.reshape(50, 20, 100, 20).transpose(0, 2, 1, 3).reshape(5000, 20, 20)
    digit = np.repeat(np.arange(10), 500)
    rng = np.random.default_rng(7)
    for name, digits, count, first in (('a', (3, 5, 8), 282, 0), ('b', (5, 8, 9), 600, 250)):
        os.makedirs(f'{out}/{name}', exist_ok=True)
        chosen = np.concatenate([np.where(digit == d)[0][first:][:count // 3] for d in digits])
        for i, index in enumerate(chosen):
            gain, background = rng.uniform(0.2, 0.7), rng.uniform(0, 80)
            cell = cells[index].astype(np.float32) * gain + background + rng.normal(0, 8, (20, 20))
            image = np.full((28, 28), np.uint8(background))
            image[4:24, 4:24] = np.clip(cell, 0, 255).astype(np.uint8)
            Image.fromarray(image).resize((300, 300), Image.BILINEAR).save(f'{out}/{name}/{i:04d}.png')


if __name__ == '__main__':
    main()
