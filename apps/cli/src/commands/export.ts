import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { loadCaseTensors, writeFileAtomic } from '@sas/conformance';
import {
  buildLayer,
  loadAuthorsWeights,
  missingPackageOf,
  saveAuthorsWeights,
  SasError,
  validateConfig,
  type DType,
  type LayerConfig,
  type Tensor,
} from '@sas/core';
import { parseFlags, type Flags } from '../args.js';
import type { Command } from '../command.js';
import { findFixtureCase } from '../fixtures.js';

const FORMATS = ['onnx', 'graph', 'safetensors'] as const;
type Format = (typeof FORMATS)[number];

/** The ONNX opset @sas/onnx writes, for the help text without loading it (export.test.ts holds it to ONNX_OPSET). */
const HELP_ONNX_OPSET = 18;

/** @sas/onnx writes ONNX models and graph bundles; it is an optional peer of the CLI, loaded only by those formats. */
async function importOnnx(format: Format): Promise<typeof import('@sas/onnx')> {
  try {
    return await import('@sas/onnx');
  } catch (e) {
    if (missingPackageOf(e) !== '@sas/onnx') throw e;
    throw new SasError('E_DEPENDENCY', `export --format ${format} needs the package @sas/onnx, which is not installed here (npm i @sas/onnx)`);
  }
}

/** The layer to export: its configuration and weights, from a fixture case or from files. */
function loadSource(flags: Flags): { config: LayerConfig; weights: Record<string, Tensor>; source: string } {
  const fixture = flags.fixture as string | undefined;
  const weightsFile = flags.weights as string | undefined;
  const configFile = flags.config as string | undefined;
  if (fixture !== undefined && (weightsFile !== undefined || configFile !== undefined)) {
    throw new SasError('E_INPUT', 'export: give either --fixture CASE or --weights FILE --config FILE, not both');
  }
  if (fixture !== undefined) {
    const c = findFixtureCase('export', fixture, flags.fixtures as string | undefined);
    return { config: c.config, weights: loadCaseTensors(c).params, source: `fixture ${c.name}` };
  }
  if (weightsFile === undefined || configFile === undefined) {
    throw new SasError('E_INPUT', 'export: say what to export: --fixture CASE, or --weights FILE.safetensors with --config FILE.json');
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(configFile, 'utf8'));
  } catch (e) {
    throw new SasError('E_IO', `export: cannot read the layer configuration ${configFile} (${(e as Error).message})`);
  }
  let config: LayerConfig;
  try {
    config = validateConfig(raw);
  } catch (e) {
    throw new SasError('E_CONFIG', `${configFile}: ${(e as Error).message}`);
  }
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(weightsFile));
  } catch (e) {
    throw new SasError('E_IO', `export: cannot read weights ${weightsFile} (${(e as Error).message})`);
  }
  return { config, weights: loadAuthorsWeights(bytes, config, weightsFile), source: weightsFile };
}

/** Refuses up front when a target exists (so a two-file export writes nothing), or its directory does not. */
function checkTargets(paths: readonly string[], force: boolean): void {
  for (const p of paths) {
    const dir = dirname(p);
    if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new SasError('E_IO', `export: directory ${dir} does not exist`);
    if (existsSync(p) && statSync(p).isDirectory()) throw new SasError('E_IO', `export: ${p} is a directory`);
    if (!force && existsSync(p)) throw new SasError('E_IO', `export: ${p} already exists (pass --force to overwrite)`);
  }
}

