// tsc --noEmit without skipLibCheck over files that import the installed
// packages, under the three module resolutions users have.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { check, run } from './shell.mjs';

/** The resolutions of issue #19: `module` and `moduleResolution` for each. */
export const RESOLUTIONS = [
  { name: 'nodenext', module: 'nodenext', moduleResolution: 'nodenext' },
  { name: 'node16', module: 'node16', moduleResolution: 'node16' },
  { name: 'bundler', module: 'esnext', moduleResolution: 'bundler' },
];

/**
 * Errors in third-party declaration files that no setting but skipLibCheck
 * silences, so they are tolerated by name, never by count: tfjs-layers 4.22's
 * .d.ts break strict mode (TS2411 index signatures, TS2420 LayersModel), and
 * tfjs-core 4.22 pins @webgpu/types 0.1.38, whose declarations collide with
 * the WebGPU types TypeScript's own lib.dom.d.ts now has. Errors anywhere
 * else (our packages above all) fail the check.
 */
const UPSTREAM = [
  { where: /node_modules\/@tensorflow\/tfjs-layers\/dist\//, codes: ['TS2411', 'TS2420'], why: 'tfjs-layers 4.22 .d.ts under strict' },
  { where: /node_modules\/@webgpu\/types\//, codes: ['TS2300', 'TS2403', 'TS2687', 'TS2717'], why: '@webgpu/types 0.1.38 (tfjs-core) against lib.dom' },
  { where: /\/lib\/lib\.dom\.d\.ts$/, codes: ['TS2300', 'TS2687'], why: 'lib.dom against @webgpu/types 0.1.38 (tfjs-core)' },
];

/** Parses tsc's `file(line,col): error TSnnnn: message` lines. */
function parseErrors(output) {
  return output
    .split('\n')
    .map((line) => /^(.+?)\((\d+),(\d+)\): error (TS\d+): (.*)$/.exec(line.trim()))
    .filter(Boolean)
    .map(([, file, lineNo, , code, message]) => ({ file, line: Number(lineNo), code, message }));
}

/**
 * Type-checks `file` in `dir` under one resolution, strict, `skipLibCheck:
 * false`, with only the ambient `types` given. Without `tolerateUpstream`
 * any error fails; with it, only the errors listed in UPSTREAM pass, and
 * their count per source is returned for the log.
 */
export function typecheck(dir, file, resolution, { types = [], tolerateUpstream = false } = {}) {
  const config = `tsconfig.${file.replace(/\.ts$/, '')}.${resolution.name}.json`;
  const compilerOptions = {
    target: 'es2022',
    lib: ['es2022', 'dom'],
    module: resolution.module,
    moduleResolution: resolution.moduleResolution,
    strict: true,
    skipLibCheck: false,
    noEmit: true,
    types,
  };
  writeFileSync(join(dir, config), `${JSON.stringify({ compilerOptions, files: [file] }, null, 2)}\n`);
  const r = run(join(dir, 'node_modules/.bin/tsc'), ['-p', config, '--pretty', 'false'], { cwd: dir, allowFailure: true, timeoutSeconds: 300 });
  const errors = parseErrors(r.stdout);
  check(r.code === 0 || errors.length > 0, () => `tsc -p ${config} exited ${r.code} without an error line:\n${r.stdout}${r.stderr}`);
  const tolerated = {};
  const failing = errors.filter((e) => {
    const rule = tolerateUpstream && UPSTREAM.find((u) => u.where.test(e.file) && u.codes.includes(e.code));
    if (rule) tolerated[rule.why] = (tolerated[rule.why] ?? 0) + 1;
    return !rule;
  });
  check(
    failing.length === 0,
    () =>
      `tsc (${resolution.name}, strict, no skipLibCheck) on ${file}: ${failing.length} error(s):\n${failing.map((e) => `  ${e.file}(${e.line}): ${e.code} ${e.message}`).join('\n')}`,
  );
  return tolerated;
}
