"""Proves char_gpt.py is MODEL.md-exact against the float64 model fixtures.

For every case of DIR/manifest.json (default /work/shared/models; any directory
in that layout works): loads `param.*` into the model (names must map 1:1),
checks the `frozen` list and, for `init: identity`, that identity_init_ gives the
fixture's map values; then in float64 computes logits, loss, every trainable
gradient, grad_norm, the params after step 1 and step 2 (AdamW + clipping on the
same batch) and loss_after_step1, and reports the max abs error per tensor group
(with --per-tensor: per tensor). Then every generation fixture in DIR/generation/
(a JSON record naming an F32 checkpoint): greedy continuation of the prompt must
equal `greedy` and the prompt's last logits must equal `promptLastLogits`.

Exit status 0 when every error is within 1e-9 (--tol), 1 on any mismatch, 2 on
bad usage or unreadable fixtures.

    /usr/bin/python3 bench/torch/check_fixtures.py [DIR] [--per-tensor] [--tol 1e-9]
"""

import argparse
import json
import os
import sys

import numpy as np
import torch

from char_gpt import CharGPT, apply_freeze, identity_init_, make_optimizer, train_step
from safetensors_io import read_safetensors


class Report:
    """Collects max abs errors per tensor and prints them per group (or per tensor)."""

    def __init__(self, tol, per_tensor):
        self.tol, self.per_tensor = tol, per_tensor
        self.failures = 0
        self.groups = {}

    def compare(self, group, name, actual, expected):
        actual = np.asarray(actual, dtype=np.float64)
        expected = np.asarray(expected, dtype=np.float64)
        if actual.shape != expected.shape:
            self.fail(f"{name}: shape {list(actual.shape)}, fixture has {list(expected.shape)}")
            return
        err = float(np.max(np.abs(actual - expected))) if actual.size else 0.0
        if not np.isfinite(err):
            err = float("inf")
        self.groups.setdefault(group, []).append((name, err))
        if err > self.tol:
            self.failures += 1

    def fail(self, message):
        print(f"  MISMATCH {message}")
        self.failures += 1

    def flush(self):
        for group, entries in self.groups.items():
            if self.per_tensor:
                for name, err in entries:
                    print(f"  {name:<48} {err:.3e}{'  MISMATCH' if err > self.tol else ''}")
            else:
                worst_name, worst = max(entries, key=lambda e: e[1])
                flag = "  MISMATCH" if worst > self.tol else ""
                where = f" (worst {worst_name})" if len(entries) > 1 else ""
                print(f"  {group:<18} {len(entries):>4} tensor(s)  max abs err {worst:.3e}{where}{flag}")
        self.groups = {}


def _to_tensor(array):
    return torch.from_numpy(np.ascontiguousarray(array, dtype=np.float64))


def check_case(case, directory, report):
    tensors, _ = read_safetensors(os.path.join(directory, case["file"]))
    model = CharGPT(case["model"]).double()
    params = {k[len("param.") :]: v for k, v in tensors.items() if k.startswith("param.")}
    own = dict(model.named_parameters())
    missing, unexpected = sorted(set(own) - set(params)), sorted(set(params) - set(own))
    if missing or unexpected:
        report.fail(f"parameter names: model lacks {unexpected[:3]}, fixture lacks {missing[:3]}")
        return
    if case.get("init") == "identity":
        identity_init_(model)
        for name, p in own.items():
            if ".sas_" in name:
                report.compare("identity init", name, p.detach().numpy(), params[name])
    model.load_state_dict({k: _to_tensor(v) for k, v in params.items()}, strict=True)
    frozen = apply_freeze(model, case.get("freeze", ""))
    if frozen != sorted(case.get("frozen", [])):
        report.fail(f"frozen set {case.get('freeze')!r}: model freezes {len(frozen)} params, manifest lists {len(case.get('frozen', []))}")
    trainable = [name for name, p in model.named_parameters() if p.requires_grad]
    fixture_grads = sorted(k[len("grad.") :] for k in tensors if k.startswith("grad."))
    if fixture_grads != sorted(trainable):
        report.fail(f"gradients: fixture has {len(fixture_grads)} grad.* tensors, model trains {len(trainable)} params")

    ids = torch.from_numpy(tensors["input.ids"].astype(np.int64))
    targets = torch.from_numpy(tensors["input.targets"].astype(np.int64))
    opt = case["optimizer"]
    optimizer = make_optimizer(model, opt["lr"], opt["weightDecay"], (opt["beta1"], opt["beta2"]), opt["eps"])

    def observe_first(logits, loss):
        report.compare("logits", "logits", logits.detach().numpy(), tensors["logits"])
        report.compare("loss", "loss", loss.detach().numpy(), tensors["loss"])
        for name, p in model.named_parameters():
            if p.requires_grad and f"grad.{name}" in tensors:
                report.compare("grad.*", f"grad.{name}", p.grad.numpy(), tensors[f"grad.{name}"])

    _, norm = train_step(model, optimizer, ids, targets, opt["lr"], opt["clipNorm"], observe_first)
    report.compare("grad_norm", "grad_norm", norm, tensors["grad_norm"])
    _compare_params(model, tensors, "step1", report)
    loss_after, _ = train_step(model, optimizer, ids, targets, opt["lr"], opt["clipNorm"])
    report.compare("loss_after_step1", "loss_after_step1", loss_after, tensors["loss_after_step1"])
    _compare_params(model, tensors, "step2", report)


