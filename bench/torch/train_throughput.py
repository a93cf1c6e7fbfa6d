"""Training tokens/s of the char GPT in PyTorch (CPU, float32): the peer row of the library's training benchmark.

One timed step = forward + backward + global-norm clipping + AdamW update on a
batch of random ids (vocab 84 by default), exactly the step of char_gpt.py.
`--warmup` untimed steps first, then `--steps` timed ones; reports the median
step time and tokens/s = batch·seqLen / median step seconds.

The JS benchmark (`pnpm bench`) spawns this script side by side with the library,
so this CLI is kept stable (add flags, never rename them):

    /usr/bin/python3 bench/torch/train_throughput.py [--attention sas|mha|gqa|mqa] [--steps 20] [--warmup 3]
        [--threads N (default: all cores)] [--blas-threads N (default 1)] [--width 128] [--layers 2] [--heads 4] [--seq-len 128] [--batch 16]
        [--sim-heads 8] [--sim-head-dim 64] [--kernel 3] [--kv-heads N] [--vocab 84] [--seed 0] [--json]

--json prints exactly one JSON object on stdout (fields: see README.md); errors are
one line on stderr with exit status 2.
"""

import argparse
import ctypes
import json
import os
import statistics
import sys
import time

import torch

from char_gpt import build_model, count_params, make_optimizer, train_step


def _int_at_least(minimum, what):
    def parse(text):
        if not text.isdigit() or int(text) < minimum:
            raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}")
        return int(text)

    return parse


positive_int = _int_at_least(1, "a positive integer")
non_negative_int = _int_at_least(0, "a non-negative integer")


def parse_args(argv):
    p = argparse.ArgumentParser(description="Training tokens/s of the char GPT in PyTorch (CPU, float32).")
    p.add_argument("--attention", choices=("sas", "mha", "gqa", "mqa"), default="sas")
    p.add_argument("--steps", type=positive_int, default=20, help="timed steps (default 20)")
    p.add_argument("--warmup", type=non_negative_int, default=3, help="untimed steps first (default 3)")
    p.add_argument("--threads", type=positive_int, default=os.cpu_count() or 1, help="torch.set_num_threads (default: all cores)")
    p.add_argument("--blas-threads", type=positive_int, default=1, help="OpenBLAS's own pool (default 1: torch's pool does the parallel work)")
    p.add_argument("--width", type=positive_int, default=128)
    p.add_argument("--layers", type=positive_int, default=2)
    p.add_argument("--heads", type=positive_int, default=4)
    p.add_argument("--seq-len", type=positive_int, default=128)
    p.add_argument("--batch", type=positive_int, default=16)
    p.add_argument("--sim-heads", type=positive_int, default=8, help="H' (sas)")
    p.add_argument("--sim-head-dim", type=positive_int, default=64, help="D' (sas)")
    p.add_argument("--kernel", type=positive_int, default=3, help="head-axis conv kernel (sas, odd)")
    p.add_argument("--kv-heads", type=positive_int, help="key/value heads (gqa; mha: heads, mqa: 1)")
    p.add_argument("--vocab", type=positive_int, default=84)
    p.add_argument("--seed", type=non_negative_int, default=0)
    p.add_argument("--json", action="store_true", help="print one JSON object")
    return p.parse_args(argv)


