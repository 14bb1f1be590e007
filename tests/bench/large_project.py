#!/usr/bin/python3
"""W7, a large project: Graft's import, training and evaluation at 5,000 to 20,000 JPEGs, against
PyTorch's ImageFolder + DataLoader (2 workers) on the same files and the same number of steps.

Each measurement is a fresh process (graft-cli, or this script in its PyTorch role), timed from
start to exit and watched for memory every second: peak RSS of the process itself (exact: the
kernel's high-water mark, read by a measuring child that waits for it alone), and the peak of the summed proportional set size (PSS) of it and its children, which counts
DataLoader workers without counting the pages they share twice. Run by hand (about 25 min on 2
cores); see tests/bench/README.md.

    /usr/bin/python3 tests/bench/large_project.py build/testing/app/cli/graft-cli [--work DIR] [--json OUT]
"""
import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import threading
import time

CLASSES = 10
IMAGE_SIZE = 256
INPUT_SIZE = 160  # issue 15's input size; Graft resizes the shorter side to 183 and centre-crops
RESIZE = round(256 * INPUT_SIZE / 224)
BATCH = 32
ARCH = "mobilenet_v3_small"


def generate_images(root, count):
    """count 256-px JPEGs in ImageFolder layout: shapes on a background, a class's own kind of shape,
    with mild noise so they compress as photos do (about 20 KB each)."""
    import numpy as np
    from PIL import Image, ImageDraw

    marker = os.path.join(root, f".complete-{count}")
    if os.path.exists(marker):
        return 0.0
    shutil.rmtree(root, ignore_errors=True)
    rng = np.random.default_rng(7)
    started = time.monotonic()
    for c in range(CLASSES):
        os.makedirs(os.path.join(root, f"class{c:02d}"))
    for i in range(count):
        c = i % CLASSES
        image = Image.new("RGB", (IMAGE_SIZE, IMAGE_SIZE), tuple(int(v) for v in rng.integers(0, 256, 3)))
        draw = ImageDraw.Draw(image)
        for _ in range(6):
            x, y = (int(v) for v in rng.integers(0, IMAGE_SIZE - 56, 2))
            w, h = (int(v) for v in rng.integers(20, 120, 2))
            colour = tuple(int(v) for v in rng.integers(0, 256, 3))
            box = [x, y, x + w, y + h]
            if c % 3 == 0:
                draw.ellipse(box, fill=colour)
            elif c % 3 == 1:
                draw.rectangle(box, fill=colour)
            else:
                draw.line(box, fill=colour, width=1 + c)
        pixels = np.asarray(image).astype(np.int16) + rng.integers(-12, 13, (IMAGE_SIZE, IMAGE_SIZE, 3))
        Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)).save(
            os.path.join(root, f"class{c:02d}", f"{i:06d}.jpg"), quality=90)
    open(marker, "w").close()
    return time.monotonic() - started


def subset(root, target, count):
    """The first count images of root, as hard links in an ImageFolder of their own."""
    shutil.rmtree(target, ignore_errors=True)
    for c in sorted(os.listdir(root)):
        if c.startswith("."):
            continue
        os.makedirs(os.path.join(target, c))
        names = sorted(os.listdir(os.path.join(root, c)))[: count // CLASSES]
        for name in names:
            os.link(os.path.join(root, c, name), os.path.join(target, c, name))


def children_of(pid):
    found = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                found.extend(int(child) for child in f.read().split())
    except OSError:
        pass  # gone between readings
    return found


def pss_bytes(pid):
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def measured(command, label):
    """Runs command; returns its wall seconds and the peak PSS of its process tree."""
    started = time.monotonic()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak_tree = 0
    done = threading.Event()

    def watch():
        nonlocal peak_tree
        while not done.is_set():
            tree = [process.pid]
            for pid in tree:  # grows while walked: children, then theirs
                tree.extend(children_of(pid))
            peak_tree = max(peak_tree, sum(pss_bytes(pid) for pid in tree))
            done.wait(1.0)

    watcher = threading.Thread(target=watch)
    watcher.start()
    stdout, stderr = process.communicate()
    done.set()
    watcher.join()
    seconds = time.monotonic() - started
    if process.returncode != 0:
        sys.exit(f"{label} failed ({process.returncode}): {' '.join(command)}\n{stderr[-2000:]}")
    return {"seconds": seconds, "stdout": stdout, "peak_tree_pss_mb": peak_tree / 2**20}


def run_alone(command, label):
    """The measurement in a child of its own: RUSAGE_CHILDREN's ru_maxrss is the largest peak of
    any process it has waited for, so a measurer that waits for one command reads that one's peak."""
    probe = subprocess.run([sys.executable, __file__, "--measure", json.dumps({"command": command, "label": label})],
                           stdout=subprocess.PIPE, text=True, check=True)
    return json.loads(probe.stdout)


def measure_alone(request):
    result = measured(request["command"], request["label"])
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(json.dumps(result))


# ---- PyTorch's side, as a notebook would write it ----

def pytorch_loader(root, shuffle, seed):
    import torch
    import torchvision
    from torchvision import transforms

    transform = transforms.Compose([
        transforms.Resize(RESIZE),
        transforms.CenterCrop(INPUT_SIZE),
        transforms.ToTensor(),
        transforms.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225]),
    ])
    dataset = torchvision.datasets.ImageFolder(root, transform=transform)
    generator = torch.Generator().manual_seed(seed)
    return dataset, torch.utils.data.DataLoader(dataset, batch_size=BATCH, shuffle=shuffle, num_workers=2,
                                                generator=generator)


