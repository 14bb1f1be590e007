"""torchvision.transforms.functional's uint8 operations: the reference for Graft's strong augmentation.

Usage: strong_augmentation_reference.py CASES.json, where CASES.json is
{"image": "in.png", "out": "folder", "cases": [["rotate", 17.0], ["cutout", [x, y, size]], ...]}.
Writes folder/<index>.png for each case and prints {"written": N}.
"""
import json
import math
import sys

import numpy as np
import torch
from PIL import Image
from torchvision.transforms import InterpolationMode
from torchvision.transforms import functional as F

NEAREST = InterpolationMode.NEAREST


def apply(image, name, argument):
    if name == "autocontrast":
        return F.autocontrast(image)
    if name == "equalize":
        return F.equalize(image)
    if name == "rotate":
        return F.rotate(image, argument, interpolation=NEAREST)
    if name == "solarize":
        return F.solarize(image, argument)
    if name == "posterize":
        return F.posterize(image, int(argument))
    if name in ("shear_x", "shear_y"):  # as torchvision's RandAugment: about the top-left corner
        degrees = math.degrees(math.atan(argument))
        shear = [degrees, 0.0] if name == "shear_x" else [0.0, degrees]
        return F.affine(image, angle=0.0, translate=[0, 0], scale=1.0, shear=shear, interpolation=NEAREST, center=[0, 0])
    if name in ("translate_x", "translate_y"):
        translate = [int(argument), 0] if name == "translate_x" else [0, int(argument)]
        return F.affine(image, angle=0.0, translate=translate, scale=1.0, shear=[0.0, 0.0], interpolation=NEAREST)
    if name == "brightness":
        return F.adjust_brightness(image, argument)
    if name == "contrast":
        return F.adjust_contrast(image, argument)
    if name == "sharpness":
        return F.adjust_sharpness(image, argument)
    if name == "cutout":
        x, y, size = argument
        return F.erase(image, y, x, size, size, torch.tensor(127, dtype=torch.uint8))
    raise ValueError(name)


def main(cases_file):
    with open(cases_file) as f:
        spec = json.load(f)
    pixels = np.array(Image.open(spec["image"]))
    image = torch.from_numpy(pixels).permute(2, 0, 1) if pixels.ndim == 3 else torch.from_numpy(pixels).unsqueeze(0)
    for index, (name, argument) in enumerate(spec["cases"]):
        result = apply(image.clone(), name, argument)
        array = result.permute(1, 2, 0).numpy() if result.shape[0] == 3 else result[0].numpy()
        Image.fromarray(np.ascontiguousarray(array)).save(f"{spec['out']}/{index}.png")
    print(json.dumps({"written": len(spec["cases"])}))


if __name__ == "__main__":
    main(sys.argv[1])
