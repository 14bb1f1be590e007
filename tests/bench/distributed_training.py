#!/usr/bin/python3
"""One data-parallel run (`train --distributed`, Gloo on localhost) against one process on the
same project, and a model of 2-64 nodes built from what the single process measured: seconds per
epoch in training steps, in the BatchNorm recalibration pass and in validation (rank 0's alone;
the run records both as metrics), and the bytes each step sums over the group.

    /usr/bin/python3 tests/bench/distributed_training.py [--cli build/testing/app/cli/graft-cli]
        [--images 2000] [--work /tmp/graft-dp-bench]

MobileNetV3-Small at 96 px, batch 32, one epoch of a full fine-tune from random weights on W7's
generated JPEGs (tests/bench/large_project.py), 10 % of them validated. About 2 min on 2 cores.
"""
import argparse
import os
import socket
import sqlite3
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from large_project import generate_images  # noqa: E402

ARCH = "mobilenet_v3_small"
TRAIN = ["--arch", ARCH, "--input-size", "96", "--batch-size", "32", "--epochs", "1", "--seed", "1"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def epoch_timings(project):
    """The newest run's epoch seconds, and the recalibration's and validation's of them, as its rank 0
    recorded them."""
    db = sqlite3.connect(project)
    rows = dict(db.execute("SELECT name, value FROM metrics WHERE name LIKE '%seconds' AND run_id = "
                           "(SELECT MAX(id) FROM runs)").fetchall())
    return rows["epoch_seconds"], rows["recalibration_seconds"], rows["validation_seconds"]


def train(cli, project, ranks):
    command = [cli, "train", project, *TRAIN]
    if ranks == 1:
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        return epoch_timings(project)
    port = str(free_port())
    processes = [subprocess.Popen(command + ["--distributed"], stdout=subprocess.DEVNULL,
                                  env=dict(os.environ, MASTER_ADDR="127.0.0.1", MASTER_PORT=port, RANK=str(rank),
                                           WORLD_SIZE=str(ranks)))
                 for rank in range(ranks)]
    if any(process.wait() != 0 for process in processes):
        raise SystemExit("a rank failed")
    return epoch_timings(project)


def remove(project):
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(project + suffix):
            os.remove(project + suffix)


def gradient_bytes():
    """What each step sums: the fine-tuned model's float32 parameters (torchvision's architecture)."""
    import torchvision
    model = torchvision.models.mobilenet_v3_small(num_classes=10)
    return 4 * sum(parameter.numel() for parameter in model.parameters())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cli", default="build/testing/app/cli/graft-cli")
    parser.add_argument("--images", type=int, default=2000)
    parser.add_argument("--work", default="/tmp/graft-dp-bench")
    parser.add_argument("--link-gbit", type=float, default=10.0, help="the model's network link per node")
    parser.add_argument("--global-batch", type=int, default=256, help="the model's global batch")
    args = parser.parse_args()
    cli = os.path.abspath(args.cli)
    images = os.path.join(args.work, "images")
    generate_images(images, args.images)

    project = os.path.join(args.work, "bench.graft")
    remove(project)
    subprocess.run([cli, "new", project], check=True, stdout=subprocess.DEVNULL)
    subprocess.run([cli, "import", project, images], check=True, stdout=subprocess.DEVNULL)
    subprocess.run([cli, "split", project, "--val", "0.1", "--test", "0"], check=True, stdout=subprocess.DEVNULL)
    trained = round(args.images * 0.9)

    print(f"one epoch of {trained} images, {ARCH} at 96 px, batch 32, validating {args.images - trained}; "
          f"seconds as rank 0 recorded them:")
    timings = {}
    for ranks in (1, 2):
        timings[ranks] = epoch, recalibration, validation = train(cli, project, ranks)
        print(f"  {ranks} process(es): epoch {epoch:.1f} s: steps {epoch - recalibration - validation:.1f}, "
              f"BatchNorm recalibration {recalibration:.1f}, validation {validation:.1f}")
    whole, recalibration, validation = timings[1]
    steps_only = whole - recalibration - validation
    print(f"  2 processes sharing this machine's cores: {whole / timings[2][0]:.2f}x one process")

    # The model: one rank per node, each node like this one. The steps and the recalibration pass
    # divide over the ranks; validation stays on rank 0; each step sums the gradients with a ring
    # allreduce, 2 (W - 1) / W of them over each node's link (latency left out).
    volume = gradient_bytes()
    link = args.link_gbit * 1e9 / 8
    steps = trained / args.global_batch
    print(f"\nModel: {volume / 1e6:.1f} MB of gradients per step, a {args.link_gbit:g} Gbit/s link, global batch "
          f"{args.global_batch} ({steps:.1f} steps an epoch of these images); seconds per epoch and speed-up")
    print(f"{'nodes':>6} {'epoch s':>8} {'speed-up':>9} {'communication s':>16} {'recalibrating on every rank':>28}")
    for nodes in (1, 2, 4, 8, 16, 32, 64):
        communication = steps * 2 * (nodes - 1) / nodes * volume / link
        epoch = (steps_only + recalibration) / nodes + validation + communication
        unshared = steps_only / nodes + recalibration + validation + communication
        print(f"{nodes:>6} {epoch:>8.2f} {whole / epoch:>8.1f}x {communication:>16.2f} {whole / unshared:>27.1f}x")
    remove(project)


if __name__ == "__main__":
    main()