def model_config(args):
    attention = {"kind": args.attention}
    if args.attention == "sas":
        attention.update(simHeads=args.sim_heads, simHeadDim=args.sim_head_dim, kernelSize=args.kernel, featureMaps=True)
    elif args.kv_heads is not None:
        attention["kvHeads"] = args.kv_heads
    elif args.attention == "gqa":
        attention["kvHeads"] = max(1, args.heads // 2)
    return {"vocab": args.vocab, "width": args.width, "layers": args.layers, "heads": args.heads, "maxSeqLen": args.seq_len, "attention": attention}


def mapped_libraries():
    """Paths of the shared libraries this process has mapped (after a product ran), from /proc/self/maps."""
    torch.ones(8, 8) @ torch.ones(8, 8)
    try:
        with open("/proc/self/maps") as maps:
            return {line.split()[-1] for line in maps if ".so" in line}
    except OSError:
        return set()


def loaded_blas():
    """The BLAS library this process has loaded: "openblas", "mkl", "reference" or "unknown".

    Debian's python3-torch calls whatever `libblas.so.3` points to: OpenBLAS when
    `libopenblas0-pthread` is installed, else the reference (netlib) BLAS, whose
    training step here is 6-8x slower. The result records which one ran.
    """
    paths = mapped_libraries()
    if not paths:
        return "unknown"
    joined = " ".join(paths)
    if "openblas" in joined:
        return "openblas"
    if "libmkl" in joined:
        return "mkl"
    if any("/blas/libblas.so" in p for p in paths):
        return "reference"
    return "unknown"


def set_blas_threads(threads):
    """Sizes OpenBLAS's own thread pool; returns its thread count after, or None for a BLAS without one.

    torch.set_num_threads sizes torch's pool only: OpenBLAS (pthread build) keeps one
    of its own, as many threads as cores unless told otherwise. Left so, "one thread"
    ran every product on all cores (2026-12-06: user + sys time 1.7-1.8x the wall
    time), and two torch threads with two BLAS threads oversubscribed two cores (the
    SAS step 560-640 ms, against 200-300 ms with one BLAS thread). Hence one BLAS
    thread by default: torch's pool does the parallel work.
    """
    for path in mapped_libraries():
        if "openblas" in os.path.basename(path):
            lib = ctypes.CDLL(path)
            lib.openblas_set_num_threads(threads)
            return lib.openblas_get_num_threads()
    return None


def measure(args):
    torch.set_num_threads(args.threads)
    blas = loaded_blas()
    blas_threads = set_blas_threads(args.blas_threads)
    if blas == "reference":
        print(
            "train_throughput: warning: PyTorch runs on the reference (netlib) BLAS; install libopenblas0-pthread for its real speed",
            file=sys.stderr,
        )
    model = build_model(model_config(args), args.seed)
    optimizer = make_optimizer(model, 1e-3, 0.01)
    gen = torch.Generator().manual_seed(args.seed)
    ids = torch.randint(0, args.vocab, (args.batch, args.seq_len), generator=gen)
    targets = torch.randint(0, args.vocab, (args.batch, args.seq_len), generator=gen)
    for _ in range(args.warmup):
        train_step(model, optimizer, ids, targets, 1e-3, 1.0)
    times = []
    for _ in range(args.steps):
        start = time.perf_counter()
        loss, _ = train_step(model, optimizer, ids, targets, 1e-3, 1.0)
        times.append(time.perf_counter() - start)
    median = statistics.median(times)
    tokens = args.batch * args.seq_len
    return {
        "impl": "pytorch",
        "torch": torch.__version__,
        "blas": blas,
        "attention": args.attention,
        "model": model.config,
        "params": count_params(model),
        "batch": args.batch,
        "seqLen": args.seq_len,
        "threads": torch.get_num_threads(),
        "blasThreads": blas_threads,
        "warmup": args.warmup,
        "steps": args.steps,
        "medianStepMs": median * 1e3,
        "meanStepMs": statistics.fmean(times) * 1e3,
        "minStepMs": min(times) * 1e3,
        "tokensPerSecond": tokens / median,
        "finalLoss": loss,
    }


def main(argv):
    args = parse_args(argv)
    try:
        result = measure(args)
    except ValueError as e:
        print(f"train_throughput: {e}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(result))
    else:
        print(
            f"pytorch {result['torch']} ({result['blas']} BLAS) {args.attention} width {args.width} layers {args.layers} heads {args.heads} T {args.seq_len} batch {args.batch}"
            f" threads {result['threads']}: median step {result['medianStepMs']:.1f} ms, {result['tokensPerSecond']:.0f} tokens/s"
            f" ({args.steps} timed steps after {args.warmup} warmup; params {result['params']})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