export const exportCommand: Command = {
  name: 'export',
  summary: "write a layer as an ONNX model, a JSON graph with safetensors weights, or authors' safetensors",
  usage: `sas export --format onnx|graph|safetensors (--fixture CASE [--fixtures DIR] | --weights FILE.safetensors --config FILE.json)
           --out FILE [--dtype float32|float64] [--outputs A,B] [--force] [--json]

Builds the layer (SAS, MHA, GQA or MQA; causal or bidirectional, from the
configuration) with its weights and writes
  onnx         an ONNX model (opset ${HELP_ONNX_OPSET}): inputs query, key, value; weights as
               initializers under the authors' names; outputs output and trace.*
  graph        FILE: the versioned JSON graph (docs/graph-format.md), and beside it
               FILE minus .json plus .safetensors: the weights, in the graph's dtype
  safetensors  the weights under the authors' state_dict names (their PyTorch
               module loads them with load_state_dict)
--config is a JSON layer configuration, e.g.
  {"kind":"sas","batch":1,"seqLen":8,"heads":2,"headDim":4,"simHeads":4,"simHeadDim":8,"kernelSize":3,"causal":true}
Default dtype float32. Files are written to a temporary name in the same
directory and renamed into place; an existing file is kept unless --force.`,
  async run(argv) {
    const flags = parseFlags(
      argv,
      {
        format: 'string',
        fixture: 'string',
        fixtures: 'string',
        weights: 'string',
        config: 'string',
        out: 'string',
        dtype: 'string',
        outputs: 'string',
        force: 'boolean',
        json: 'boolean',
        verbose: 'boolean',
      },
      'export',
    );
    const format = flags.format as Format | undefined;
    if (format === undefined) throw new SasError('E_INPUT', `export: --format is required (${FORMATS.join(', ')})`);
    if (!FORMATS.includes(format)) throw new SasError('E_INPUT', `export: --format must be one of ${FORMATS.join(', ')}, got '${format}'`);
    if (typeof flags.out !== 'string') throw new SasError('E_INPUT', 'export: --out FILE is required');
    const dtype = (flags.dtype ?? 'float32') as DType;
    if (dtype !== 'float32' && dtype !== 'float64') throw new SasError('E_INPUT', `export: --dtype must be float32 or float64, got '${String(flags.dtype)}'`);
    const force = flags.force === true;
    const out = resolve(flags.out);
    const onnx = format === 'safetensors' ? undefined : await importOnnx(format);
    const targets = format === 'graph' && onnx ? [out, onnx.weightsPathFor(out)] : [out];
    checkTargets(targets, force);

    const { config, weights, source } = loadSource(flags);
    const graph = buildLayer(config, { dtype });
    const outputs = typeof flags.outputs === 'string' ? flags.outputs.split(',') : undefined;
    const written: { path: string; bytes: number }[] = [];
    const write = (path: string, data: Uint8Array | string) => {
      // Temporary file, fsync, then a rename (--force) or a hard link that cannot clobber a file that appeared since checkTargets.
      writeFileAtomic(path, data, { force });
      written.push({ path, bytes: typeof data === 'string' ? Buffer.byteLength(data) : data.length });
    };
    if (format === 'onnx' && onnx) {
      write(
        out,
        onnx.exportOnnx(graph, {
          weights,
          outputs,
          docString: `${config.kind} layer exported by sas export from ${source}`,
          metadata: { config: JSON.stringify(config) },
        }),
      );
    } else if (format === 'graph' && onnx) {
      if (outputs) throw new SasError('E_INPUT', 'export: --outputs applies to --format onnx only');
      const bundle = onnx.serializeGraphBundle(graph, weights);
      write(onnx.weightsPathFor(out), bundle.safetensors);
      write(out, bundle.json);
    } else {
      write(out, saveAuthorsWeights(weights, config, { dtype: dtype === 'float32' ? 'F32' : 'F64', metadata: { config: JSON.stringify(config) } }));
    }
    const summary = { format, dtype, source, config, files: written };
    if (flags.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
    else
      process.stdout.write(
        `${written.map((w) => `wrote ${w.path} (${w.bytes} bytes)`).join('\n')}\n${config.kind} layer from ${source}, ${dtype}${format === 'onnx' && onnx ? `, ONNX opset ${onnx.ONNX_OPSET}` : ''}\n`,
      );
    return 0;
  },
};
