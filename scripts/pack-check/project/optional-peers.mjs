// Run in the small project: what needs an optional package not installed
// there fails in one line naming the package to install.
import { fuzzBackend } from '@sas/conformance/fuzz';
import { createReferenceBackend } from '@sas/core';

const expectations = [];
async function expectOneLine(what, run, pattern) {
  try {
    await run();
  } catch (e) {
    const line = String(e?.message);
    if (!pattern.test(line) || line.includes('\n')) throw new Error(`${what}: unexpected error: ${line}`);
    expectations.push(`${what}: ${e.code}: ${line}`);
    return;
  }
  throw new Error(`${what}: ran without the optional package`);
}

const reference = createReferenceBackend();
await expectOneLine(
  'fuzzBackend without fast-check',
  () => fuzzBackend(reference, { tolerance: { atol: 1e-9, rtol: 1e-9 }, layerRuns: 1, opRuns: 1 }),
  /^fuzzBackend needs the package fast-check, which is not installed here \(npm i -D fast-check@/,
);
if (process.argv.includes('--attention')) {
  const { createBackend } = await import('@sas/attention');
  for (const [name, pkg] of [
    ['tfjs', '@sas/backend-tfjs'],
    ['gpujs', '@sas/backend-gpujs'],
    ['onnx', '@sas/onnx'],
  ]) {
    await expectOneLine(
      `createBackend('${name}') without ${pkg}`,
      () => createBackend(name),
      new RegExp(`^backend '${name}' needs the package ${pkg}, which is not installed here \\(npm i ${pkg}`),
    );
  }
}
console.log(expectations.join('\n'));
