"""Grad-CAM computed with hooks on the PyTorch models, as pytorch-grad-cam (jacobgil) defines it,
for GradCamReferenceTest.cpp to compare Graft's maps with.

usage: /usr/bin/python3 grad_cam_reference.py FIXTURE_DIR TINYNET_WEIGHTS OUT.pth

FIXTURE_DIR holds make_torchvision_fixtures.py's seeded state_dicts and inputs (ARCH.pth,
ARCH_io.pth); TINYNET_WEIGHTS is Graft's builtin tinynet-fmnist.pt. For every architecture OUT.pth
holds the input, the map of the predicted class at the last convolutional stage, and the map of
the runner-up class at an earlier stage.
"""
import collections
import os
import sys

import torch
import torchvision

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'acceptance'))
from digits_reference import TinyNet  # noqa: E402

def min_max_scaled(cam):
    """pytorch-grad-cam's scale_cam_image."""
    cam = cam - cam.min()
    return cam / (1e-7 + cam.max())


def grad_cam(model, layer, image, target=None):
    store = {}

    def keep(module, inputs, output):
        store['activations'] = output
        output.register_hook(lambda gradient: store.__setitem__('gradients', gradient))

    handle = layer.register_forward_hook(keep)
    model.zero_grad()
    logits = model(image.unsqueeze(0))
    handle.remove()
    target = int(logits[0].argmax()) if target is None else target
    logits[0, target].backward()
    activations = store['activations'].detach()[0]
    weights = store['gradients'][0].mean(dim=(1, 2))
    cam = torch.relu((weights[:, None, None] * activations).sum(0))
    resized = torch.nn.functional.interpolate(min_max_scaled(cam)[None, None], size=image.shape[1:], mode='bilinear',
                                              align_corners=False)[0, 0]
    return min_max_scaled(torch.relu(resized)), target


def torchvision_case(fixtures, arch):
    model = getattr(torchvision.models, arch)()
    model.load_state_dict(torch.load(os.path.join(fixtures, arch + '.pth')))
    image = torch.load(os.path.join(fixtures, arch + '_io.pth'))['input'][0]
    return model, image


def main(fixtures, tinynet_weights, out):
    torch.manual_seed(0)
    tinynet = TinyNet()
    tinynet.load_state_dict(TinyNet.graft_state(tinynet_weights))
    cases = {
        # arch: (model, image, last convolutional stage, an earlier stage)
        'resnet18': (*torchvision_case(fixtures, 'resnet18'), 'layer4', 'layer3'),
        'mobilenet_v2': (*torchvision_case(fixtures, 'mobilenet_v2'), 'features.18', 'features.14'),
        'efficientnet_b0': (*torchvision_case(fixtures, 'efficientnet_b0'), 'features.8', 'features.7'),
        # Graft's stage3 and stage2 end at features[13] and features[10].
        'tinynet': (tinynet, torch.randn(1, 28, 28), 'features.13', 'features.10'),
    }
    results = collections.OrderedDict()
    for arch, (model, image, last, earlier) in cases.items():
        model.eval()
        layers = dict(model.named_modules())
        predicted_map, predicted = grad_cam(model, layers[last], image)
        with torch.no_grad():
            runner_up = int(model(image.unsqueeze(0))[0].topk(2).indices[1])
        chosen_map, _ = grad_cam(model, layers[earlier], image, runner_up)
        results[arch + '.input'] = image
        results[arch + '.predicted'] = torch.tensor(predicted)
        results[arch + '.predicted_map'] = predicted_map.detach()
        results[arch + '.chosen'] = torch.tensor(runner_up)
        results[arch + '.chosen_map'] = chosen_map.detach()
    torch.save(results, out)


if __name__ == '__main__':
    main(*sys.argv[1:4])
