// The bundled model fixtures against the library's model definition: names,
// shapes, frozen sets and the identity init (what does not need a backend),
// and the trained char model's generation fixture on the reference.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildModel, decodeCheckpoint, evaluateReference, frozenParams, initModel, leafName, parseSafetensors, tensor } from '@sas/core';
import { bundledModelFixturesDir, loadModelCaseTensors, loadModelFixtureSet } from './models/node.js';

const set = loadModelFixtureSet(bundledModelFixturesDir());

describe('bundled model fixtures', () => {
  it('has the six MODEL.md cases', () => {
    expect(set.cases.map((c) => c.name)).toEqual([
      'lm-sas-step',
      'lm-mha-step',
      'lm-gqa-step',
      'lm-sas-mqar-step',
      'lm-sas-identity-frozen',
      'lm-sas-no-features',
    ]);
  });

  for (const c of set.cases) {
    it(`${c.name}: buildModel's params are exactly the fixture's param.* names and shapes, and its frozen list is the manifest's`, () => {
      const tensors = loadModelCaseTensors(c);
      const graph = buildModel(c.config, { batch: c.batch, seqLen: c.seqLen, dtype: 'float64' });
      const params = graph.nodes.filter((n) => n.op === 'Param');
      expect(params.map(leafName).sort()).toEqual(Object.keys(tensors.params).sort());
      for (const p of params) expect(p.shape).toEqual(tensors.params[leafName(p)].shape);
      expect([...frozenParams(c.config)].sort()).toEqual([...c.frozen].sort());
      // grad.* covers exactly the trainable params
      const file = parseSafetensors(new Uint8Array(readFileSync(c.path)));
      const grads = [...file.tensors.keys()].filter((n) => n.startsWith('grad.')).map((n) => n.slice(5));
      expect(grads.sort()).toEqual(
        params
          .map(leafName)
          .filter((n) => !c.frozen.includes(n))
          .sort(),
      );
    });
  }

  it("lm-sas-identity-frozen: initModel's identity SAS maps equal the fixture's, value for value", () => {
    const c = set.cases.find((x) => x.init === 'identity')!;
    const ours = initModel(c.config, 0, { init: 'identity', dtype: 'float64' });
    const theirs = loadModelCaseTensors(c).params;
    const maps = Object.keys(theirs).filter((n) => n.includes('.attn.sas_'));
    expect(maps).toHaveLength(20);
    for (const name of maps) expect(Array.from(ours[name].data), name).toEqual(Array.from(theirs[name].data));
  });
});

describe('generation fixture: the trained char model on the reference', () => {
  const dir = join(bundledModelFixturesDir(), 'generation');
  const record = JSON.parse(readFileSync(join(dir, 'gen-sas-brown.json'), 'utf8')) as {
    vocab: string;
    prompt: string;
    promptLastLogits: number[];
    greedy: string;
    minMargin: number;
  };
  const checkpoint = decodeCheckpoint(new Uint8Array(readFileSync(join(dir, 'gen-sas-brown.safetensors'))), { source: 'gen-sas-brown.safetensors' });

  it('reads as a weights-only checkpoint: the model config and vocabulary from __metadata__, F32 params under MODEL.md names', () => {
    expect(checkpoint.step).toBe(0);
    expect(Object.keys(checkpoint.moments)).toEqual([]);
    expect(checkpoint.config.vocab).toBe(84);
    expect(JSON.parse(checkpoint.metadata!.vocab)).toBe(record.vocab);
    expect(checkpoint.params['tok.weight'].dtype).toBe('float32');
  });

  it("the prompt's last-position logits match promptLastLogits within 1e-9 (float64 from the F32 weights)", async () => {
    const ids = [...record.prompt].map((ch) => record.vocab.indexOf(ch));
    expect(ids.every((i) => i >= 0)).toBe(true);
    const t = ids.length;
    const graph = buildModel(checkpoint.config, { batch: 1, seqLen: t, dtype: 'float64', loss: false });
    const { logits } = await evaluateReference(graph, { ...checkpoint.params, ids: tensor(ids, [1, t]) });
    const v = checkpoint.config.vocab;
    const last = Array.from(logits.data.subarray((t - 1) * v, t * v));
    const worst = Math.max(...last.map((x, i) => Math.abs(x - record.promptLastLogits[i])));
    // The record keeps 10 decimals; the float64 evaluation agrees to that rounding.
    expect(worst).toBeLessThan(1e-9); // measured 5.0e-11
    expect(last.indexOf(Math.max(...last))).toBe(record.vocab.indexOf(record.greedy[0]));
  });
});
