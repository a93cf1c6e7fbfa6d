"""The PyTorch twin of the MQAR study: trains every run × seed of an MQAR experiment spec with char_gpt.py.

Its results are compared run by run with the library's `pnpm sas experiment
experiments/mqar.json` (issue #14: the same outcome, solved ≥ 90% or not, and mean
accuracies within their seed spread). The twin is independent: its own model,
data generator (mqar.py, numpy PCG64) and optimizer (torch.optim.AdamW).

    /usr/bin/python3 bench/torch/mqar_twin.py SPEC.json [--out DIR] [--runs name,..] [--seeds 1,2]
        [--threads 1] [--force]

For each run × seed: model init seed = data seed = the seed; lr per update from
char_gpt.lr_at (warmup, then cosine to lr·lrFloor); every `evalEvery` updates and
after the last one, an evaluation on the seed's fixed `evalSequences` sequences.
Writes DIR/<run>.seed<seed>.jsonl: one line per evaluation
`{"run","seed","step","wallSeconds","lr","trainLoss","valLoss","accuracy"}` (trainLoss = mean
training loss over the updates since the previous evaluation, valLoss = mean
cross-entropy at the query positions, wallSeconds since the run began, evaluations
included) and a final line `{"run","seed","final":true,"step","params",
"trainableParams","trainLoss","valLoss","accuracy","tokensPerSecond","wallSeconds",
"trainSeconds","mqarValues"}` (tokens/s = batch·3·pairs·steps / training seconds, evaluations
excluded). The file is written as <name>.part and renamed when the run ends, so a
finished file means a finished run: a rerun skips runs that are done (--force
redoes them). Then DIR/summary.json (atomic): per run, the final accuracy of each
seed, mean ± sample std (n−1) over seeds, and solved = mean ≥ 0.9.
`mqarValues: "distinct"` marks runs made since MQAR values became distinct
within a sequence (mqar.py); an out dir holding a finished run without it (values
drawn with replacement, e.g. docs/results/mqar-torch) is refused, not mixed in.
Exit status 0 when every run of the selection has finished, 2 on a bad spec or flags.
"""

import argparse
import json
import os
import platform
import statistics
import sys
import time
from datetime import datetime, timezone

import torch

from char_gpt import build_model, count_params, lm_loss, lr_at, make_optimizer, train_step
from experiment_spec import SpecError, load_spec, model_config
from mqar import TrainSampler, eval_set, recall_accuracy

SOLVED_AT = 0.9
EVAL_CHUNK = 256  # sequences per evaluation forward pass (bounds memory, not results)


def run_file(out_dir, run, seed):
    return os.path.join(out_dir, f"{run}.seed{seed}.jsonl")


@torch.no_grad()
def evaluate(model, ids, targets):
    """(valLoss, accuracy) over the evaluation set, in chunks; the loss is the mean over all query positions."""
    model.eval()
    loss_sum, hits, counted = 0.0, 0.0, 0
    for start in range(0, ids.shape[0], EVAL_CHUNK):
        chunk_ids, chunk_targets = ids[start : start + EVAL_CHUNK], targets[start : start + EVAL_CHUNK]
        logits = model(chunk_ids)
        n = int((chunk_targets != -100).sum())
        loss_sum += float(lm_loss(logits, chunk_targets)) * n
        hits += recall_accuracy(logits, chunk_targets) * n
        counted += n
    model.train()
    return loss_sum / counted, hits / counted


