import { compareTensors, loadCaseTensors } from '@sas/conformance';
import { buildLayer, countParams, estimateFlops, type LayerConfig } from '@sas/core';
import { parseFlags } from '../args.js';
import { checkMode, loadBackendProvider } from '../backends.js';
import type { Command } from '../command.js';
import { DEFAULT_BACKEND } from '../defaults.js';
import { findFixtureCase } from '../fixtures.js';
import { demoGeneration } from '../generate/demo-line.js';

const human = (n: number) =>
  n >= 1e9 ? `${(n / 1e9).toFixed(2)} G` : n >= 1e6 ? `${(n / 1e6).toFixed(2)} M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)} k` : String(n);

function describeConfig(c: LayerConfig): string {
  const base = `B=${c.batch} T=${c.seqLen} H=${c.heads} D=${c.headDim}`;
  return c.kind === 'sas'
    ? `${base} → H'=${c.simHeads} D'=${c.simHeadDim}, k=${c.kernelSize}, ${c.causal ? 'causal' : 'bidirectional'}`
    : `${base}, kvHeads=${c.kvHeads}, ${c.causal ? 'causal' : 'bidirectional'}`;
}

export const demoCommand: Command = {
  name: 'demo',
  summary: "run the SAS layer on the authors' weights, show it reproduces their output, then generate a line",
  usage: `sas demo [--backend NAME] [--mode MODE] [--case NAME] [--fixtures DIR] [--json]

Loads a fixture case's weights and inputs (default: sas-paper-head, the paper's
head shape H=12, D=64, H'=24, D'=128; without --fixtures, any case of
@sas/conformance or @sas/fixtures-paper-head), runs the SAS layer on the backend
(default: ${DEFAULT_BACKEND}), compares with the output the authors' PyTorch
code produced, and prints parameter count and FLOPs beside an MHA of the same
width. Then the bundled char GPT (MODEL.md's generation fixture) continues
its prompt greedily with cached decoding, streamed as it comes, and the text
is checked against PyTorch's. Exit 1 if the output does not match within the
backend's tolerance, or the text differs.`,
  async run(argv) {
    const flags = parseFlags(argv, { backend: 'string', mode: 'string', case: 'string', fixtures: 'string', json: 'boolean', verbose: 'boolean' }, 'demo');
    const fixture = findFixtureCase('demo', (flags.case as string | undefined) ?? 'sas-paper-head', flags.fixtures as string | undefined);
    const provider = await loadBackendProvider((flags.backend as string | undefined) ?? DEFAULT_BACKEND);
    const mode = checkMode(provider, flags.mode as string | undefined);
    const backend = await provider.create({ mode });
    const tolerance = provider.tolerance(backend.mode);
    try {
      const tensors = loadCaseTensors(fixture);
      const graph = buildLayer(fixture.config, { dtype: backend.dtypes[0] });
      const feeds = { ...tensors.inputs, ...tensors.params };
      await backend.run(graph, feeds, { outputs: ['output'] }); // warm-up: kernels compile, caches fill
      const start = performance.now();
      const { output } = await backend.run(graph, feeds, { outputs: ['output'] });
      const ms = performance.now() - start;
      const cmp = compareTensors('output', output, tensors.expected.output, tolerance.atol, tolerance.rtol);
      const c = fixture.config;
      const mha: LayerConfig = { kind: 'mha', batch: c.batch, seqLen: c.seqLen, heads: c.heads, headDim: c.headDim, kvHeads: c.heads, causal: c.causal };
      const rows = [
        { layer: c.kind.toUpperCase(), params: countParams(c), flops: estimateFlops(c).total },
        ...(c.kind === 'sas' ? [{ layer: 'MHA', params: countParams(mha), flops: estimateFlops(mha).total }] : []),
      ];
      const summary = {
        case: fixture.name,
        config: c,
        backend: backend.name,
        mode: backend.mode,
        dtype: backend.dtypes[0],
        forwardMs: ms,
        maxAbsError: cmp.maxAbs,
        maxRelError: cmp.maxRel,
        tolerance,
        reproduces: cmp.passed,
        comparison: rows,
      };
      if (flags.json) {
        const generation = await demoGeneration(backend);
        process.stdout.write(`${JSON.stringify({ ...summary, generation }, null, 2)}\n`);
        return cmp.passed && generation.matchesReference ? 0 : 1;
      } else {
        const lines = [
          `${fixture.name}: ${describeConfig(c)}`,
          `backend ${backend.name} (${backend.mode}), ${backend.dtypes[0]}: forward ${ms.toFixed(1)} ms`,
          `vs the authors' output (float64 PyTorch): max |err| ${cmp.maxAbs.toExponential(2)}, tolerance ${tolerance.atol} + ${tolerance.rtol}·|e| → ${cmp.passed ? 'reproduced' : 'NOT reproduced'}`,
          '',
          `${'layer'.padEnd(8)}${'params'.padStart(12)}${'forward FLOPs'.padStart(16)}`,
          ...rows.map((r) => `${r.layer.padEnd(8)}${human(r.params).padStart(12)}${human(r.flops).padStart(16)}`),
          ...(c.kind === 'sas'
            ? [
                `SAS simulates ${c.simHeads} heads of width ${c.simHeadDim} with ${((rows[0].params / rows[1].params - 1) * 100).toFixed(1)}% more parameters than the ${c.heads}-head MHA.`,
              ]
            : []),
        ];
        process.stdout.write(`${lines.join('\n')}\n`);
      }
      const generation = await demoGeneration(backend, (text) => process.stdout.write(text));
      return cmp.passed && generation.matchesReference ? 0 : 1;
    } finally {
      await backend.dispose();
    }
  },
};
