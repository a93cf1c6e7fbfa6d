"""Tests of the PyTorch peers (stdlib unittest; PyTorch is no dependency of the JS packages, so vitest does not run these).

    /usr/bin/python3 -m unittest discover -s bench/torch -p 'test_*.py'

The oracle for the model is the float64 fixture set (/work/shared/models, or the
directory in SAS_MODEL_FIXTURES): check_fixtures.py must pass on it and must fail
on a manifest that was tampered with. Everything else is checked against MODEL.md's
and issue #13's definitions, not against numbers this code produced.
"""

import doctest
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import char_gpt  # noqa: E402
import experiment_spec  # noqa: E402
import mqar  # noqa: E402
import safetensors_io  # noqa: E402

FIXTURES = os.environ.get("SAS_MODEL_FIXTURES", "/work/shared/models")
PYTHON = sys.executable


def load_tests(loader, tests, pattern):
    for module in (char_gpt, mqar, experiment_spec, safetensors_io):
        tests.addTests(doctest.DocTestSuite(module))
    return tests


def run_script(*args):
    return subprocess.run([PYTHON, os.path.join(HERE, args[0]), *args[1:]], capture_output=True, text=True, timeout=600)


@unittest.skipUnless(os.path.exists(os.path.join(FIXTURES, "manifest.json")), f"no model fixtures at {FIXTURES} (set SAS_MODEL_FIXTURES)")
class CheckFixturesTest(unittest.TestCase):
    def tampered_copy(self, edit):
        tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, tmp)
        for name in os.listdir(FIXTURES):
            if name != "manifest.json":
                os.symlink(os.path.join(FIXTURES, name), os.path.join(tmp, name))
        with open(os.path.join(FIXTURES, "manifest.json")) as f:
            manifest = json.load(f)
        edit(manifest)
        with open(os.path.join(tmp, "manifest.json"), "w") as f:
            json.dump(manifest, f)
        return tmp

    def test_every_fixture_matches(self):
        result = run_script("check_fixtures.py", FIXTURES)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertIn("OK at tolerance 1e-09", result.stdout)
        self.assertIn("greedy", result.stdout)

    def test_a_wrong_learning_rate_is_a_mismatch(self):
        def edit(m):
            m["cases"] = m["cases"][:1]
            m["cases"][0]["optimizer"]["lr"] *= 1.001

        result = run_script("check_fixtures.py", self.tampered_copy(edit))
        self.assertEqual(result.returncode, 1)
        self.assertRegex(result.stdout, r"step1\.\*.*MISMATCH")

    def test_a_wrong_frozen_list_is_a_mismatch(self):
        def edit(m):
            m["cases"] = [c for c in m["cases"] if c["frozen"]]
            m["cases"][0]["frozen"] = m["cases"][0]["frozen"][1:]

        result = run_script("check_fixtures.py", self.tampered_copy(edit))
        self.assertEqual(result.returncode, 1)
        self.assertIn("frozen set", result.stdout)

    def test_an_empty_manifest_is_a_failure(self):
        result = run_script("check_fixtures.py", self.tampered_copy(lambda m: m.update(cases=[])))
        self.assertEqual(result.returncode, 1)
        self.assertIn("nothing to check", result.stderr)


