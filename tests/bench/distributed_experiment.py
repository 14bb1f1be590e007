#!/usr/bin/env python3
"""Experiment throughput with one process and with two (`experiment run --distributed`, Gloo on
localhost), and a model of 8-64 nodes built from what these runs measured: the time a trial
trains, the work rank 0 does for every trial (inputs, records, held-out evaluation) and the bytes
each trial sends over the group.

    tests/bench/distributed_experiment.py [--cli build/testing/app/cli/graft-cli] [--seeds 4]
"""
import argparse
import json
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import tempfile
import time

SPEC = {
    "name": "distributed bench", "budgets": [10], "baseline": "scratch",
    "arms": [
        {"name": "fine-tune", "train": {"arch": "tinynet", "init": "builtin:tinynet-fmnist", "newHead": True,
                                        "learningRate": 0.001, "schedule": "constant", "batchSize": 32, "epochs": 20,
                                        "minImagesSeen": 2000}},
        {"name": "scratch", "train": {"arch": "tinynet", "learningRate": 0.001, "schedule": "constant", "batchSize": 32,
                                      "epochs": 20, "minImagesSeen": 2000}},
        {"name": "probe", "train": {"arch": "tinynet", "init": "builtin:tinynet-fmnist", "newHead": True, "freeze": "probe",
                                    "learningRate": 0.01, "schedule": "constant", "batchSize": 32, "epochs": 20,
                                    "minImagesSeen": 2000}}]}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def trial_seconds(project):
    """Per trial: seconds inside the trainer (its epochs, validation included)."""
    db = sqlite3.connect(project)
    rows = db.execute("SELECT r.id, SUM(m.value) FROM runs r JOIN metrics m ON m.run_id = r.id "
                      "WHERE r.experiment_id IS NOT NULL AND m.name = 'epoch_seconds' GROUP BY r.id").fetchall()
    return [seconds for _, seconds in rows]


def run_experiment(cli, project, spec, ranks, folder):
    started = time.monotonic()
    if ranks == 1:
        subprocess.run([cli, "experiment", "run", project, spec], check=True, stdout=subprocess.DEVNULL)
        return time.monotonic() - started, 0
    port = str(free_port())
    processes = []
    for rank in range(ranks):
        env = dict(os.environ, MASTER_ADDR="127.0.0.1", MASTER_PORT=port, RANK=str(rank), WORLD_SIZE=str(ranks))
        out = open(os.path.join(folder, f"rank{rank}.txt"), "w")
        processes.append(subprocess.Popen([cli, "experiment", "run", project, spec, "--distributed"], env=env, stdout=out,
                                          stderr=subprocess.STDOUT))
    for process in processes:
        if process.wait() != 0:
            raise SystemExit(f"a rank failed: see {folder}")
    seconds = time.monotonic() - started
    text = open(os.path.join(folder, "rank0.txt")).read()
    sent, received = re.search(r"sent ([\d.]+) MB to the other ranks and received ([\d.]+) MB", text).groups()
    return seconds, (float(sent) + float(received)) * 1e6


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cli", default="build/testing/app/cli/graft-cli")
    parser.add_argument("--seeds", type=int, default=4)
    parser.add_argument("--link-gbit", type=float, default=10.0, help="the model's network link per node")
    args = parser.parse_args()
    cli = os.path.abspath(args.cli)
    folder = tempfile.mkdtemp(prefix="graft-distributed-bench-")
    base = os.path.join(folder, "base.graft")
    subprocess.run([cli, "demo", "--out", base], check=True, stdout=subprocess.DEVNULL)
    spec = os.path.join(folder, "spec.json")
    with open(spec, "w") as file:
        json.dump(dict(SPEC, seeds=args.seeds), file)
    trials = args.seeds * len(SPEC["arms"]) * len(SPEC["budgets"])

    results = {}
    for ranks in (1, 2):
        project = os.path.join(folder, f"ranks{ranks}.graft")
        shutil.copy(base, project)
        seconds, volume = run_experiment(cli, project, spec, ranks, folder)
        trained = trial_seconds(project)
        results[ranks] = {"seconds": seconds, "bytes": volume, "trainer": sum(trained) / len(trained)}
        print(f"{ranks} process(es): {trials} trials in {seconds:.1f} s, {60 * trials / seconds:.1f} trials/min; "
              f"trainer {results[ranks]['trainer']:.2f} s per trial" +
              (f"; {volume / trials / 1e6:.2f} MB over the group per trial" if volume else ""))
    print(f"speed-up with 2 processes: {results[1]['seconds'] / results[2]['seconds']:.2f}x")

    # The model. A trial's wall time on one process is its trainer time plus what rank 0 does for
    # it (reading inputs, recording, held-out evaluation): measured on the single process.
    one = results[1]
    train = one["trainer"]
    master = one["seconds"] / trials - train
    per_trial_bytes = results[2]["bytes"] / trials
    link = args.link_gbit * 1e9 / 8
    print(f"\nModel, from these figures: trainer {train:.2f} s and rank-0 work {master:.2f} s per trial (one node's cores), "
          f"{per_trial_bytes / 1e6:.2f} MB per trial over a {args.link_gbit:g} Gbit/s link; an experiment of many trials")
    print(f"{'nodes':>6} {'trials/min':>11} {'speed-up':>9}  bottleneck")
    for nodes in (1, 2, 8, 16, 32, 64):
        workers = max(nodes - 1, 1)
        limits = {"the workers' training": workers / (train + per_trial_bytes / link),
                  "rank 0's work per trial": 1 / master if master > 0 else float("inf"),
                  "rank 0's link": link / per_trial_bytes if per_trial_bytes else float("inf")}
        if nodes == 1:
            limits = {"one process": 1 / (train + master)}
        bottleneck = min(limits, key=limits.get)
        rate = limits[bottleneck]
        print(f"{nodes:>6} {60 * rate:>11.1f} {rate * (train + master):>8.1f}x  {bottleneck}")
    shutil.rmtree(folder)


if __name__ == "__main__":
    main()
