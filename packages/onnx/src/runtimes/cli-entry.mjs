// Deno / Bun entry: `<runtime> cli-entry.mjs REPO_ROOT CASE path|package` prints one JSON line.
// 'path' imports packages/core/dist/index.js by file URL; 'package' imports
// '@sas/core' by name, resolved through node_modules and the package's
// "exports" map as an installed dependency would be. Only standard ESM plus
// node:fs, which both runtimes provide.
import { readFileSync } from 'node:fs';
import { smoke } from './smoke.mjs';

const args = globalThis.Deno ? globalThis.Deno.args : process.argv.slice(2);
const [root, caseName, how = 'path'] = args;
const core = how === 'package' ? await import('@sas/core') : await import(new URL(`file://${root}/packages/core/dist/index.js`).href);
const fixtures = `${root}/packages/conformance/fixtures`;
const entry = JSON.parse(readFileSync(`${fixtures}/manifest.json`, 'utf8')).cases.find((c) => c.name === caseName);
const bytes = new Uint8Array(readFileSync(`${fixtures}/${entry.file}`));
const result = await smoke(core, bytes, entry);
const runtime = globalThis.Deno ? `deno ${globalThis.Deno.version.deno}` : globalThis.Bun ? `bun ${globalThis.Bun.version}` : `node ${process.version}`;
console.log(JSON.stringify({ runtime, case: caseName, how, ...result }));
