#!/usr/bin/env node
// Writes docs/ops.md from scripts/ops.template.md and the op definitions
// (packages/core/src/ops/), through the built core: run it as `pnpm docs:ops`,
// which builds first. packages/core/src/ops/docs.test.ts fails while the
// committed page differs from what this writes.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from '../packages/conformance/dist/index.js';
import { renderOpsDoc } from '../packages/core/dist/ops/docs.js';

const template = readFileSync(new URL('./ops.template.md', import.meta.url), 'utf8');
const target = fileURLToPath(new URL('../docs/ops.md', import.meta.url));
writeFileAtomic(target, renderOpsDoc(template), { force: true });
process.stdout.write(`wrote ${target}\n`);
