import { resolve } from 'node:path';
import { SasError } from '@sas/core';
import { describe, expect, it } from 'vitest';
import { parseFlags } from '../args.js';
import { givenRunOptions, resolveRunOptions, TRAIN_FLAGS } from '../train/options.js';
import { optionChange, planRuns } from './plan.js';
import { loadExperimentSpec, optionFlags, parseExperimentSpec } from './spec.js';

const root = resolve(__dirname, '../../../..');
const mqar = loadExperimentSpec(resolve(root, 'experiments/mqar.json'));
const brown = loadExperimentSpec(resolve(root, 'experiments/brown-char.json'));

/** What `sas train` itself makes of a planned run's flags: the options its child process will train with. */
const trainedWith = (flags: readonly string[]) => resolveRunOptions(givenRunOptions(parseFlags(flags, TRAIN_FLAGS, 'train')));

describe('the studies of issue #14 as specs', () => {
  it('mqar.json: nine kinds × seeds 1–3 with the issue’s settings', () => {
    expect(mqar).toMatchObject({ name: 'mqar', task: 'mqar', seeds: [1, 2, 3] });
    expect(mqar.runs.map((r) => r.name)).toEqual([
      'mha',
      'sas',
      'sas-frozen-maps',
      'sas-no-feature-maps',
      'sas-k1',
      'sas-identity',
      'sas-identity-frozen-maps',
      'sas-identity-frozen-qk',
      'sas-identity-frozen-v',
    ]);
    // issue #14: 16 pairs over 64 keys and 64 values, width 64, 2 layers, 4 heads, batch 64, AdamW lr 3e-3, warmup 100,
    // cosine to 0, weight decay 0.01, clip 1, 1500 steps, recall accuracy on 512 sequences; SAS H'=8, D'=32, k=3
    for (const r of mqar.runs)
      expect(r.options).toMatchObject({ pairs: 16, keys: 64, values: 64, seqLen: 48, width: 64, layers: 2, heads: 4, batch: 64, lr: 0.003 });
    for (const r of mqar.runs) expect(r.options).toMatchObject({ warmup: 100, lrFloor: 0, weightDecay: 0.01, clip: 1, steps: 1500, evalSequences: 512 });
    const of = (name: string) => mqar.runs.find((r) => r.name === name)!.options;
    expect(of('mha')).toMatchObject({ attention: 'mha', kvHeads: 4, simHeads: null });
    expect(of('sas')).toMatchObject({ attention: 'sas', simHeads: 8, simHeadDim: 32, kernel: 3, featureMaps: true, init: 'random', freeze: null });
    expect(of('sas-no-feature-maps')).toMatchObject({ featureMaps: false });
    expect(of('sas-k1')).toMatchObject({ kernel: 1 });
    expect(of('sas-identity-frozen-qk')).toMatchObject({ init: 'identity', freeze: 'qk' });
    expect(of('sas-identity-frozen-v')).toMatchObject({ init: 'identity', freeze: 'v' });
  });

  it('brown-char.json: mha, gqa (2 kv heads), mqa, sas (H′=8, D′=64, k=3) with the issue’s settings', () => {
    expect(brown).toMatchObject({ name: 'brown-char', task: 'brown', seeds: [1, 2, 3] });
    for (const r of brown.runs)
      expect(r.options).toMatchObject({ width: 128, layers: 2, heads: 4, seqLen: 128, batch: 16, lr: 0.002, warmup: 100, lrFloor: 0.1, clip: 1 });
    expect(brown.runs.map((r) => [r.name, r.options.kvHeads])).toEqual([
      ['mha', 4],
      ['gqa', 2],
      ['mqa', 1],
      ['sas', null],
    ]);
    expect(brown.runs[3].options).toMatchObject({ simHeads: 8, simHeadDim: 64, kernel: 3, evalBatches: 16, steps: 600 });
  });

  it("every planned run's flags make `sas train` train exactly the planned options", () => {
    for (const spec of [mqar, brown]) for (const run of planRuns(spec, '/out')) expect(trainedWith(run.trainFlags), run.id).toEqual(run.options);
  });
});

describe('optionFlags', () => {
  it('camelCase keys become the train flags; featureMaps false becomes --no-feature-maps, true nothing', () => {
    expect(optionFlags({ simHeadDim: 32, featureMaps: false, lrFloor: 0.1, evalSequences: 512, init: 'identity' })).toEqual([
      '--sim-head-dim',
      '32',
      '--no-feature-maps',
      '--lr-floor',
      '0.1',
      '--eval-sequences',
      '512',
      '--init',
      'identity',
    ]);
    expect(optionFlags({ featureMaps: true })).toEqual([]);
    expect(optionFlags({ lr: 2e-7 })).toEqual(['--lr', '2e-7']);
  });
});

