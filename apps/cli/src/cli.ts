import { printable, SasError } from '@sas/core';
import type { Command } from './command.js';
import { conformanceCommand } from './commands/conformance.js';
import { demoCommand } from './commands/demo.js';
import { benchCommand } from './commands/bench.js';
import { benchSuiteCommand } from './commands/bench-suite.js';
import { benchTrainCommand } from './commands/bench-train.js';
import { exportCommand } from './commands/export.js';
import { generateCommand } from './commands/generate.js';
import { benchGenerateCommand } from './commands/bench-generate.js';
import { trainCommand } from './commands/train.js';
import { experimentCommand } from './commands/experiment.js';

const COMMANDS: readonly Command[] = [
  demoCommand,
  conformanceCommand,
  trainCommand,
  experimentCommand,
  generateCommand,
  benchCommand,
  benchTrainCommand,
  benchSuiteCommand,
  benchGenerateCommand,
  exportCommand,
];

function topHelp(): string {
  return [
    'usage: sas <command> [flags]   (from the repository root: pnpm sas <command>)',
    '',
    'Simulated Attention Score (SAS) attention in JavaScript.',
    '',
    'commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(15)} ${c.summary}`),
    '',
    "Run 'sas <command> --help' for a command's flags. --verbose shows stack traces on errors.",
  ].join('\n');
}

/** Runs the CLI on `argv` (without node and script); resolves to the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const verbose = argv.includes('--verbose');
  const [name, ...rest] = argv;
  try {
    if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
      process.stdout.write(`${topHelp()}\n`);
      return name === undefined ? 2 : 0;
    }
    const command = COMMANDS.find((c) => c.name === name);
    if (!command) throw new SasError('E_INPUT', `unknown command '${printable(name)}' (commands: ${COMMANDS.map((c) => c.name).join(', ')})`);
    if (rest.includes('--help') || rest.includes('-h')) {
      process.stdout.write(`${command.usage}\n`);
      return 0;
    }
    return await command.run(rest);
  } catch (e) {
    const err = e as Error;
    // One line, whatever a name from a file or the command line held.
    process.stderr.write(`sas: ${err instanceof SasError ? '' : 'internal error: '}${printable(String(err?.message ?? err))}\n`);
    if (verbose && err?.stack) process.stderr.write(`${err.stack}\n`);
    return 2;
  }
}