def pytorch_train(root, steps, threads):
    import torch
    import torchvision

    torch.set_num_threads(threads)
    torch.manual_seed(0)
    dataset, loader = pytorch_loader(root, shuffle=True, seed=0)
    model = torchvision.models.mobilenet_v3_small(num_classes=len(dataset.classes))
    model.train()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    criterion = torch.nn.CrossEntropyLoss()
    done = 0
    while done < steps:
        for images, labels in loader:
            optimizer.zero_grad()
            loss = criterion(model(images), labels)
            loss.backward()
            optimizer.step()
            done += 1
            if done == steps:
                break
    print(json.dumps({"steps": done, "loss": float(loss)}))


def pytorch_eval(root, threads):
    import torch
    import torchvision

    torch.set_num_threads(threads)
    dataset, loader = pytorch_loader(root, shuffle=False, seed=0)
    model = torchvision.models.mobilenet_v3_small(num_classes=len(dataset.classes))
    model.eval()
    correct = 0
    with torch.no_grad():
        for images, labels in loader:
            correct += int((model(images).argmax(1) == labels).sum())
    print(json.dumps({"images": len(dataset), "correct": correct}))


# ---- the driver ----

def graft_json(result):
    return json.loads(result["stdout"].strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("graft_cli", nargs="?")
    parser.add_argument("--work", default="/tmp/graft-w7", help="images and projects (about 500 MB); images are kept for reruns")
    parser.add_argument("--sizes", default="5000,10000,20000")
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--json", help="write every figure here")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    parser.add_argument("--pytorch", nargs=2, metavar=("ROLE", "ROOT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        return measure_alone(json.loads(args.measure))
    if args.pytorch:
        role, root = args.pytorch
        return pytorch_train(root, args.steps, args.threads) if role == "train" else pytorch_eval(root, args.threads)
    if not args.graft_cli:
        parser.error("the path of graft-cli is required")

    cli = os.path.abspath(args.graft_cli)
    sizes = sorted(int(s) for s in args.sizes.split(","))
    work = args.work
    os.makedirs(work, exist_ok=True)
    images = os.path.join(work, "images")
    generated = generate_images(images, sizes[-1])
    report = {"cores": os.cpu_count(), "threads": args.threads, "steps": args.steps, "batch": BATCH, "arch": ARCH,
              "input_size": INPUT_SIZE, "generated_seconds": generated, "sizes": []}
    print(f"W7: {sizes[-1]} JPEGs in {images}" + (f" (generated in {generated:.0f} s)" if generated else ""), file=sys.stderr)

    for size in sizes:
        root = images if size == sizes[-1] else os.path.join(work, f"images-{size}")
        if root != images:
            subset(images, root, size)
        project = os.path.join(work, f"project-{size}.graft")
        for stale in (project, project + "-wal", project + "-shm"):
            if os.path.exists(stale):
                os.remove(stale)
        subprocess.run([cli, "new", project], check=True, stdout=subprocess.DEVNULL)
        imported = run_alone([cli, "import", project, root], "graft import")
        subprocess.run([cli, "split", project, "--val", "0", "--test", "0"], check=True, stdout=subprocess.DEVNULL)
        # --no-bn-recalibration: the notebook loop does not re-estimate BatchNorm statistics either,
        # and doing so is one more pass over every training image.
        train = [cli, "train", project, "--arch", ARCH, "--input-size", str(INPUT_SIZE), "--batch-size", str(BATCH),
                 "--optimizer", "sgd", "--lr", "0.01", "--epochs", "1000", "--max-steps", str(args.steps),
                 "--checkpoint-minutes", "-1", "--no-bn-recalibration", "--json"]
        trained = run_alone(train, "graft train")
        # The same run forced to stream (a 1 MB input budget): every batch read and decoded as needed.
        streamed = run_alone(train + ["--input-memory", "1"], "graft train, streamed")
        run = graft_json(trained)["run"]
        evaluated = run_alone([cli, "eval", project, "--run", str(run), "--split", "train", "--json"], "graft eval")
        reference = [sys.executable, os.path.abspath(__file__), "--steps", str(args.steps), "--threads", str(args.threads), "--pytorch"]
        torch_trained = run_alone(reference + ["train", root], "pytorch train")
        torch_evaluated = run_alone(reference + ["eval", root], "pytorch eval")
        figures = {
            "images": size,
            "import_images_per_s": size / imported["seconds"],
            "import_peak_rss_mb": imported["peak_rss_mb"],
            "graft_train": summary(trained, args.steps * BATCH),
            "graft_train_streamed": summary(streamed, args.steps * BATCH),
            "pytorch_train": summary(torch_trained, args.steps * BATCH),
            "graft_eval": summary(evaluated, size),
            "pytorch_eval": summary(torch_evaluated, size),
        }
        report["sizes"].append(figures)
        print_row(figures)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=1)


def summary(result, images):
    return {"seconds": result["seconds"], "images_per_s": images / result["seconds"], "peak_rss_mb": result["peak_rss_mb"],
            "peak_tree_pss_mb": result["peak_tree_pss_mb"]}


def print_row(f):
    print(f"{f['images']:>6} images  import {f['import_images_per_s']:6.0f} img/s", file=sys.stderr)
    for task, reference in (("train", "train"), ("train_streamed", "train"), ("eval", "eval")):
        g, p = f["graft_" + task], f["pytorch_" + reference]
        print(f"  {task:14}  Graft {g['images_per_s']:6.1f} img/s  RSS {g['peak_rss_mb']:6.0f} MB (tree PSS {g['peak_tree_pss_mb']:5.0f})"
              f"   PyTorch {p['images_per_s']:6.1f} img/s  RSS {p['peak_rss_mb']:6.0f} MB (tree PSS {p['peak_tree_pss_mb']:5.0f})"
              f"   {g['images_per_s'] / p['images_per_s']:.2f}x", file=sys.stderr)


if __name__ == "__main__":
    main()