def train_run(name, options, seed, out_path, log):
    """Trains one run × seed, writing its JSON lines to `out_path` (.part first, renamed at the end)."""
    started = time.perf_counter()
    o = options
    model = build_model(model_config(o), seed, o["init"], o["freeze"])
    optimizer = make_optimizer(model, o["lr"], o["weightDecay"])
    ev_ids, ev_targets = eval_set(seed, o["evalSequences"], o["pairs"], o["keys"], o["values"])
    sampler = TrainSampler(seed, o["batch"], o["pairs"], o["keys"], o["values"], exclude=ev_ids)
    part = out_path + ".part"
    train_seconds, since_eval, last = 0.0, [], None
    with open(part, "w") as f:
        for step in range(o["steps"]):
            ids, targets = sampler.next_batch()
            lr = lr_at(step, o["lr"], o["warmup"], o["steps"], o["lrFloor"])
            t0 = time.perf_counter()
            loss, _ = train_step(model, optimizer, ids, targets, lr, o["clip"])
            train_seconds += time.perf_counter() - t0
            if loss != loss:
                raise FloatingPointError(f"run '{name}' seed {seed}: training loss is NaN at update {step + 1}")
            since_eval.append(loss)
            done = step + 1
            if done % o["evalEvery"] == 0 or done == o["steps"]:
                val_loss, accuracy = evaluate(model, ev_ids, ev_targets)
                last = {
                    "run": name,
                    "seed": seed,
                    "step": done,
                    "wallSeconds": round(time.perf_counter() - started, 3),
                    "lr": lr,
                    "trainLoss": statistics.fmean(since_eval),
                    "valLoss": val_loss,
                    "accuracy": accuracy,
                }
                since_eval = []
                f.write(json.dumps(last) + "\n")
                f.flush()
                log(f"{name} seed {seed} step {done}/{o['steps']}: train {last['trainLoss']:.4f} val {val_loss:.4f} acc {accuracy:.3f}")
        final = {
            "run": name,
            "seed": seed,
            "final": True,
            "step": o["steps"],
            "params": count_params(model),
            "trainableParams": count_params(model, trainable_only=True),
            "trainLoss": last["trainLoss"],
            "valLoss": last["valLoss"],
            "accuracy": last["accuracy"],
            "tokensPerSecond": o["batch"] * o["seqLen"] * o["steps"] / train_seconds,
            "wallSeconds": round(time.perf_counter() - started, 3),
            "trainSeconds": round(train_seconds, 3),
            "redrawnTrainSequences": sampler.redrawn,
            "mqarValues": MQAR_VALUES,
        }
        f.write(json.dumps(final) + "\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(part, out_path)
    return final


# The MQAR data of every run this twin writes now (mqar.py: values distinct within a sequence).
MQAR_VALUES = "distinct"


def check_out_dir(out_dir):
    """Refuses an out dir holding a finished run of other MQAR data (values drawn with replacement, before mqar.py changed)."""
    if not os.path.isdir(out_dir):
        return
    for name in sorted(os.listdir(out_dir)):
        final = read_final(os.path.join(out_dir, name)) if name.endswith(".jsonl") else None
        if final and final.get("mqarValues") != MQAR_VALUES:
            raise SpecError(
                f"--out {out_dir}: {name} was trained on MQAR values drawn with replacement (the twin's data before values became "
                "distinct within a sequence); its runs cannot be continued or mixed with new ones: choose another --out"
            )


def read_final(path):
    """The final line of a finished run file, or None if the run has not finished."""
    if not os.path.exists(path):
        return None
    with open(path) as f:
        lines = [json.loads(line) for line in f if line.strip()]
    return lines[-1] if lines and lines[-1].get("final") else None


def summarize(spec, runs, seeds, out_dir, threads):
    """summary.json: per run kind, final accuracy per seed, mean ± sample std, solved = mean ≥ 0.9."""
    kinds = []
    for name, options in runs:
        finals = {seed: read_final(run_file(out_dir, name, seed)) for seed in seeds}
        done = {seed: f for seed, f in finals.items() if f}
        accuracies = [done[s]["accuracy"] for s in seeds if s in done]
        entry = {"run": name, "options": options, "seedsDone": [s for s in seeds if s in done], "seedsMissing": [s for s in seeds if s not in done]}
        if accuracies:
            mean = statistics.fmean(accuracies)
            entry.update(
                accuracies=accuracies,
                accuracyMean=mean,
                accuracyStd=statistics.stdev(accuracies) if len(accuracies) > 1 else 0.0,
                solved=mean >= SOLVED_AT,
                valLossMean=statistics.fmean(done[s]["valLoss"] for s in entry["seedsDone"]),
                params=done[entry["seedsDone"][0]]["params"],
                trainableParams=done[entry["seedsDone"][0]]["trainableParams"],
                tokensPerSecondMean=statistics.fmean(done[s]["tokensPerSecond"] for s in entry["seedsDone"]),
                wallSecondsMean=statistics.fmean(done[s]["wallSeconds"] for s in entry["seedsDone"]),
            )
        kinds.append(entry)
    summary = {
        "spec": spec.get("name"),
        "implementation": f"pytorch {torch.__version__} (bench/torch/mqar_twin.py)",
        "machine": f"{platform.machine()} {platform.processor() or ''}".strip() + f", {os.cpu_count()} cores, {threads} thread(s) per run",
        "written": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "seeds": seeds,
        "solvedAt": SOLVED_AT,
        "std": "sample standard deviation (n-1) over seeds; 0 with one seed",
        "runs": kinds,
    }
    path = os.path.join(out_dir, "summary.json")
    with open(path + ".part", "w") as f:
        json.dump(summary, f, indent=1)
        f.write("\n")
    os.replace(path + ".part", path)
    return summary


def parse_args(argv):
    p = argparse.ArgumentParser(description="PyTorch twin of an MQAR experiment spec.")
    p.add_argument("spec", help="experiment spec (experiments/mqar.json)")
    p.add_argument("--out", default="docs/results/mqar-twin", help="output directory (default docs/results/mqar-twin)")
    p.add_argument("--runs", help="comma-separated run names (default: all)")
    p.add_argument("--seeds", help="comma-separated seeds (default: the spec's)")
    p.add_argument("--threads", type=int, default=1, help="torch threads per run (default 1)")
    p.add_argument("--force", action="store_true", help="rerun runs whose result file is already finished")
    return p.parse_args(argv)


def select(args, spec, runs):
    if args.runs:
        wanted = [r.strip() for r in args.runs.split(",") if r.strip()]
        unknown = [r for r in wanted if r not in dict(runs)]
        if unknown:
            raise SpecError(f"--runs: no run named {unknown[0]!r} in the spec (runs: {', '.join(n for n, _ in runs)})")
        runs = [(n, o) for n, o in runs if n in wanted]
    seeds = spec["seeds"]
    if args.seeds:
        try:
            seeds = [int(s) for s in args.seeds.split(",")]
        except ValueError:
            raise SpecError(f"--seeds: expected comma-separated integers, got {args.seeds!r}") from None
    if args.threads < 1:
        raise SpecError(f"--threads: expected a positive integer, got {args.threads}")
    return runs, seeds


def main(argv):
    args = parse_args(argv)
    try:
        spec, runs = load_spec(args.spec)
        runs, seeds = select(args, spec, runs)
        check_out_dir(args.out)
    except SpecError as e:
        print(f"mqar_twin: {e}", file=sys.stderr)
        return 2
    torch.set_num_threads(args.threads)
    os.makedirs(args.out, exist_ok=True)

    def log(message):
        print(f"[{datetime.now().strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)

    # summary.json always covers the whole spec (its seeds plus any asked for), whatever this invocation selected.
    _, all_runs = load_spec(args.spec)
    all_seeds = spec["seeds"] + [s for s in seeds if s not in spec["seeds"]]
    total = len(runs) * len(seeds)
    # Seed-major order: if an experiment is stopped early, every run kind has its first seeds done.
    for i, (seed, (name, options)) in enumerate(((s, r) for s in seeds for r in runs), start=1):
        path = run_file(args.out, name, seed)
        if not args.force and read_final(path):
            log(f"({i}/{total}) {name} seed {seed}: finished earlier, kept ({path})")
            continue
        log(f"({i}/{total}) {name} seed {seed}: training")
        final = train_run(name, options, seed, path, log)
        log(f"({i}/{total}) {name} seed {seed}: accuracy {final['accuracy']:.3f}, {final['tokensPerSecond']:.0f} tokens/s, {final['wallSeconds']:.0f} s")
        summarize(spec, all_runs, all_seeds, args.out, args.threads)
    summary = summarize(spec, all_runs, all_seeds, args.out, args.threads)
    for entry in summary["runs"]:
        if "accuracyMean" in entry:
            verdict = "solved" if entry["solved"] else "not solved"
            print(f"{entry['run']:<26} accuracy {entry['accuracyMean']:.3f} ± {entry['accuracyStd']:.3f} over seeds {entry['seedsDone']} ({verdict})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