class TrainingStepTest(unittest.TestCase):
    config = {"vocab": 11, "width": 16, "layers": 1, "heads": 4, "maxSeqLen": 8, "attention": {"kind": "sas", "simHeads": 8, "simHeadDim": 8, "kernelSize": 3}}

    def test_clipping_scales_by_min_1_clip_over_norm_plus_1e6(self):
        model = char_gpt.build_model(self.config, 3, dtype=torch.float64)
        ids = torch.randint(0, 11, (2, 8), generator=torch.Generator().manual_seed(0))
        seen = {}

        def observe(logits, loss):
            seen["raw"] = {n: p.grad.clone() for n, p in model.named_parameters()}

        optimizer = char_gpt.make_optimizer(model, 0.0, 0.0)  # lr 0: the step leaves params alone
        _, norm = char_gpt.train_step(model, optimizer, ids, ids, 0.0, 0.05, observe)
        expected_norm = math.sqrt(sum(float((g**2).sum()) for g in seen["raw"].values()))
        self.assertAlmostEqual(norm, expected_norm, places=12)
        coef = min(1.0, 0.05 / (expected_norm + 1e-6))
        self.assertLess(coef, 1.0)
        for name, p in model.named_parameters():
            torch.testing.assert_close(p.grad, seen["raw"][name] * coef, rtol=1e-13, atol=0)

    def test_frozen_maps_get_no_gradient_no_decay_no_update(self):
        model = char_gpt.build_model(self.config, 3, init="identity", freeze="qk")
        before = {n: p.detach().clone() for n, p in model.named_parameters()}
        optimizer = char_gpt.make_optimizer(model, 0.01, 0.5)
        ids = torch.randint(0, 11, (2, 8), generator=torch.Generator().manual_seed(1))
        char_gpt.train_step(model, optimizer, ids, ids, 0.01, 1.0)
        for name, p in model.named_parameters():
            frozen = ".sas_q." in name or ".sas_k." in name
            self.assertEqual(p.grad is None, frozen, name)
            self.assertEqual(torch.equal(p.detach(), before[name]), frozen, name)

    def test_identity_init_makes_sas_attention_with_repeated_heads(self):
        # With identity maps, D' = D and H' = 2H, SAS equals MHA whose output projection is the PEAA dense layer.
        cfg = dict(self.config, attention={"kind": "sas", "simHeads": 8, "simHeadDim": 4, "kernelSize": 3})
        sas = char_gpt.build_model(cfg, 5, init="identity", dtype=torch.float64)
        mha = char_gpt.CharGPT(dict(cfg, attention={"kind": "mha"})).double()
        mha.load_state_dict({k: v for k, v in sas.state_dict().items() if ".sas_" not in k})
        ids = torch.randint(0, 11, (2, 8), generator=torch.Generator().manual_seed(2))
        torch.testing.assert_close(sas(ids), mha(ids), rtol=0, atol=1e-12)

    def test_a_batch_with_every_target_ignored_is_refused(self):
        model = char_gpt.build_model(self.config, 0)
        with self.assertRaisesRegex(ValueError, "every position is -100"):
            char_gpt.lm_loss(model(torch.zeros(1, 4, dtype=torch.long)), torch.full((1, 4), -100))

    def test_bad_configs_are_one_line_errors(self):
        bad = [
            (dict(self.config, width=18), "not divisible by heads"),
            (dict(self.config, attention={"kind": "sas", "simHeads": 6, "simHeadDim": 8}), "not a multiple of heads"),
            (dict(self.config, attention={"kind": "sas", "simHeads": 8, "simHeadDim": 8, "kernelSize": 2}), "odd"),
            (dict(self.config, attention={"kind": "gqa", "kvHeads": 3}), "does not divide heads"),
            (dict(self.config, attention={"kind": "lin"}), "attention.kind"),
        ]
        for config, message in bad:
            with self.assertRaisesRegex(ValueError, message):
                char_gpt.CharGPT(config)


class ScheduleTest(unittest.TestCase):
    def test_warmup_is_linear_then_cosine_falls_to_the_floor(self):
        lrs = [char_gpt.lr_at(s, 0.01, 10, 110, 0.1) for s in range(110)]
        self.assertEqual(lrs[:10], [0.01 * (s + 1) / 10 for s in range(10)])
        self.assertEqual(lrs[10], 0.01)
        self.assertTrue(all(a >= b for a, b in zip(lrs[10:], lrs[11:])))
        self.assertAlmostEqual(lrs[60], 0.01 * (0.1 + 0.9 * 0.5), places=15)  # halfway: mean of lr and floor
        self.assertGreater(lrs[-1], 0.001)
        self.assertAlmostEqual(char_gpt.lr_at(110, 0.01, 10, 110, 0.1), 0.001, places=15)