describe('parseExperimentSpec: bad specs', () => {
  const spec = (over: object, runs: object[] = [{ name: 'a', attention: 'sas' }]) =>
    JSON.stringify({ name: 't', task: 'mqar', seeds: [1], base: { steps: 10 }, runs, ...over });
  const cases: [string, RegExp][] = [
    ['{', /^t\.json: not valid JSON/],
    [spec({ extra: 1 }), /^t\.json: unknown key 'extra' \(a spec has name, task, seeds, base, runs, description\)$/],
    [spec({ name: 'a/b' }), /^t\.json: name: expected letters, digits, '-' or '_' \(it names files\), got "a\/b"$/],
    [spec({ task: 'wiki' }), /^t\.json: task: expected brown or mqar, got "wiki"$/],
    [spec({ seeds: [] }), /^t\.json: seeds: expected a non-empty list of distinct integers/],
    [spec({ seeds: [1, 1] }), /^t\.json: seeds: expected a non-empty list of distinct integers in \[0, 2³²\), got \[1,1\]$/],
    [spec({ seeds: [1.5] }), /^t\.json: seeds: /],
    [spec({ runs: [] }), /^t\.json: runs: expected a non-empty list of runs, got \[\]$/],
    [spec({}, [{ name: 'a' }, { name: 'a' }]), /^t\.json: runs\[1\]\.name: 'a' is used twice$/],
    [spec({}, [{ attention: 'mha' }]), /^t\.json: runs\[0\]\.name: expected letters/],
    [spec({}, [{ name: 'a', simHeds: 4 }]), /^t\.json: run 'a': unknown option 'simHeds' \(options: attention, width, /],
    [spec({}, [{ name: 'a', lr: '0.003' }]), /^t\.json: run 'a': lr: expected a number, got "0\.003"$/],
    [spec({}, [{ name: 'a', lr: 0 }]), /^t\.json: run 'a': lr: expected a decimal number > 0, got '0'$/],
    [spec({}, [{ name: 'a', steps: 1.5 }]), /^t\.json: run 'a': steps: expected an integer ≥ 1, got '1\.5'$/],
    [spec({}, [{ name: 'a', featureMaps: 'no' }]), /^t\.json: run 'a': featureMaps: expected a boolean, got "no"$/],
    [spec({}, [{ name: 'a', attention: 'flash' }]), /^t\.json: run 'a': attention: expected sas, mha, gqa, mqa, got 'flash'$/],
    [spec({}, [{ name: 'a', attention: 'mha', simHeads: 4 }]), /^t\.json: run 'a': simHeads applies to attention sas only$/],
    [spec({}, [{ name: 'a', attention: 'mha', featureMaps: false }]), /^t\.json: run 'a': featureMaps: false applies to attention sas only$/],
    [spec({}, [{ name: 'a', width: 30, heads: 4 }]), /^t\.json: run 'a': width 30 is not divisible by heads 4$/],
    [spec({}, [{ name: 'a', evalBatches: 4 }]), /^t\.json: run 'a': evalBatches applies to task brown only$/],
    [spec({}, [{ name: 'a', simHeads: 6 }]), /^t\.json: run 'a': config\.attention\.simHeads: /],
    [spec({}, [{ name: 'a', seed: 3 }]), /^t\.json: run 'a': seed: seeds come from the spec's top-level 'seeds' list$/],
    [spec({}, [{ name: 'a', task: 'brown' }]), /^t\.json: run 'a': task: set it once, at the top of the spec \(it is 'mqar'\)$/],
    [spec({}, [{ name: 'a', checkpoint: 'x' }]), /^t\.json: run 'a': checkpoint: the experiment sets it for each run$/],
    [spec({}, [{ name: 'a', threads: 0 }]), /^t\.json: run 'a': threads: expected an integer ≥ 1, got 0$/],
    [spec({ base: { lr: -1 } }), /^t\.json: run 'a': lr: expected a decimal number > 0, got '-1'$/],
  ];

  it('each is one E_INPUT line naming the file, the run and the key', () => {
    for (const [text, message] of cases) {
      let error: unknown;
      try {
        parseExperimentSpec(text, 't.json');
      } catch (e) {
        error = e;
      }
      expect(error, text).toBeInstanceOf(SasError);
      expect((error as SasError).code, text).toBe('E_INPUT');
      expect((error as SasError).message, text).toMatch(message);
      expect((error as SasError).message, text).not.toContain('\n');
    }
  });

  it('a missing file is one E_IO line', () => {
    expect(() => loadExperimentSpec('/no/such/spec.json')).toThrow(/^\/no\/such\/spec\.json: cannot read the spec \(ENOENT\)$/);
  });
});

describe('planRuns', () => {
  const tiny = parseExperimentSpec(
    JSON.stringify({
      name: 't',
      task: 'mqar',
      seeds: [1, 2],
      base: { steps: 10, threads: 1 },
      runs: [{ name: 'mha', attention: 'mha' }, { name: 'sas' }],
    }),
    't.json',
  );

  it('seed-major: every kind’s first seed before any second seed; files named <run>.seed<s> in the out dir', () => {
    const plan = planRuns(tiny, '/out');
    expect(plan.map((r) => r.id)).toEqual(['mha.seed1', 'sas.seed1', 'mha.seed2', 'sas.seed2']);
    expect(plan[3]).toMatchObject({ run: 'sas', seed: 2, checkpoint: '/out/sas.seed2.ckpt', log: '/out/sas.seed2.jsonl', session: { threads: 1 } });
    expect(plan[3].options.seed).toBe(2);
    expect(plan[3].trainFlags).toEqual(['--task', 'mqar', '--steps', '10', '--seed', '2']);
  });

  it('--runs and --seeds select, and must name the spec’s', () => {
    expect(planRuns(tiny, '/out', { runs: ['sas'], seeds: [2] }).map((r) => r.id)).toEqual(['sas.seed2']);
    expect(() => planRuns(tiny, '/out', { runs: ['gqa'] })).toThrow(/^--runs: 'gqa' is not a run of t\.json \(its runs: mha, sas\)$/);
    expect(() => planRuns(tiny, '/out', { seeds: [3] })).toThrow(/^--seeds: 3 is not a seed of t\.json \(its seeds: 1, 2\)$/);
  });

  it('optionChange names the first option a finished run differs in', () => {
    const [run] = planRuns(tiny, '/out');
    expect(optionChange(run.options, run.options)).toBeUndefined();
    expect(optionChange({ ...run.options, lr: 0.003 }, { ...run.options, lr: 0.002 })).toBe('lr (0.003 → 0.002)');
  });
});
