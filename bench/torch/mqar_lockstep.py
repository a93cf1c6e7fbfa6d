"""Trains the twin on the library's own numbers: one run's init, batches and learning rates (lockstep_export.mjs).

mqar_twin.py draws its own init and data, so on one seed the two sides can only
agree in outcome, and MQAR's sudden, all-or-nothing learning makes one seed's
outcome partly luck. Here the twin starts from the library's initial params and
trains on the library's batches with the library's learning rate per step, so
its curve must follow the library's run (docs/results/<study>/<run>.seed<s>.jsonl)
up to float32 rounding, which grows over hundreds of steps but does not change
what the run learns. A gap that opens early points at a difference in the math;
an outcome that differs only late points at chaos, not at a bug.

    node bench/torch/lockstep_export.mjs experiments/mqar.json sas-identity 1 900 /tmp/b.safetensors
    /usr/bin/python3 bench/torch/mqar_lockstep.py /tmp/b.safetensors --out docs/results/mqar-lockstep/sas-identity.seed1.jsonl \\
        [--ours docs/results/mqar/sas-identity.seed1.jsonl] [--threads 1] [--steps N] [--float64]

Writes OUT (via OUT.part, renamed at the end): one line per evaluation
(`{"run","seed","step","lr","trainLoss","valLoss","accuracy"}`, trainLoss = mean
over the updates since the previous evaluation, as mqar_twin.py and `sas train`
log it), evaluating every `evalEvery` updates of the run's options and after the
last exported step; then a final line with `"final": true`, the per-update
losses (`"losses"`) and the wall time. With --ours, prints both curves side by
side. Exit 0 on success, 2 on a bad bundle or flags.
"""

import argparse
import json
import os
import statistics
import sys
import time

import torch

from char_gpt import CharGPT, apply_freeze, make_optimizer, train_step
from mqar_twin import evaluate
from safetensors_io import SafetensorsError, read_safetensors


def load_bundle(path):
    """(config, options, params, train ids/targets, eval ids/targets, lr) from a lockstep_export.mjs file."""
    tensors, meta = read_safetensors(path)
    for key in ("config", "options", "run", "seed"):
        if key not in meta:
            raise SafetensorsError(f"{path}: metadata lacks '{key}' (not written by lockstep_export.mjs?)")
    for name in ("train.ids", "train.targets", "eval.ids", "eval.targets", "lr"):
        if name not in tensors:
            raise SafetensorsError(f"{path}: tensor '{name}' missing (not written by lockstep_export.mjs?)")
    params = {k[len("param.") :]: torch.from_numpy(v) for k, v in tensors.items() if k.startswith("param.")}
    as_ids = lambda name: torch.from_numpy(tensors[name]).long()  # noqa: E731 (exact: small integers and -100)
    return {
        "run": meta["run"],
        "seed": int(meta["seed"]),
        "config": json.loads(meta["config"]),
        "options": json.loads(meta["options"]),
        "params": params,
        "train": (as_ids("train.ids"), as_ids("train.targets")),
        "eval": (as_ids("eval.ids"), as_ids("eval.targets")),
        "lr": [float(x) for x in tensors["lr"]],
    }


def train(bundle, out_path, log, steps=None, dtype=torch.float32):
    """Trains over the first `steps` exported batches (default all) in `dtype`, writing the evaluation lines to out_path (.part first).

    float64 gives the run's trajectory free of float32 rounding: the yardstick both float32 sides are measured against.
    """
    o = bundle["options"]
    model = CharGPT(bundle["config"]).to(dtype)
    model.load_state_dict({k: v.to(dtype) for k, v in bundle["params"].items()}, strict=True)
    apply_freeze(model, o["freeze"] or "")
    optimizer = make_optimizer(model, o["lr"], o["weightDecay"])
    ids, targets = bundle["train"]
    ev_ids, ev_targets = bundle["eval"]
    steps = ids.shape[0] if steps is None else min(steps, ids.shape[0])
    started = time.perf_counter()
    losses, since_eval = [], []
    part = out_path + ".part"
    with open(part, "w") as f:
        for step in range(steps):
            lr = bundle["lr"][step]
            loss, _ = train_step(model, optimizer, ids[step], targets[step], lr, o["clip"] if o["clip"] > 0 else None)
            losses.append(loss)
            since_eval.append(loss)
            done = step + 1
            if done % o["evalEvery"] == 0 or done == steps:
                val_loss, accuracy = evaluate(model, ev_ids, ev_targets)
                line = {"run": bundle["run"], "seed": bundle["seed"], "step": done, "lr": lr, "trainLoss": statistics.fmean(since_eval), "valLoss": val_loss, "accuracy": accuracy}
                since_eval = []
                f.write(json.dumps(line) + "\n")
                f.flush()
                log(f"step {done}/{steps}: train {line['trainLoss']:.4f} val {val_loss:.4f} acc {accuracy:.3f}")
        final = {"run": bundle["run"], "seed": bundle["seed"], "final": True, "step": steps, "dtype": str(dtype).replace("torch.", ""), "wallSeconds": round(time.perf_counter() - started, 3), "losses": losses}
        f.write(json.dumps(final) + "\n")
    os.replace(part, out_path)


def print_side_by_side(ours_path, twin_path):
    """The library's evaluations next to the twin's, at the steps both have."""
    read = lambda p: {r["step"]: r for r in map(json.loads, open(p)) if not r.get("final") and "accuracy" in r}  # noqa: E731
    ours, twin = read(ours_path), read(twin_path)
    print(f"{'step':>5}  {'ours train':>10} {'twin train':>10}  {'ours val':>9} {'twin val':>9}  {'ours acc':>8} {'twin acc':>8}")
    for step in sorted(set(ours) & set(twin)):
        a, b = ours[step], twin[step]
        print(f"{step:>5}  {a['trainLoss']:>10.5f} {b['trainLoss']:>10.5f}  {a['valLoss']:>9.5f} {b['valLoss']:>9.5f}  {a['accuracy']:>8.4f} {b['accuracy']:>8.4f}")


def main(argv):
    p = argparse.ArgumentParser(description="Train the PyTorch twin on a run's exported init, batches and learning rates.")
    p.add_argument("bundle")
    p.add_argument("--out", required=True)
    p.add_argument("--ours", help="the library's log of the same run, printed beside the twin's")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--steps", type=int, help="train only the first STEPS exported batches")
    p.add_argument("--float64", action="store_true", help="train in float64 (the rounding-free trajectory)")
    args = p.parse_args(argv)
    for flag, value in (("--threads", args.threads), ("--steps", args.steps)):
        if value is not None and value < 1:
            print(f"mqar_lockstep: {flag}: expected a positive integer, got {value}", file=sys.stderr)
            return 2
    torch.set_num_threads(args.threads)
    try:
        bundle = load_bundle(args.bundle)
    except (OSError, SafetensorsError) as e:
        print(f"mqar_lockstep: {e}", file=sys.stderr)
        return 2
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    log = lambda line: print(f"[{bundle['run']} seed {bundle['seed']}] {line}", flush=True)  # noqa: E731
    train(bundle, args.out, log, args.steps, torch.float64 if args.float64 else torch.float32)
    if args.ours:
        print_side_by_side(args.ours, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
