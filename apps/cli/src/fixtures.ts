import { bundledFixturesDir, loadFixtureSet, type FixtureCase } from '@sas/conformance';
import { printable, SasError } from '@sas/core';
import { paperHeadFixturesDir } from '@sas/fixtures-paper-head';

/**
 * The fixture case `name` for `demo` and `export`: from `dir` when given,
 * else from @sas/conformance's bundled cases or the paper-head case
 * (@sas/fixtures-paper-head, a dependency of the CLI). An unknown name is one
 * line listing the cases there are.
 *
 * @example
 * ```ts
 * findFixtureCase('demo', 'sas-paper-head').config.simHeads; // 24
 * ```
 */
export function findFixtureCase(command: string, name: string, dir?: string): FixtureCase {
  const sets = (dir === undefined ? [bundledFixturesDir(), paperHeadFixturesDir()] : [dir]).map((d) => loadFixtureSet(d));
  for (const set of sets) {
    const found = set.cases.find((c) => c.name === name);
    if (found) return found;
  }
  const where = sets.map((s) => s.dir).join(' or ');
  const names = sets.flatMap((s) => s.cases.map((c) => c.name));
  throw new SasError('E_INPUT', `${command}: no case '${printable(name)}' in ${where} (cases: ${printable(names.join(', '))})`);
}
