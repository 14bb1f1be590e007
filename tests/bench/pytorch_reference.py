#!/usr/bin/python3
"""PyTorch side of `graft-cli bench`: the same workloads, written as a notebook would write them.

graft-cli starts this once and sends one JSON request per line on stdin; each answer is one JSON
line on stdout. Running both sides in turn, in one session, keeps the drift of a shared machine
out of the ratios. Weights are random (nothing is downloaded), so only timings mean anything.
"""
import argparse
import json
import signal
import sys
import time

import torch
import torchvision
from torch import nn
from torchvision import transforms


def peak_rss_reset():
    # Writing 5 to clear_refs resets VmHWM (Linux >= 4.0), so the next reading is this workload's peak.
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")


def peak_rss_bytes():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return 0


def eval_transform():
    # torchvision's ImageNet evaluation transform, as Graft's preprocessing for these backbones.
    return transforms.Compose([
        transforms.Resize(256),
        transforms.CenterCrop(224),
        transforms.ToTensor(),
        transforms.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225]),
    ])


def create_model(arch, classes):
    return getattr(torchvision.models, arch)(num_classes=classes)


class Reference:
    def __init__(self, images):
        self.dataset = torchvision.datasets.ImageFolder(images, transform=eval_transform())
        self.classes = len(self.dataset.classes)

    def batch(self, size):
        xs, ys = zip(*(self.dataset[i % len(self.dataset)] for i in range(size)))
        return torch.stack(xs), torch.tensor(ys)

    def train_throughput(self, arch, batch, warmup, steps, measure_memory=False):
        torch.manual_seed(0)
        images, labels = self.batch(batch)
        if measure_memory:
            peak_rss_reset()
        model = create_model(arch, self.classes)
        model.train()
        optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
        criterion = nn.CrossEntropyLoss()
        started = None
        for step in range(warmup + steps):
            if step == warmup:
                started = time.perf_counter()
            optimizer.zero_grad()
            loss = criterion(model(images), labels)
            loss.backward()
            optimizer.step()
            loss.item()
        seconds = time.perf_counter() - started
        answer = {"imagesPerSecond": batch * steps / seconds, "seconds": seconds}
        if measure_memory:
            answer["peakRssBytes"] = peak_rss_bytes()
        return answer

    def inference_throughput(self, arch, batch, warmup, steps):
        torch.manual_seed(0)
        images, _ = self.batch(batch)
        model = create_model(arch, self.classes)
        model.eval()
        with torch.no_grad():
            for step in range(warmup + steps):
                if step == warmup:
                    started = time.perf_counter()
                model(images).argmax(1)
        seconds = time.perf_counter() - started
        return {"imagesPerSecond": batch * steps / seconds, "seconds": seconds}

    def finetune_last_block(self, batch, epochs, workers):
        # The transfer-learning tutorial's loop: ImageFolder + DataLoader, layer4 and fc trainable.
        torch.manual_seed(0)
        started = time.perf_counter()
        loader = torch.utils.data.DataLoader(self.dataset, batch_size=batch, shuffle=True, num_workers=workers)
        model = create_model("resnet18", self.classes)
        for name, parameter in model.named_parameters():
            parameter.requires_grad = name.startswith(("layer4.", "fc."))
        optimizer = torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=0.01, momentum=0.9)
        criterion = nn.CrossEntropyLoss()
        epoch_seconds = []
        for _ in range(epochs):
            epoch_started = time.perf_counter()
            model.train()
            running_loss, correct = 0.0, 0
            for images, labels in loader:
                optimizer.zero_grad()
                outputs = model(images)
                loss = criterion(outputs, labels)
                loss.backward()
                optimizer.step()
                running_loss += loss.item() * images.size(0)
                correct += (outputs.argmax(1) == labels).sum().item()
            epoch_seconds.append(time.perf_counter() - epoch_started)
        return {"seconds": time.perf_counter() - started, "epochSeconds": epoch_seconds}

    @staticmethod
    def gemm(size, repeats):
        a = torch.randn(size, size)
        b = torch.randn(size, size)
        torch.mm(a, b)
        best = float("inf")
        for _ in range(repeats):
            started = time.perf_counter()
            torch.mm(a, b)
            best = min(best, time.perf_counter() - started)
        return {"gflops": 2 * size ** 3 / best / 1e9}


def answer(reference, request):
    kind = request["workload"]
    if kind == "train":
        return reference.train_throughput(request["arch"], request["batch"], request["warmup"], request["steps"],
                                          request.get("measureMemory", False))
    if kind == "infer":
        return reference.inference_throughput(request["arch"], request["batch"], request["warmup"], request["steps"])
    if kind == "finetune":
        return reference.finetune_last_block(request["batch"], request["epochs"], request["workers"])
    if kind == "gemm":
        return Reference.gemm(request["size"], request["repeats"])
    raise ValueError("unknown workload " + repr(kind))


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--images", required=True, help="ImageFolder root shared with graft-cli")
    parser.add_argument("--threads", type=int, default=0, help="intra-op threads; 0 keeps PyTorch's default")
    args = parser.parse_args()
    # Ctrl+C reaches the whole process group; graft-cli decides, and terminates this process.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    reference = Reference(args.images)
    print(json.dumps({"ready": True, "torch": torch.__version__, "torchvision": torchvision.__version__,
                      "threads": torch.get_num_threads()}), flush=True)
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            print(json.dumps(answer(reference, json.loads(line))), flush=True)
        except Exception as error:  # reported to graft-cli, which names the workload
            print(json.dumps({"error": str(error)}), flush=True)


if __name__ == "__main__":
    main()