class MqarTest(unittest.TestCase):
    def test_structure_matches_the_definition(self):
        pairs, keys, values = 6, 10, 7
        ids, targets = mqar.draw_sequences(__import__("numpy").random.default_rng(3), 50, pairs, keys, values)
        for row, target in zip(ids.tolist(), targets.tolist()):
            ctx_keys, ctx_values, queries = row[0 : 2 * pairs : 2], row[1 : 2 * pairs : 2], row[2 * pairs :]
            self.assertEqual(len(set(ctx_keys)), pairs)
            self.assertTrue(all(0 <= k < keys for k in ctx_keys))
            self.assertTrue(all(keys <= v < keys + values for v in ctx_values))
            self.assertEqual(len(set(ctx_values)), pairs, "values distinct within a sequence (Zoology, @sas/data)")
            self.assertEqual(sorted(queries), sorted(ctx_keys))
            self.assertEqual(target[: 2 * pairs], [-100] * (2 * pairs))
            value_of = dict(zip(ctx_keys, ctx_values))
            self.assertEqual(target[2 * pairs :], [value_of[q] for q in queries])

    def test_seeded_deterministic_and_streams_differ(self):
        a = mqar.TrainSampler(4, 8, 5, 20, 20).next_batch()[0]
        b = mqar.TrainSampler(4, 8, 5, 20, 20).next_batch()[0]
        c = mqar.TrainSampler(5, 8, 5, 20, 20).next_batch()[0]
        self.assertTrue(torch.equal(a, b))
        self.assertFalse(torch.equal(a, c))
        self.assertFalse(torch.equal(mqar.eval_set(4, 8, 5, 20, 20)[0], a))

    def test_training_never_draws_an_evaluation_sequence(self):
        # One pair over two keys and one value: exactly 2 distinct sequences exist; exclude one, only the other comes.
        excluded = torch.tensor([[0, 2, 0]])
        ids, _ = mqar.TrainSampler(1, 64, 1, 2, 1, exclude=excluded).next_batch()
        self.assertTrue(all(row == [1, 2, 1] for row in ids.tolist()))

    def test_accuracy_counts_only_query_positions(self):
        logits = torch.zeros(1, 3, 4)
        logits[0, 0, 1] = logits[0, 1, 2] = logits[0, 2, 3] = 1.0
        self.assertEqual(mqar.recall_accuracy(logits, torch.tensor([[-100, 2, 0]])), 0.5)

    def test_bad_sizes_are_refused(self):
        with self.assertRaisesRegex(ValueError, "distinct keys"):
            mqar.check_task(5, 4, 4)
        with self.assertRaisesRegex(ValueError, "distinct values"):
            mqar.check_task(5, 8, 4)


class SpecTest(unittest.TestCase):
    def spec(self, **run):
        base = dict(pairs=2, keys=4, values=4, width=8, layers=1, heads=2, batch=2, lr=0.01, warmup=0, lrFloor=0, weightDecay=0, clip=1, steps=2, evalEvery=1, evalSequences=4)
        return {"name": "t", "task": "mqar", "seeds": [1], "base": base, "runs": [dict({"name": "a", "attention": "mha"}, **run)]}

    def test_repo_specs_resolve(self):
        _, runs = experiment_spec.load_spec(os.path.join(HERE, "..", "..", "experiments", "mqar.json"))
        self.assertEqual(len(runs), 9)
        identity = dict(runs)["sas-identity-frozen-v"]
        self.assertEqual((identity["init"], identity["freeze"], identity["kernel"]), ("identity", "v", 3))
        with open(os.path.join(HERE, "..", "..", "experiments", "brown-char.json")) as f:
            brown = json.load(f)
        self.assertEqual([r["name"] for r in brown["runs"]], ["mha", "gqa", "mqa", "sas"])

    def test_errors_name_the_run_and_option(self):
        cases = [
            (self.spec(lrr=1), "run 'a': unknown option 'lrr'"),
            (self.spec(lrFloor=2), "option 'lrFloor'"),
            (self.spec(seqLen=7), "3·pairs = 6"),
            (self.spec(attention="sas"), "simHeads"),
            (self.spec(freeze="maps"), "init/freeze act on SAS maps"),
            (dict(self.spec(), task="brown"), "task 'mqar' only"),
        ]
        for spec, message in cases:
            with self.assertRaises(experiment_spec.SpecError) as caught:
                experiment_spec.resolve_runs(spec)
            self.assertIn(message, str(caught.exception))


