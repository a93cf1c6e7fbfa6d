import { describe, expect, it } from 'vitest';
import { parseFlags } from '../args.js';
import { parseDecimal, parseInteger } from './numbers.js';
import { givenRunOptions, resolveRunOptions, resumedRunOptions, TRAIN_FLAGS } from './options.js';

const resolve = (...argv: string[]) => resolveRunOptions(givenRunOptions(parseFlags(argv, TRAIN_FLAGS, 'train')));

describe('train numbers', () => {
  it('reads decimal integers and finite decimals', () => {
    expect(parseInteger('200', 'steps', { min: 1 })).toBe(200);
    expect(parseInteger('0', 'warmup', { min: 0 })).toBe(0);
    expect(parseDecimal('3e-3', 'lr', { above: 0 })).toBe(0.003);
    expect(parseDecimal('.5', 'lr-floor', { min: 0, max: 1 })).toBe(0.5);
    expect(parseDecimal('2E+1', 'clip', { min: 0 })).toBe(20);
  });

  it('refuses anything else with one line naming the flag and what it expected', () => {
    for (const bad of ['1.5', '-1', '+3', '0x10', '2e2', '', ' 7', '1_000', '9007199254740993'])
      expect(() => parseInteger(bad, 'steps', { min: 1 })).toThrow(`--steps: expected an integer ≥ 1, got '${bad}'`);
    expect(() => parseInteger('0', 'steps', { min: 1 })).toThrow("--steps: expected an integer ≥ 1, got '0'");
    for (const bad of ['fast', 'Infinity', 'NaN', '0x1', '1e999', '1.2.3', '', 'e5'])
      expect(() => parseDecimal(bad, 'lr', { above: 0 })).toThrow(`--lr: expected a decimal number > 0, got '${bad}'`);
    expect(() => parseDecimal('1.5', 'lr-floor', { min: 0, max: 1 })).toThrow("--lr-floor: expected a decimal number ≥ 0 and ≤ 1, got '1.5'");
  });
});

describe('train options', () => {
  it("fills each task's defaults (the study settings of issue #14)", () => {
    const brown = resolve('--task', 'brown');
    expect(brown).toMatchObject({ attention: 'sas', width: 128, layers: 2, heads: 4, seqLen: 128, batch: 16, lr: 0.002, warmup: 100, lrFloor: 0.1 });
    expect(brown).toMatchObject({ weightDecay: 0.01, clip: 1, simHeads: 8, simHeadDim: 64, kernel: 3, featureMaps: true, pairs: null, evalBatches: 8 });
    const mqar = resolve('--task', 'mqar', '--attention', 'mha');
    expect(mqar).toMatchObject({ pairs: 16, keys: 64, values: 64, seqLen: 48, width: 64, batch: 64, lr: 0.003, lrFloor: 0, steps: 1500, evalSequences: 512 });
    expect(mqar).toMatchObject({ kvHeads: 4, simHeads: null, kernel: null, featureMaps: null, evalBatches: null });
    expect(resolve('--task', 'mqar', '--attention', 'gqa').kvHeads).toBe(2);
    expect(resolve('--task', 'mqar', '--attention', 'mqa').kvHeads).toBe(1);
    expect(resolve('--task', 'mqar', '--pairs', '4').seqLen).toBe(12);
    expect(resolve('--no-feature-maps', '--freeze', 'qk', '--init', 'identity')).toMatchObject({ featureMaps: false, freeze: 'qk', init: 'identity' });
  });

  it('refuses flags that do not apply and combinations that cannot work', () => {
    for (const [argv, message] of [
      [['--attention', 'mha', '--sim-heads', '4'], '--sim-heads applies to --attention sas only'],
      [['--attention', 'gqa', '--freeze', 'maps'], '--freeze applies to --attention sas only'],
      [['--attention', 'mqa', '--init', 'identity'], '--init identity applies to --attention sas only (it initialises the SAS maps)'],
      [['--kv-heads', '2'], '--kv-heads applies to --attention gqa, mqa or mha only'],
      [['--task', 'brown', '--pairs', '8'], '--pairs applies to --task mqar only'],
      [['--task', 'mqar', '--eval-batches', '2'], '--eval-batches applies to --task brown only'],
      [['--task', 'mqar', '--seq-len', '40'], '--seq-len: mqar sequences are 3·pairs = 48 long, got 40 (leave --seq-len out)'],
      [['--width', '100', '--heads', '3'], '--width 100 is not divisible by --heads 3'],
      [['--attention', 'gqa', '--kv-heads', '3'], '--kv-heads 3 does not divide --heads 4'],
      [['--attention', 'mqa', '--kv-heads', '2'], '--kv-heads: mqa has one key/value head, got 2'],
      [['--task', 'wiki'], "--task: expected brown, mqar, got 'wiki'"],
      [['--freeze', 'all'], "--freeze: expected maps, qk, v, got 'all'"],
      [['--seed', '4294967296'], "--seed: expected an integer ≥ 0 and ≤ 4294967295, got '4294967296'"],
    ] as const)
      expect(() => resolve(...argv), argv.join(' ')).toThrow(message);
  });

  it('on resume, takes the checkpoint options and refuses a flag that contradicts them', () => {
    const saved = resolve('--task', 'mqar', '--steps', '30');
    expect(resumedRunOptions(givenRunOptions(parseFlags(['--task', 'mqar', '--steps', '30'], TRAIN_FLAGS, 'train')), saved, 'c.safetensors')).toBe(saved);
    expect(() => resumedRunOptions({ lr: 0.01 }, saved, 'c.safetensors')).toThrow(
      '--lr 0.01 contradicts the checkpoint c.safetensors (lr 0.003); resume with the run',
    );
    expect(() => resumedRunOptions({ featureMaps: false }, saved, 'c')).toThrow(
      '--no-feature-maps given contradicts the checkpoint c (no-feature-maps not given)',
    );
  });
});
