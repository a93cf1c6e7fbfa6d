// Hostile input, class 2: sizes that come from users (graph JSON, safetensors
// headers, CLI shapes, benchmark inputs) are checked before anything is
// allocated; negative or non-integer dimensions are refused when a graph is loaded.

import { describe, expect, it } from 'vitest';
import {
  createReferenceBackend,
  exp,
  graphFromJSON,
  graphToJSON,
  GraphBuilder,
  matMul,
  randomNormal,
  MAX_SAFETENSORS_HEADER_BYTES,
  parseSafetensors,
  safetensorsHeaderLength,
  type GraphJSON,
} from '@sas/core';
import { catalogue, sas } from './record.js';

const { expectError, record } = catalogue('sizes');

/** A two-node graph JSON (Input x → Exp) with the input's shape replaced. */
function graphWithInputShape(shape: unknown[]): GraphJSON {
  const b = new GraphBuilder('float32');
  b.output('y', exp(b.input('x', [2, 3])));
  const json = graphToJSON(b.build());
  const [input, node] = json.nodes;
  return {
    ...json,
    nodes: [
      { ...input, shape: shape as number[], attrs: { ...input.attrs, shape } },
      { ...node, shape: shape as number[] },
    ],
  };
}

/** A safetensors file holding only a header (entries given as JSON text). */
function headerOnly(entries: string): Uint8Array {
  const header = new TextEncoder().encode(entries);
  const out = new Uint8Array(8 + header.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(header.length), true);
  out.set(header, 8);
  return out;
}

describe('catalogue: sizes from users — graph JSON dimensions are checked when the graph is loaded', () => {
  const bad: [string, unknown[], string][] = [
    ['a negative dimension', [-1, 3], 'dimension -1'],
    ['two negative dimensions whose product is positive', [-2, -3], 'dimension -2'],
    ['a fractional dimension', [2.5, 3], 'dimension 2.5'],
    ['a dimension beyond 2^53', [2 ** 60, 1], `dimension ${2 ** 60}`],
  ];
  for (const [situation, shape, what] of bad) {
    it(`refuses ${situation}`, () =>
      expectError(
        `graph JSON: ${situation}`,
        'E_SHAPE',
        `g.json: graph node 0 (Input): shape [${shape.map(String).join(',')}] has ${what}; dimensions are non-negative integers`,
        () => graphFromJSON(JSON.stringify(graphWithInputShape(shape)), 'g.json'),
      ));
  }

  it('refuses a dimension written as a string', () =>
    expectError('graph JSON: a dimension written as a string', 'E_GRAPH', 'g.json: node 0 attribute shape: expected a number, got "2"', () =>
      graphFromJSON(JSON.stringify(graphWithInputShape(['2', 3])), 'g.json'),
    ));

  it('refuses an element count beyond what a double counts exactly', () =>
    expectError(
      'graph JSON: element count past 2^53',
      'E_SHAPE',
      /^g\.json: graph node 0 \(Input\): shape \[4294967296,4294967296\] has more elements than can be counted exactly/,
      () => graphFromJSON(JSON.stringify(graphWithInputShape([2 ** 32, 2 ** 32])), 'g.json'),
    ));

  it('refuses a Constant whose negative shape would have matched a one-element value', () => {
    const b = new GraphBuilder('float32');
    b.output('y', exp(b.input('x', [1])));
    const json = graphToJSON(b.build());
    const constant = { op: 'Constant', inputs: [], attrs: { shape: [-1, -1], value: [0] }, shape: [-1, -1] };
    return expectError('graph JSON: Constant of shape [-1,-1]', 'E_SHAPE', /^g\.json: graph node 0 \(Constant\): shape \[-1,-1\] has dimension -1/, () =>
      graphFromJSON({ ...json, nodes: [constant, ...json.nodes.map((n) => n)] }, 'g.json'),
    );
  });

  it('loads a graph whose product is huge, and a run refuses it before allocating', async () => {
    const b = new GraphBuilder('float64');
    b.output('y', matMul(b.input('x', [50_000, 1]), b.input('z', [1, 50_000])));
    const graph = graphFromJSON(JSON.stringify(graphToJSON(b.build())), 'g.json');
    await expectError(
      'graph JSON: a valid graph too large to run',
      'E_BACKEND',
      "backend 'reference' (float64): node 2 (MatMul) of shape [50000,50000] has 2500000000 elements, more than the 2147483647 one tensor may hold here (refused before allocating; use a smaller seqLen or batch)",
      () => createReferenceBackend().run(graph, { x: randomNormal([50_000, 1], 1), z: randomNormal([1, 50_000], 2) }),
    );
  });
});

describe('catalogue: sizes from users — safetensors headers are checked before allocating', () => {
  it('refuses a tensor of more elements than a typed array holds, before allocating it', () =>
    expectError(
      'safetensors: tensor over 2^31 - 1 elements',
      'E_SAFETENSORS',
      "big.safetensors: tensor 'w': shape [65536,65536] has 4294967296 elements, more than the 2147483647 one tensor may hold (refused before allocating)",
      () => parseSafetensors(headerOnly('{"w":{"dtype":"F16","shape":[65536,65536],"data_offsets":[0,8589934592]}}'), 'big.safetensors'),
    ));

  it(`refuses a header longer than ${MAX_SAFETENSORS_HEADER_BYTES} bytes before reading it`, () => {
    const first8 = new Uint8Array(8);
    new DataView(first8.buffer).setBigUint64(0, BigInt(MAX_SAFETENSORS_HEADER_BYTES + 1), true);
    return expectError(
      'safetensors: header over 100 MB',
      'E_SAFETENSORS',
      'huge.safetensors: header claims 100000001 bytes, more than the 100000000 this library reads',
      () => safetensorsHeaderLength(first8, 2 ** 40, 'huge.safetensors'),
    );
  });

  it('refuses a shape whose byte size overflows, as a lying header', () =>
    expectError(
      'safetensors: shape whose byte count is not exact',
      'E_SAFETENSORS',
      /^h\.safetensors: tensor 'w': shape \[9007199254740991,9007199254740991\] has \S+ elements, more than the 2147483647 one tensor may hold/,
      () => parseSafetensors(headerOnly('{"w":{"dtype":"F64","shape":[9007199254740991,9007199254740991],"data_offsets":[0,0]}}'), 'h.safetensors'),
    ));
});

describe('catalogue: sizes from users — CLI shapes and benchmark inputs are checked before allocating', () => {
  it('bench refuses a shape whose inputs exceed a tensor, naming the tensor', () => {
    const r = sas(['bench', '--backend', 'reference', '--shape', '1,100000000,12,64,24,128']);
    expect(r.code).toBe(2);
    const line =
      'sas: --shape: query of shape [1,100000000,12,64] has 76800000000 elements, more than the 2147483647 one tensor may hold (refused before allocating)';
    expect(r.stderr).toBe(`${line}\n`);
    record({ code: 'E_INPUT', situation: 'CLI bench: a shape too large for one tensor', message: line });
  });

  // Inputs larger than the machine's memory: apps/cli/src/bench/capacity.test.ts (a fixed memory size there;
  // through the CLI the outcome would depend on the machine, and a large one would try to allocate).

  it('bench-suite refuses a sequence length before running any case', () => {
    const r = sas(['bench-suite', '--seq-lens', '512,100000000', '--backends', 'ndarray', '--out', '/nonexistent-dir/x.json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'sas: --seq-lens 100000000 (sas): query of shape [1,100000000,12,64] has 76800000000 elements, more than the 2147483647 one tensor may hold (refused before allocating)\n',
    );
  });
});
