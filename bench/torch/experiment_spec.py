"""Reads an experiment spec (experiments/*.json, the format shared with the JS `sas experiment` runner).

A spec is `{"name", "task", "seeds": [..], "base": {options}, "runs": [{"name", options}, ..]}`;
a run's options override `base`, and option names are the camelCase of the JS
`sas train` flags (`--sim-heads` → simHeads, `--no-feature-maps` → featureMaps:
false, `--lr-floor` → lrFloor, `--kv-heads` → kvHeads, `--eval-sequences` →
evalSequences, ...). This module validates a spec for the MQAR twin and turns
each run's options into a char_gpt model config. Every problem is one line naming
the run and the option.

Used by mqar_twin.py; as a script it prints each run's resolved options:

    /usr/bin/python3 bench/torch/experiment_spec.py experiments/mqar.json
"""

import json
import sys

from char_gpt import normalize_config

# Options the twin needs in every run (from base or the run itself).
REQUIRED = ("attention", "pairs", "keys", "values", "width", "layers", "heads", "batch", "lr", "warmup", "lrFloor", "weightDecay", "clip", "steps", "evalEvery", "evalSequences")
# Options the twin reads when present.
OPTIONAL = {"simHeads": None, "simHeadDim": None, "kernel": 3, "featureMaps": True, "kvHeads": None, "init": "random", "freeze": "", "seqLen": None}
# Options of the JS runner that do not change the training itself (where it runs, how it reports).
IGNORED = ("backend", "mode", "threads", "evalBatches", "evalTokens", "checkpoint", "log", "seed")
INTEGER = ("pairs", "keys", "values", "width", "layers", "heads", "batch", "warmup", "steps", "evalEvery", "evalSequences", "simHeads", "simHeadDim", "kernel", "kvHeads", "seqLen")
NUMBER = ("lr", "lrFloor", "weightDecay", "clip")


class SpecError(ValueError):
    """A spec that cannot run; the message is one line."""


def _check_value(run, key, value):
    where = f"run '{run}' option '{key}'"
    if key in INTEGER:
        if isinstance(value, bool) or not isinstance(value, int) or value < (0 if key == "warmup" else 1):
            raise SpecError(f"{where}: expected a {'non-negative' if key == 'warmup' else 'positive'} integer, got {value!r}")
    elif key in NUMBER:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0 or value != value or value == float("inf"):
            raise SpecError(f"{where}: expected a finite non-negative number, got {value!r}")
        if key == "lrFloor" and value > 1:
            raise SpecError(f"{where}: expected a ratio of lr in [0, 1], got {value!r}")
    elif key == "featureMaps" and not isinstance(value, bool):
        raise SpecError(f"{where}: expected true or false, got {value!r}")
    elif key == "init" and value not in ("random", "identity"):
        raise SpecError(f"{where}: expected random|identity, got {value!r}")
    elif key == "freeze" and value not in ("", "maps", "qk", "v"):
        raise SpecError(f"{where}: expected maps|qk|v, got {value!r}")


def resolve_runs(spec):
    """Validates `spec` and returns [(name, options)] with base merged into each run and defaults filled in.

    >>> spec = {"name": "t", "task": "mqar", "seeds": [1], "base": dict(pairs=2, keys=4, values=4, width=8, layers=1, heads=2,
    ...   batch=2, lr=0.01, warmup=0, lrFloor=0, weightDecay=0, clip=1, steps=2, evalEvery=1, evalSequences=4),
    ...   "runs": [{"name": "a", "attention": "mqa"}]}
    >>> resolve_runs(spec)[0][1]["attention"], resolve_runs(spec)[0][1]["seqLen"]
    ('mqa', 6)
    """
    if spec.get("task") != "mqar":
        raise SpecError(f"spec '{spec.get('name')}': the PyTorch twin runs task 'mqar' only, this spec has task {spec.get('task')!r}")
    runs = spec.get("runs")
    if not isinstance(runs, list) or not runs:
        raise SpecError(f"spec '{spec.get('name')}': 'runs' must be a non-empty list")
    seen, resolved = set(), []
    for raw in runs:
        name = raw.get("name")
        if not isinstance(name, str) or not name or name in seen or "/" in name:
            raise SpecError(f"spec '{spec.get('name')}': run name {name!r} is missing, repeated or has a '/'")
        seen.add(name)
        options = dict(OPTIONAL)
        options.update(spec.get("base") or {})
        options.update({k: v for k, v in raw.items() if k != "name"})
        for key in list(options):
            if key in IGNORED:
                del options[key]
            elif key not in REQUIRED and key not in OPTIONAL:
                raise SpecError(f"run '{name}': unknown option '{key}'")
            elif options[key] is not None:
                _check_value(name, key, options[key])
        for key in REQUIRED:
            if key not in options:
                raise SpecError(f"run '{name}': missing option '{key}' (set it in base or in the run)")
        seq_len = 3 * options["pairs"]
        if options["seqLen"] not in (None, seq_len):
            raise SpecError(f"run '{name}' option 'seqLen': MQAR sequences are 3·pairs = {seq_len} long, got {options['seqLen']}")
        options["seqLen"] = seq_len
        try:
            normalize_config(model_config(options))
        except ValueError as e:
            raise SpecError(f"run '{name}': {e}") from None
        if options["attention"] != "sas" and (options["init"] != "random" or options["freeze"]):
            raise SpecError(f"run '{name}': init/freeze act on SAS maps, but attention is {options['attention']!r}")
        resolved.append((name, options))
    return resolved


def model_config(options):
    """The char_gpt (MODEL.md) config of one resolved MQAR run: vocab = keys + values, maxSeqLen = 3·pairs."""
    kind = options["attention"]
    attention = {"kind": kind}
    if kind == "sas":
        attention.update(simHeads=options["simHeads"], simHeadDim=options["simHeadDim"], kernelSize=options["kernel"], featureMaps=options["featureMaps"])
    elif options.get("kvHeads") is not None:
        attention["kvHeads"] = options["kvHeads"]
    return {
        "vocab": options["keys"] + options["values"],
        "width": options["width"],
        "layers": options["layers"],
        "heads": options["heads"],
        "maxSeqLen": 3 * options["pairs"],
        "attention": attention,
    }


def load_spec(path):
    """Reads and validates a spec file: (spec dict, [(run name, options)])."""
    try:
        with open(path) as f:
            spec = json.load(f)
    except (OSError, json.JSONDecodeError) as e:
        raise SpecError(f"{path}: cannot read the spec ({e})") from None
    seeds = spec.get("seeds")
    if not isinstance(seeds, list) or not seeds or not all(isinstance(s, int) and not isinstance(s, bool) and s >= 0 for s in seeds):
        raise SpecError(f"{path}: 'seeds' must be a non-empty list of non-negative integers, got {seeds!r}")
    return spec, resolve_runs(spec)


def main(argv):
    if len(argv) != 1:
        print("usage: experiment_spec.py SPEC.json", file=sys.stderr)
        return 2
    try:
        spec, runs = load_spec(argv[0])
    except SpecError as e:
        print(f"experiment_spec: {e}", file=sys.stderr)
        return 2
    print(f"{spec.get('name')}: {len(runs)} runs x seeds {spec['seeds']}")
    for name, options in runs:
        print(f"{name}: {json.dumps(options, sort_keys=True)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
