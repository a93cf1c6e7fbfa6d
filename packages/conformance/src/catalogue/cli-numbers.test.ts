// Hostile input, class 7: numbers on the command line are decimal integers
// (no exponent, hex, sign, fraction or spaces), and counts have limits that
// the message names: --threads at most the cores available, --runs at most
// 10 000, --warmup at most 1 000, --timeout at most a day.

import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { catalogue, sas } from './record.js';

const { record } = catalogue('cli-numbers');
const bench = (...args: string[]) => sas(['bench', '--backend', 'reference', '--shape', '1,4,1,2,1,2', ...args]);

describe('catalogue: CLI numbers are decimal integers', () => {
  const notDecimal = ['1e3', '0x10', '+5', '5.0', ' 5', '5 ', '-1', '1_000', 'Infinity', 'NaN', '', '٣'];
  it(`--runs refuses ${notDecimal.map((v) => JSON.stringify(v)).join(', ')}`, () => {
    for (const value of notDecimal) {
      const r = bench(`--runs=${value}`);
      expect(r.code, value).toBe(2);
      expect(r.stderr, value).toBe(`sas: --runs: expected a decimal integer, got '${value}'\n`);
    }
    record({ code: 'E_INPUT', situation: 'CLI: a number that is not a decimal integer', message: "sas: --runs: expected a decimal integer, got '0x10'" });
  });

  it('--shape and --seq-lens refuse the same forms inside a list', () => {
    for (const [args, line] of [
      [['bench', '--backend', 'reference', '--shape', '1,8,2,4,4,8.0'], "sas: --shape: expected 6 comma-separated positive integers, got '1,8,2,4,4,8.0'"],
      [['bench', '--backend', 'reference', '--shape', '1,0x8,2,4,4,8'], "sas: --shape: expected 6 comma-separated positive integers, got '1,0x8,2,4,4,8'"],
      [['bench', '--backend', 'reference', '--shape', '1,8,2,4,4,8', '--kernel', '3e0'], "sas: --kernel: expected a decimal integer, got '3e0'"],
      [['bench-suite', '--seq-lens', '5e2'], "sas: --seq-lens: expected a list of comma-separated positive integers, got '5e2'"],
    ] as const) {
      const r = sas(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toBe(`${line}\n`);
    }
  });

  it('zero where a positive count is needed is refused; --warmup 0 is allowed', () => {
    expect(bench('--runs', '0').stderr).toBe("sas: --runs: expected a positive integer, got '0'\n");
    const r = bench('--runs', '1', '--warmup', '0', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).runs).toBe(1);
  });
});

describe('catalogue: CLI counts have limits, named in the message', () => {
  it('--threads above the cores available', () => {
    const cores = availableParallelism();
    const r = sas(['bench', '--backend', 'ndarray', '--shape', '1,4,1,2,1,2', '--threads', String(cores + 1)]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`sas: --threads: at most ${cores} (the cores available here), got ${cores + 1}\n`);
    record({ code: 'E_INPUT', situation: 'CLI: --threads above the cores', message: r.stderr.trim() });
  });

  it('absurd --runs, --warmup and --timeout', () => {
    for (const [args, line] of [
      [['--runs', '1000000'], 'sas: --runs: at most 10000, got 1000000'],
      [['--runs', '99999999999999999999'], 'sas: --runs: at most 10000, got 99999999999999999999'],
      [['--warmup', '5000'], 'sas: --warmup: at most 1000, got 5000'],
    ] as const) {
      const r = bench(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toBe(`${line}\n`);
    }
    const t = sas(['bench-suite', '--timeout', '100000000', '--backends', 'ndarray']);
    expect(t.code).toBe(2);
    expect(t.stderr).toBe('sas: --timeout: at most 86400, got 100000000\n');
    record({ code: 'E_INPUT', situation: 'CLI: absurd --runs', message: 'sas: --runs: at most 10000, got 1000000' });
  });
});
