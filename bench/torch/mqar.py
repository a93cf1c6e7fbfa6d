"""Multi-query associative recall (MQAR) data for the PyTorch twin of the MQAR study (issue #13's definition).

A sequence holds N key-value pairs over disjoint vocabularies (keys are ids
0..K−1, distinct within a sequence; values K..K+V−1, also distinct within a
sequence, as in Zoology's MQAR and `@sas/data`'s), then the N keys again in
shuffled order: ids = k1 v1 k2 v2 … kN vN q1 … qN (length 3N).
Targets are the value of the key at each query position and −100 elsewhere, so
the model must recall, at the position of a repeated key, the value that
followed it. Accuracy = fraction of query positions whose argmax is the target.

Seeded and deterministic (numpy PCG64): the training stream of seed s is
SeedSequence([s, 0]); the evaluation set of seed s is a fixed set drawn from
SeedSequence([s, 1]), and the training stream redraws any sequence equal to one
of it, so training never sees an evaluation sequence.

Used by mqar_twin.py. As a script it prints one batch:

    /usr/bin/python3 bench/torch/mqar.py --pairs 4 --keys 8 --values 8 --batch 2 --seed 1
"""

import argparse
import sys

import numpy as np
import torch

IGNORE_INDEX = -100
TRAIN_STREAM, EVAL_STREAM = 0, 1


def check_task(pairs, keys, values):
    """Validates the task sizes; one-line ValueError naming the field."""
    for name, v in (("pairs", pairs), ("keys", keys), ("values", values)):
        if isinstance(v, bool) or not isinstance(v, int) or v < 1:
            raise ValueError(f"mqar '{name}': expected a positive integer, got {v!r}")
    if pairs > keys:
        raise ValueError(f"mqar 'pairs': {pairs} pairs need {pairs} distinct keys, but 'keys' is {keys}")
    if pairs > values:
        raise ValueError(f"mqar 'pairs': {pairs} pairs need {pairs} distinct values, but 'values' is {values}")


def draw_sequences(rng, count, pairs, keys, values):
    """`count` MQAR sequences from `rng` (a numpy Generator): (ids, targets), int64 arrays [count, 3·pairs].

    >>> ids, targets = draw_sequences(np.random.default_rng(0), 1, 2, 4, 4)
    >>> ids.shape, [int(t) for t in targets[0, :4]]
    ((1, 6), [-100, -100, -100, -100])
    """
    check_task(pairs, keys, values)
    key_ids = rng.random((count, keys)).argsort(axis=1)[:, :pairs]  # distinct keys per row
    value_ids = keys + rng.random((count, values)).argsort(axis=1)[:, :pairs]  # distinct values per row
    order = rng.random((count, pairs)).argsort(axis=1)
    rows = np.arange(count)[:, None]
    ids = np.empty((count, 3 * pairs), dtype=np.int64)
    ids[:, 0 : 2 * pairs : 2] = key_ids
    ids[:, 1 : 2 * pairs : 2] = value_ids
    ids[:, 2 * pairs :] = key_ids[rows, order]
    targets = np.full((count, 3 * pairs), IGNORE_INDEX, dtype=np.int64)
    targets[:, 2 * pairs :] = value_ids[rows, order]
    return ids, targets


def eval_set(seed, count, pairs, keys, values):
    """The fixed evaluation set of `seed`: `count` sequences from its own stream, as torch tensors."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, EVAL_STREAM]))
    ids, targets = draw_sequences(rng, count, pairs, keys, values)
    return torch.from_numpy(ids), torch.from_numpy(targets)


class TrainSampler:
    """Training batches of `seed`, never equal to a sequence of `exclude` (ids tensor [n, 3·pairs]).

    >>> ev_ids, _ = eval_set(1, 8, 2, 4, 4)
    >>> ids, targets = TrainSampler(1, 3, 2, 4, 4, exclude=ev_ids).next_batch()
    >>> tuple(ids.shape), int((targets != -100).sum())
    ((3, 6), 6)
    """

    def __init__(self, seed, batch, pairs, keys, values, exclude=None):
        check_task(pairs, keys, values)
        self.batch, self.pairs, self.keys, self.values = batch, pairs, keys, values
        self.rng = np.random.default_rng(np.random.SeedSequence([seed, TRAIN_STREAM]))
        self.excluded = set() if exclude is None else {row.tobytes() for row in exclude.numpy()}
        self.redrawn = 0

    def next_batch(self):
        ids, targets = draw_sequences(self.rng, self.batch, self.pairs, self.keys, self.values)
        for i in range(self.batch):
            while ids[i].tobytes() in self.excluded:
                self.redrawn += 1
                one_ids, one_targets = draw_sequences(self.rng, 1, self.pairs, self.keys, self.values)
                ids[i], targets[i] = one_ids[0], one_targets[0]
        return torch.from_numpy(ids), torch.from_numpy(targets)


def recall_accuracy(logits, targets):
    """Fraction of counted (non −100) positions whose argmax over the vocabulary equals the target.

    >>> recall_accuracy(torch.tensor([[[0.0, 1.0], [1.0, 0.0], [5.0, 0.0]]]), torch.tensor([[1, 1, -100]]))
    0.5
    """
    counted = targets != IGNORE_INDEX
    hits = (logits.argmax(dim=-1) == targets) & counted
    return float(hits.sum()) / float(counted.sum())


def main(argv):
    p = argparse.ArgumentParser(description="Print one MQAR batch.")
    for name, default in (("pairs", 4), ("keys", 8), ("values", 8), ("batch", 2), ("seed", 1)):
        p.add_argument(f"--{name}", type=int, default=default)
    args = p.parse_args(argv)
    try:
        ids, targets = TrainSampler(args.seed, args.batch, args.pairs, args.keys, args.values).next_batch()
    except ValueError as e:
        print(f"mqar: {e}", file=sys.stderr)
        return 2
    for row_ids, row_targets in zip(ids.tolist(), targets.tolist()):
        print("ids    ", row_ids)
        print("targets", row_targets)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
