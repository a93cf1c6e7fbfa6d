// `sas generate`, `sas bench-generate` and the demo's generation line, as
// users run them (the built executable). The fixtures come from
// $SAS_MODEL_FIXTURES (any directory in MODEL.md's layout) or the bundled ones.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadGenerationFixtures } from '@sas/conformance';

const bin = resolve(__dirname, '../dist/main.js');
const fixtures = loadGenerationFixtures(process.env.SAS_MODEL_FIXTURES);
const [bundled] = loadGenerationFixtures();

function sas(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 300_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('sas generate', () => {
  for (const fixture of fixtures) {
    for (const [backend, mode] of [
      ['reference', 'float64'],
      ['ndarray', 'cpu'],
      ['tfjs', 'wasm'],
      ['onnx', 'cpu'],
    ]) {
      it(`${fixture.name} on ${backend} (${mode}): --temperature 0 prints exactly the record's greedy text, tokens/s on stderr`, { timeout: 300_000 }, () => {
        const r = sas(
          'generate',
          '--checkpoint',
          fixture.path,
          '--prompt',
          fixture.prompt,
          '--max-new',
          String(fixture.newTokens),
          '--temperature',
          '0',
          '--backend',
          backend,
          '--mode',
          mode,
        );
        expect(r.code, r.stderr).toBe(0);
        expect(r.stdout).toBe(`${fixture.greedy}\n`);
        expect(r.stderr).toMatch(new RegExp(`^${fixture.newTokens} tokens in [\\d.]+ s: [\\d.]+ tokens/s .*backend ${backend} \\(${mode}, float(32|64)\\)`));
      });
    }
  }

  it('--json: one document with the text, the settings and tokens/s; the same seed gives the same text', () => {
    const args = [
      'generate',
      '--checkpoint',
      bundled.path,
      '--prompt',
      bundled.prompt,
      '--max-new',
      '40',
      '--temperature',
      '0.9',
      '--top-k',
      '20',
      '--top-p',
      '0.95',
    ];
    const run = (seed: string) => JSON.parse(sas(...args, '--seed', seed, '--json').stdout);
    const a = run('17');
    expect(a).toMatchObject({ backend: 'ndarray', mode: 'cpu', dtype: 'float32', prompt: bundled.prompt, newTokens: 40 });
    expect(a.settings).toEqual({ temperature: 0.9, topK: 20, topP: 0.95, seed: 17, stop: null });
    expect([...a.text]).toHaveLength(40);
    expect(a.tokensPerSecond).toBeGreaterThan(0);
    expect(run('17').text).toBe(a.text);
    const stopped = JSON.parse(sas(...args, '--seed', '17', '--stop', a.text.slice(10, 12), '--json').stdout);
    expect(stopped.text).toBe(a.text.slice(0, a.text.indexOf(a.text.slice(10, 12))));
  });

  it('refuses bad input with one line on stderr, exit 2, nothing on stdout', () => {
    const base = ['generate', '--checkpoint', bundled.path, '--prompt', bundled.prompt];
    const layerFile = resolve(__dirname, '../../../packages/conformance/fixtures/sas-tiny.safetensors');
    const cases: [string[], string][] = [
      [['generate', '--prompt', 'x'], 'sas: generate: --checkpoint FILE is required'],
      [['generate', '--checkpoint', bundled.path], 'sas: generate: --prompt TEXT is required'],
      [['generate', '--checkpoint', '/nope/model.safetensors', '--prompt', 'x'], 'sas: /nope/model.safetensors: cannot read the checkpoint (no such file)'],
      [
        ['generate', '--checkpoint', layerFile, '--prompt', 'x'],
        `sas: ${layerFile}: not a model checkpoint: its __metadata__ has no 'model' (the char GPT's config, MODEL.md), as a layer's weight file has none`,
      ],
      [
        ['generate', '--checkpoint', bundled.path, '--prompt', 'The jüry'],
        'sas: --prompt: character "ü" (U+00FC) at position 5 is not in the model\'s vocabulary (84 characters)',
      ],
      [['generate', '--checkpoint', bundled.path, '--prompt', ''], 'sas: --prompt: expected at least one character, got an empty prompt'],
      [
        [...base, '--max-new', '200'],
        "sas: --max-new: the prompt (27 tokens) plus 200 new tokens exceed the model's maxSeqLen (128); at most 101 fit after this prompt",
      ],
      [[...base, '--max-new', 'lots'], "sas: --max-new: expected a number, got 'lots'"],
      [[...base, '--max-new', '2.5'], 'sas: --max-new: expected a positive integer, got 2.5'],
      [[...base, '--temperature', 'hot'], "sas: --temperature: expected a number, got 'hot'"],
      [[...base, '--temperature', '-1'], 'sas: --temperature: expected a finite number ≥ 0 (0 is greedy), got -1'],
      [[...base, '--top-k', '0'], 'sas: --top-k: expected an integer in [1, 84] (the vocabulary size), got 0'],
      [[...base, '--top-p', '2'], 'sas: --top-p: expected a number in (0, 1], got 2'],
      [[...base, '--seed', '-3'], 'sas: --seed: expected an integer in [0, 4294967295], got -3'],
      [[...base, '--seed', '0x10'], "sas: --seed: expected a number, got '0x10'"],
    ];
    for (const [args, line] of cases) {
      const r = sas(...args);
      expect([r.code, r.stderr, r.stdout], args.join(' ')).toEqual([2, `${line}\n`, '']);
    }
  });
});

describe('sas demo', () => {
  it("ends by streaming the bundled char GPT's greedy line on the default backend, identical to PyTorch's", { timeout: 300_000 }, () => {
    const r = sas('demo');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/reproduced\n/);
    expect(r.stdout).toContain(`${bundled.prompt}${bundled.greedy}\n`);
    expect(r.stdout).toMatch(/\n96 characters at [\d.]+ tokens\/s; identical to the PyTorch float64 greedy text\n$/);
  });
});

describe('sas bench-generate', () => {
  it('reports cached and recomputed per-position medians as JSON, with each position in its capacity bucket', { timeout: 300_000 }, () => {
    const r = sas(
      'bench-generate',
      '--backends',
      'reference',
      '--model-positions',
      '3,20',
      '--layer-positions',
      '3,20',
      '--runs',
      '1',
      '--warmup',
      '0',
      '--json',
    );
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.results).toHaveLength(1);
    const [result] = report.results;
    expect(result.backend).toBe('reference');
    for (const rows of [result.model.rows, result.layer.rows]) {
      expect(rows.map((x: { position: number; capacity: number }) => [x.position, x.capacity])).toEqual([
        [3, 16],
        [20, 32],
      ]);
      for (const x of rows) {
        expect(x.cached.medianMs).toBeGreaterThan(0);
        expect(x.recomputed.medianMs).toBeGreaterThan(0);
        expect(x.cachedTokensPerSecond).toBeCloseTo(1000 / x.cached.medianMs, 6);
        expect(x.speedup).toBeCloseTo(x.recomputed.medianMs / x.cached.medianMs, 6);
      }
    }
    expect(result.layer.config).toMatchObject({ heads: 12, headDim: 64, simHeads: 24, simHeadDim: 128 });
  });
});
