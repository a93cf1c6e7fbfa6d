import { resolve } from 'node:path';
import {
  bundledFixturesDir,
  checkWriteTargets,
  loadCaseTensors,
  loadFixtureSet,
  readRegularFile,
  readSafetensorsFile,
  writeFilesAtomic,
} from '@sas/conformance';
import {
  authorsWeights,
  buildLayer,
  parseJsonText,
  printable,
  saveAuthorsWeights,
  SasError,
  validateConfig,
  type DType,
  type LayerConfig,
  type Tensor,
} from '@sas/core';
import { exportOnnx, ONNX_OPSET, serializeGraphBundle, weightsPathFor } from '@sas/onnx';
import { parseFlags, type Flags } from '../args.js';
import type { Command } from '../command.js';

const FORMATS = ['onnx', 'graph', 'safetensors'] as const;
type Format = (typeof FORMATS)[number];

/** A layer configuration file is a few hundred bytes; 1 MiB is generous. */
const MAX_CONFIG_BYTES = 1024 * 1024;

/** The layer to export: its configuration and weights, from a fixture case or from files. */
function loadSource(flags: Flags): { config: LayerConfig; weights: Record<string, Tensor>; source: string } {
  const fixture = flags.fixture as string | undefined;
  const weightsFile = flags.weights as string | undefined;
  const configFile = flags.config as string | undefined;
  if (fixture !== undefined && (weightsFile !== undefined || configFile !== undefined)) {
    throw new SasError('E_INPUT', 'export: give either --fixture CASE or --weights FILE --config FILE, not both');
  }
  if (fixture !== undefined) {
    const set = loadFixtureSet((flags.fixtures as string | undefined) ?? bundledFixturesDir());
    const c = set.cases.find((x) => x.name === fixture);
    if (!c)
      throw new SasError('E_INPUT', `export: no case '${printable(fixture)}' in ${set.dir} (cases: ${printable(set.cases.map((x) => x.name).join(', '))})`);
    return { config: c.config, weights: loadCaseTensors(c).params, source: `fixture ${c.name}` };
  }
  if (weightsFile === undefined || configFile === undefined) {
    throw new SasError('E_INPUT', 'export: say what to export: --fixture CASE, or --weights FILE.safetensors with --config FILE.json');
  }
  // Regular files only, of bounded size, nested JSON refused: a FIFO or /dev/zero given here must not hang the command.
  const text = new TextDecoder().decode(readRegularFile(configFile, { what: 'layer configuration', maxBytes: MAX_CONFIG_BYTES }));
  const raw = parseJsonText(text, configFile, 'E_CONFIG');
  let config: LayerConfig;
  try {
    config = validateConfig(raw);
  } catch (e) {
    throw new SasError('E_CONFIG', `${configFile}: ${(e as Error).message}`);
  }
  const contents = readSafetensorsFile(weightsFile, { what: 'weight file' });
  return { config, weights: authorsWeights(contents, config, weightsFile), source: weightsFile };
}

export const exportCommand: Command = {
  name: 'export',
  summary: "write a layer as an ONNX model, a JSON graph with safetensors weights, or authors' safetensors",
  usage: `sas export --format onnx|graph|safetensors (--fixture CASE [--fixtures DIR] | --weights FILE.safetensors --config FILE.json)
           --out FILE [--dtype float32|float64] [--outputs A,B] [--force] [--json]

Builds the layer (SAS, MHA, GQA or MQA; causal or bidirectional, from the
configuration) with its weights and writes
  onnx         an ONNX model (opset ${ONNX_OPSET}): inputs query, key, value; weights as
               initializers under the authors' names; output 'output' (--outputs
               names others, e.g. --outputs output,trace.attention)
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
    if (!FORMATS.includes(format)) throw new SasError('E_INPUT', `export: --format must be one of ${FORMATS.join(', ')}, got '${printable(format)}'`);
    if (typeof flags.out !== 'string') throw new SasError('E_INPUT', 'export: --out FILE is required');
    const dtype = (flags.dtype ?? 'float32') as DType;
    if (dtype !== 'float32' && dtype !== 'float64')
      throw new SasError('E_INPUT', `export: --dtype must be float32 or float64, got '${printable(String(flags.dtype))}'`);
    const force = flags.force === true;
    const out = resolve(flags.out);
    const targets = format === 'graph' ? [out, weightsPathFor(out)] : [out];
    // Refused up front, before the weights are read; checked again when written (all or nothing).
    checkWriteTargets(targets, { force });

    const { config, weights, source } = loadSource(flags);
    const graph = buildLayer(config, { dtype });
    const outputs = typeof flags.outputs === 'string' ? flags.outputs.split(',') : undefined;
    const files: { path: string; data: Uint8Array | string }[] = [];
    if (format === 'onnx') {
      const docString = `${config.kind} layer exported by sas export from ${source}`;
      files.push({ path: out, data: exportOnnx(graph, { weights, outputs, docString, metadata: { config: JSON.stringify(config) } }) });
    } else if (format === 'graph') {
      if (outputs) throw new SasError('E_INPUT', 'export: --outputs applies to --format onnx only');
      const bundle = serializeGraphBundle(graph, weights);
      files.push({ path: weightsPathFor(out), data: bundle.safetensors }, { path: out, data: bundle.json });
    } else {
      const data = saveAuthorsWeights(weights, config, { dtype: dtype === 'float32' ? 'F32' : 'F64', metadata: { config: JSON.stringify(config) } });
      files.push({ path: out, data });
    }
    // Both files of a graph export land together or not at all; fsynced, temp files removed even on SIGINT.
    writeFilesAtomic(files, { force });
    const written = files.map((f) => ({ path: f.path, bytes: typeof f.data === 'string' ? Buffer.byteLength(f.data) : f.data.length }));
    const summary = { format, dtype, source, config, files: written };
    if (flags.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
    else
      process.stdout.write(
        `${written.map((w) => `wrote ${w.path} (${w.bytes} bytes)`).join('\n')}\n${config.kind} layer from ${source}, ${dtype}${format === 'onnx' ? `, ONNX opset ${ONNX_OPSET}` : ''}\n`,
      );
    return 0;
  },
};