def _compare_params(model, tensors, prefix, report):
    names = [k for k in tensors if k.startswith(prefix + ".")]
    if not names:
        report.fail(f"fixture has no {prefix}.* tensors")
    own = dict(model.named_parameters())
    for key in names:
        name = key[len(prefix) + 1 :]
        if name not in own:
            report.fail(f"{key}: no such parameter in the model")
            continue
        report.compare(f"{prefix}.*", key, own[name].detach().numpy(), tensors[key])


@torch.no_grad()
def check_generation(record, directory, report):
    tensors, metadata = read_safetensors(os.path.join(directory, record["file"]))
    config = json.loads(metadata["model"]) if "model" in metadata else record["model"]
    vocab = json.loads(metadata["vocab"]) if "vocab" in metadata else record["vocab"]
    if vocab != record["vocab"]:
        report.fail("checkpoint metadata vocab differs from the JSON record's")
    model = CharGPT(config)
    model.load_state_dict({k: torch.from_numpy(v) for k, v in tensors.items()}, strict=True)
    model = model.double()  # F32 weights, computed in float64 as the fixture was
    index = {ch: i for i, ch in enumerate(vocab)}
    ids = [index[ch] for ch in record["prompt"]]
    out, min_margin = [], float("inf")
    for step in range(record["newTokens"]):
        window = torch.tensor([ids[-config["maxSeqLen"] :]])
        last = model(window)[0, -1]
        if step == 0:
            report.compare("promptLastLogits", "promptLastLogits", last.numpy(), np.array(record["promptLastLogits"]))
        top2 = torch.topk(last, 2).values
        min_margin = min(min_margin, float(top2[0] - top2[1]))
        nxt = int(torch.argmax(last))
        ids.append(nxt)
        out.append(vocab[nxt])
    greedy = "".join(out)
    agree = next((i for i, (a, b) in enumerate(zip(greedy, record["greedy"])) if a != b), None)
    if greedy != record["greedy"]:
        report.fail(f"greedy continuation differs from character {agree}: got {greedy!r}")
    else:
        print(f"  greedy            {len(greedy)} characters equal the fixture's (min top-1 margin {min_margin:.6f}, fixture {record.get('minMargin', float('nan')):.6f})")


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", nargs="?", default="/work/shared/models", help="fixture directory (manifest.json + files)")
    parser.add_argument("--tol", type=float, default=1e-9, help="max abs error allowed per element (default 1e-9)")
    parser.add_argument("--per-tensor", action="store_true", help="print every tensor's max abs error")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    manifest_path = os.path.join(args.directory, "manifest.json")
    try:
        with open(manifest_path) as f:
            cases = json.load(f).get("cases", [])
    except (OSError, json.JSONDecodeError) as e:
        print(f"check_fixtures: cannot read {manifest_path}: {e}", file=sys.stderr)
        return 2
    if not cases:
        print(f"check_fixtures: {manifest_path} lists no cases, nothing to check", file=sys.stderr)
        return 1
    report = Report(args.tol, args.per_tensor)
    for case in cases:
        print(f"{case['name']} ({case['model']['attention']['kind']}, init {case.get('init', 'random')}, freeze {case.get('freeze') or '-'})")
        check_case(case, args.directory, report)
        report.flush()
    gen_dir = os.path.join(args.directory, "generation")
    records = sorted(f for f in os.listdir(gen_dir) if f.endswith(".json")) if os.path.isdir(gen_dir) else []
    for name in records:
        with open(os.path.join(gen_dir, name)) as f:
            record = json.load(f)
        print(f"generation/{name}")
        check_generation(record, gen_dir, report)
        report.flush()
    if not records:
        print(f"(no generation fixture under {gen_dir})")
    verdict = "OK" if report.failures == 0 else f"{report.failures} MISMATCH(ES)"
    print(f"{len(cases)} case(s), {len(records)} generation fixture(s): {verdict} at tolerance {args.tol:g}")
    return 0 if report.failures == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
