import { runConformance, formatReport } from '@sas/conformance';
import { SasError } from '@sas/core';
import { parseFlags } from '../args.js';
import { checkMode, loadProvider } from '../backends.js';
import type { Command } from '../command.js';

export const conformanceCommand: Command = {
  name: 'conformance',
  summary: "run the conformance suite against the authors' fixtures",
  usage: `sas conformance --backend NAME [--mode MODE] [--fixtures DIR] [--grads] [--cases A,B] [--json]

Runs every fixture case (default: the bundled fixtures) on the backend and
compares output, traces and, with --grads, gradients against the authors'
numbers within the backend's tolerance |a − e| ≤ atol + rtol·|e|.
Exit 0 only if every case passes; --json prints one JSON document on stdout.`,
  async run(argv) {
    const flags = parseFlags(
      argv,
      { backend: 'string', mode: 'string', fixtures: 'string', grads: 'boolean', cases: 'string', json: 'boolean', verbose: 'boolean' },
      'conformance',
    );
    if (typeof flags.backend !== 'string') throw new SasError('E_INPUT', 'conformance: --backend is required (e.g. --backend ndarray)');
    const provider = await loadProvider(flags.backend);
    const mode = checkMode(provider, flags.mode as string | undefined);
    const backend = await provider.create({ mode });
    try {
      const report = await runConformance(backend, {
        tolerance: provider.tolerance(backend.mode),
        fixturesDir: flags.fixtures as string | undefined,
        grads: flags.grads === true,
        cases: typeof flags.cases === 'string' ? flags.cases.split(',') : undefined,
      });
      process.stdout.write(flags.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatReport(report)}\n`);
      return report.passed ? 0 : 1;
    } finally {
      await backend.dispose();
    }
  },
};
