import { describe, expect, it } from 'vitest';
import { decodeCheckpoint, encodeCheckpoint, initModel, parseSafetensors, serializeSafetensors, tensor, type ModelConfig, type Tensor } from '@sas/core';
import { sasError } from '../test-support/sas-error.js';

const config: ModelConfig = { vocab: 7, width: 8, layers: 1, heads: 2, maxSeqLen: 4, attention: { kind: 'mqa' } };
const params = initModel(config, 3);
const zerosLike = (t: Tensor): Tensor => ({ ...t, data: new Float32Array(t.data.length) });
const moments = Object.fromEntries(
  Object.entries(params).flatMap(([n, t]) => [
    [`opt.m.${n}`, zerosLike(t)],
    [`opt.v.${n}`, zerosLike(t)],
  ]),
);

describe('checkpoints', () => {
  it('round-trip params, moments, step, data position, optimizer and extra metadata; float32 stays F32, bit for bit', () => {
    const bytes = encodeCheckpoint({
      config,
      step: 12,
      params,
      moments,
      data: { shard: 3, offset: 4096 },
      optimizer: { kind: 'adamw', lr: 0.001 },
      metadata: { vocab: '"abcdefg"' },
    });
    const file = parseSafetensors(bytes);
    expect(file.metadata).toMatchObject({ format: 'sas-checkpoint', version: '1', step: '12', vocab: '"abcdefg"' });
    expect(file.storedDtypes.get('tok.weight')).toBe('F32');
    const back = decodeCheckpoint(bytes, { source: 'run.ckpt' });
    expect(back.config).toEqual({ ...config, attention: { kind: 'mqa', kvHeads: 1 } }); // written canonical
    expect([back.step, back.data, back.optimizer, back.metadata]).toEqual([
      12,
      { shard: 3, offset: 4096 },
      { kind: 'adamw', lr: 0.001 },
      { vocab: '"abcdefg"' },
    ]);
    expect(Object.keys(back.params).sort()).toEqual(Object.keys(params).sort());
    expect(Object.keys(back.moments)).toHaveLength(2 * Object.keys(params).length);
    expect(Array.from(back.params['blocks.0.mlp.fc.weight'].data)).toEqual(Array.from(params['blocks.0.mlp.fc.weight'].data));
  });

  it('reads a weights-only file (no moments, no step) with the config given or in its metadata', () => {
    const plain = serializeSafetensors(params);
    const ckpt = decodeCheckpoint(plain, { config });
    expect([ckpt.step, Object.keys(ckpt.moments).length]).toEqual([0, 0]);
    expect(sasError(() => decodeCheckpoint(plain, { source: 'w.safetensors' })).message).toBe(
      "w.safetensors: no model config: __metadata__ has no 'model' and none was given",
    );
  });

  const bad = (tensors: Record<string, Tensor>, metadata: Record<string, string> = { model: JSON.stringify(config) }) =>
    sasError(() => decodeCheckpoint(serializeSafetensors(tensors, { metadata }), { source: 'run.ckpt' }));

  it('names the first tensor that is missing, unexpected or mis-shaped, in one E_WEIGHTS line', () => {
    const { 'ln_f.bias': _dropped, ...missing } = params;
    for (const [e, message] of [
      [bad(missing), "run.ckpt: missing tensor 'ln_f.bias' of shape [8] that the model config needs"],
      [
        bad({ ...params, 'blocks.1.ln1.weight': tensor([1], [1]) }),
        "run.ckpt: unexpected tensor 'blocks.1.ln1.weight' (neither a parameter of the model config nor an optimizer moment of a trainable one)",
      ],
      [
        bad({ ...params, 'tok.weight': tensor(new Array(64).fill(0), [8, 8]) }),
        "run.ckpt: tensor 'tok.weight' has shape [8,8], but the model config needs [7,8]",
      ],
      [
        bad({ ...params, 'opt.m.tok.weight': moments['opt.m.tok.weight'] }),
        "run.ckpt: missing tensor 'opt.v.tok.weight' of shape [7,8] (the other optimizer moments are there)",
      ],
    ] as const) {
      expect([e.code, e.message]).toEqual(['E_WEIGHTS', message]);
    }
  });

  it('refuses a checkpoint written for another model than the run’s, and malformed metadata', () => {
    const bytes = encodeCheckpoint({ config, step: 1, params, moments: {} });
    const e = sasError(() => decodeCheckpoint(bytes, { source: 'run.ckpt', config: { ...config, layers: 2 } }));
    expect(e.message).toMatch(/^run\.ckpt: written for model \{"vocab":7,"width":8,"layers":1,.*\}, but this run's model is \{"vocab":7,"width":8,"layers":2,/);
    expect(bad(params, { model: JSON.stringify(config), step: '-1' }).message).toBe("run.ckpt: __metadata__ step must be a non-negative integer, got '-1'");
    expect(bad(params, { model: '{' }).message).toMatch(/^run\.ckpt: __metadata__ model is not valid JSON/);
    expect(bad(params, { model: JSON.stringify({ ...config, width: 9 }) }).message).toBe(
      'run.ckpt: __metadata__ model: config.width: expected a multiple of heads (2), got 9',
    );
    expect(bad(params, { model: JSON.stringify(config), format: 'pt' }).message).toBe("run.ckpt: __metadata__ format is 'pt', not 'sas-checkpoint'");
  });

  it('encodeCheckpoint refuses state that does not fit the config', () => {
    const e = sasError(() => encodeCheckpoint({ config: { ...config, vocab: 8 }, step: 0, params, moments: {} }));
    expect(e.message).toBe("encodeCheckpoint: tensor 'tok.weight' has shape [7,8], but the model config needs [8,8]");
  });
});