class TwinTest(unittest.TestCase):
    def test_runs_write_lines_and_summary_and_a_rerun_keeps_finished_runs(self):
        tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, tmp)
        base = dict(pairs=2, keys=6, values=6, width=16, layers=1, heads=2, batch=32, lr=0.01, warmup=5, lrFloor=0, weightDecay=0.01, clip=1, steps=60, evalEvery=30, evalSequences=64)
        spec = {"name": "tiny", "task": "mqar", "seeds": [1, 2], "base": base, "runs": [{"name": "mha", "attention": "mha"}, {"name": "sas", "attention": "sas", "simHeads": 4, "simHeadDim": 8, "kernel": 3}]}
        spec_path = os.path.join(tmp, "spec.json")
        with open(spec_path, "w") as f:
            json.dump(spec, f)
        out = os.path.join(tmp, "out")
        result = run_script("mqar_twin.py", spec_path, "--out", out, "--seeds", "1")
        self.assertEqual(result.returncode, 0, result.stderr)
        with open(os.path.join(out, "sas.seed1.jsonl")) as f:
            lines = [json.loads(line) for line in f]
        self.assertEqual([line["step"] for line in lines], [30, 60, 60])
        self.assertTrue(lines[-1]["final"])
        self.assertEqual(lines[-1]["mqarValues"], "distinct")
        self.assertLess(lines[1]["trainLoss"], lines[0]["trainLoss"])  # it learns
        self.assertEqual(set(lines[0]), {"run", "seed", "step", "wallSeconds", "lr", "trainLoss", "valLoss", "accuracy"})
        with open(os.path.join(out, "summary.json")) as f:
            summary = json.load(f)
        sas = next(r for r in summary["runs"] if r["run"] == "sas")
        self.assertEqual((sas["seedsDone"], sas["seedsMissing"]), ([1], [2]))
        self.assertEqual(sas["accuracyMean"], lines[-1]["accuracy"])
        self.assertEqual(sas["solved"], lines[-1]["accuracy"] >= 0.9)
        self.assertFalse(any(name.endswith(".part") for name in os.listdir(out)))
        mtime = os.path.getmtime(os.path.join(out, "sas.seed1.jsonl"))
        again = run_script("mqar_twin.py", spec_path, "--out", out, "--seeds", "1", "--runs", "sas")
        self.assertIn("finished earlier, kept", again.stderr)
        self.assertEqual(os.path.getmtime(os.path.join(out, "sas.seed1.jsonl")), mtime)

    def test_an_out_dir_of_values_drawn_with_replacement_is_refused(self):
        tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, tmp)
        # a finished run file as the twin wrote them before values became distinct: no "mqarValues"
        with open(os.path.join(tmp, "mha.seed1.jsonl"), "w") as f:
            f.write(json.dumps({"run": "mha", "seed": 1, "final": True, "step": 2, "accuracy": 0.1}) + "\n")
        result = run_script("mqar_twin.py", os.path.join(HERE, "..", "..", "experiments", "mqar-small.json"), "--out", tmp)
        self.assertEqual(result.returncode, 2)
        self.assertEqual(result.stderr.strip().count("\n"), 0)
        self.assertIn("mha.seed1.jsonl was trained on MQAR values drawn with replacement", result.stderr)
        self.assertEqual(os.listdir(tmp), ["mha.seed1.jsonl"])  # nothing written

    def test_unknown_run_is_a_clean_error(self):
        result = run_script("mqar_twin.py", os.path.join(HERE, "..", "..", "experiments", "mqar.json"), "--runs", "nope", "--out", tempfile.gettempdir())
        self.assertEqual(result.returncode, 2)
        self.assertEqual(result.stderr.strip().count("\n"), 0)
        self.assertIn("no run named 'nope'", result.stderr)


class ThroughputTest(unittest.TestCase):
    def test_json_is_one_object_with_the_documented_fields(self):
        result = run_script("train_throughput.py", "--width", "16", "--layers", "1", "--heads", "2", "--seq-len", "8", "--batch", "2", "--sim-heads", "4", "--sim-head-dim", "8", "--steps", "2", "--warmup", "1", "--threads", "1", "--json")
        self.assertEqual(result.returncode, 0, result.stderr)
        record = json.loads(result.stdout)
        for key in ("attention", "threads", "medianStepMs", "tokensPerSecond", "params", "batch", "seqLen", "steps", "warmup"):
            self.assertIn(key, record)
        self.assertEqual(record["threads"], 1)
        self.assertAlmostEqual(record["tokensPerSecond"], 2 * 8 / (record["medianStepMs"] / 1e3), places=6)

    def test_bad_flags_exit_2(self):
        self.assertEqual(run_script("train_throughput.py", "--steps", "0").returncode, 2)
        bad_kernel = run_script("train_throughput.py", "--kernel", "2", "--steps", "1")
        self.assertEqual(bad_kernel.returncode, 2)
        self.assertIn("odd", bad_kernel.stderr)


if __name__ == "__main__":
    unittest.main()
