import { formatModelReport, formatReport, modelToleranceFor, runConformance, runModelConformance } from '@sas/conformance';
import { SasError } from '@sas/core';
import { parseFlags } from '../args.js';
import { checkMode, loadProvider } from '../backends.js';
import type { Command } from '../command.js';

export const conformanceCommand: Command = {
  name: 'conformance',
  summary: "run the conformance suite against the authors' fixtures (--models: the char GPT's)",
  usage: `sas conformance --backend NAME [--mode MODE] [--fixtures DIR] [--grads] [--cases A,B] [--json]
sas conformance --models --backend NAME [--mode MODE] [--fixtures DIR] [--cases A,B] [--json]

Runs every fixture case (default: the bundled fixtures) on the backend and
compares output, traces and, with --grads, gradients against the authors'
numbers within the backend's tolerance |a − e| ≤ atol + rtol·|e|.
With --models, runs the char GPT's fixtures (MODEL.md; default: the bundled
model fixtures, or any directory in that layout): logits and loss, every
gradient, grad_norm, two training steps and the loss after the first,
within the backend's model tolerance (its modelTolerance, else its layer
tolerance; updated params at the step tolerance, else the gradient one). A run that checks
nothing fails. Exit 0 only if every case passes; --json prints one JSON
document on stdout.`,
  async run(argv) {
    const flags = parseFlags(
      argv,
      { backend: 'string', mode: 'string', fixtures: 'string', grads: 'boolean', models: 'boolean', cases: 'string', json: 'boolean', verbose: 'boolean' },
      'conformance',
    );
    if (typeof flags.backend !== 'string') throw new SasError('E_INPUT', 'conformance: --backend is required (e.g. --backend ndarray)');
    if (flags.models && flags.grads) throw new SasError('E_INPUT', 'conformance: --grads is for layer fixtures; --models always checks gradients');
    const provider = await loadProvider(flags.backend);
    const mode = checkMode(provider, flags.mode as string | undefined);
    const backend = await provider.create({ mode });
    const cases = typeof flags.cases === 'string' ? flags.cases.split(',') : undefined;
    const fixturesDir = flags.fixtures as string | undefined;
    try {
      if (flags.models) {
        const report = await runModelConformance(backend, { tolerance: modelToleranceFor(provider, backend.mode), fixturesDir, cases });
        process.stdout.write(flags.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatModelReport(report)}\n`);
        return report.passed ? 0 : 1;
      }
      const report = await runConformance(backend, { tolerance: provider.tolerance(backend.mode), fixturesDir, grads: flags.grads === true, cases });
      process.stdout.write(flags.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatReport(report)}\n`);
      return report.passed ? 0 : 1;
    } finally {
      await backend.dispose();
    }
  },
};
