// The model-op suite itself: its cases pass on the float64 reference (whose
// primitive decompositions are held to the ops' definitions here), cover
// every op, view and oracle, and catch kernels that are wrong in the ways a
// fast kernel can be (a clamped instead of an unmatched id, a variance
// taken as E[x²] − E[x]², a log-sum-exp subtracted at full magnitude).
import { createKernelBackend, createReferenceBackend, OPS, REFERENCE_KERNELS, type GraphContext, type KernelTable, type RefTensor } from '@sas/core';
import { describe, expect, it } from 'vitest';
import { MODEL_OP_NAMES, modelOpCases } from './model-ops/cases.js';
import { formatModelOpCase, runModelOpCase } from './model-ops/check.js';
import { OPERAND_VIEWS } from './model-ops/operands.js';

const reference = createReferenceBackend();

/** A float32 backend over the reference kernels plus `extra` model-op kernels, each result rounded to float32 as a float32 kernel's would be. */
function float32Backend(extra: Partial<KernelTable<RefTensor, GraphContext>>) {
  return createKernelBackend<RefTensor, GraphContext>({
    name: 'test-float32',
    mode: 'cpu',
    dtypes: ['float32'],
    kernels: { ...REFERENCE_KERNELS, ...extra } as KernelTable<RefTensor, GraphContext>,
    context: (graph) => ({ graph }),
    upload: (t) => ({ shape: t.shape, data: Float64Array.from(t.data) }),
    download: (h, node) => ({ dtype: node.dtype, shape: [...h.shape], data: Float32Array.from(h.data) }),
    release: () => {},
  });
}

describe('modelOpCases', () => {
  const cases = modelOpCases();

  it('covers every model op, every operand view and every oracle, deterministically', () => {
    expect(new Set(cases.map((c) => c.op))).toEqual(new Set(MODEL_OP_NAMES));
    const views = new Set(cases.flatMap((c) => c.name.match(/via (\S+)/)?.[1].split('+') ?? ['plain']));
    expect([...views].sort()).toEqual([...OPERAND_VIEWS].sort());
    expect(new Set(cases.map((c) => c.oracle))).toEqual(new Set(['definition', 'decomposition', 'given']));
    expect(modelOpCases().map((c) => c.name)).toEqual(cases.map((c) => c.name));
    expect(modelOpCases({ seed: 2 }).map((c) => c.name)).not.toEqual(cases.map((c) => c.name));
  });

  it('every case passes on the float64 reference in float64 (its decompositions against the definitions) at 1e-12', async () => {
    const failed: string[] = [];
    for (const c of modelOpCases({ dtype: 'float64' }).filter((c) => !c.decompositionNaN)) {
      const report = await runModelOpCase(reference, c, { atol: 1e-12, rtol: 1e-12 }, reference);
      if (!report.passed) failed.push(formatModelOpCase(report));
    }
    expect(failed).toEqual([]);
  });

  it('marks the cases where the decomposition gives NaN and the op does not, and the reference does give NaN there', async () => {
    const marked = cases.filter((c) => c.decompositionNaN);
    expect(marked.map((c) => c.op).sort()).toEqual(['CrossEntropy', 'Gather']);
    for (const c of marked) {
      const report = await runModelOpCase(reference, c, { atol: 1e-4, rtol: 1e-4 }, reference);
      expect(report.comparison.problem, c.name).toMatch(/is NaN, expected/);
    }
  });
});

describe('runModelOpCase catches wrong kernels', () => {
  const failing = async (extra: Partial<KernelTable<RefTensor, GraphContext>>, op: (typeof MODEL_OP_NAMES)[number]) => {
    const backend = float32Backend(extra);
    const names: string[] = [];
    for (const c of modelOpCases({ op })) if (!(await runModelOpCase(backend, c, { atol: 1e-4, rtol: 1e-4 }, reference)).passed) names.push(c.name);
    return names;
  };

  it('a Gather that clamps ids into range fails exactly the computed-id cases', async () => {
    const clamped: KernelTable<RefTensor, GraphContext>['Gather'] = ([table, ids], node) => {
      const [rows, w] = table.shape;
      const data = new Float64Array(ids.data.length * w);
      ids.data.forEach((id, i) => {
        const r = Math.min(rows - 1, Math.max(0, Math.floor(Number.isNaN(id) ? 0 : id)));
        data.set(table.data.subarray(r * w, (r + 1) * w), i * w);
      });
      return { shape: node.shape, data };
    };
    const names = await failing({ Gather: clamped }, 'Gather');
    expect(names).toEqual(
      modelOpCases({ op: 'Gather' })
        .filter((c) => c.oracle !== 'definition')
        .map((c) => c.name),
    );
  });

  it('a LayerNorm whose variance is E[x²] − E[x]² in float32 fails the offset rows', async () => {
    const oneForm: KernelTable<RefTensor, GraphContext>['LayerNorm'] = ([x, weight, bias], node) => {
      const w = weight.data.length;
      const out = new Float64Array(x.data.length);
      for (let r = 0; r * w < x.data.length; r++) {
        let s = 0;
        let s2 = 0;
        for (let j = 0; j < w; j++) {
          s = Math.fround(s + x.data[r * w + j]);
          s2 = Math.fround(s2 + Math.fround(x.data[r * w + j] * x.data[r * w + j]));
        }
        const mean = Math.fround(s / w);
        const variance = Math.max(0, Math.fround(s2 / w - mean * mean));
        for (let j = 0; j < w; j++) out[r * w + j] = ((x.data[r * w + j] - mean) / Math.sqrt(variance + node.attrs.eps)) * weight.data[j] + bias.data[j];
      }
      return { shape: node.shape, data: out };
    };
    expect((await failing({ LayerNorm: oneForm }, 'LayerNorm')).length).toBeGreaterThan(0);
  });

  it('a CrossEntropy taking logsumexp − logit[target] at full magnitude in float32 fails the ±1e5 logits', async () => {
    const direct: KernelTable<RefTensor, GraphContext>['CrossEntropy'] = ([logits, targets], node) => {
      const v = logits.shape[logits.shape.length - 1];
      let total = 0;
      let count = 0;
      targets.data.forEach((t, i) => {
        if (t === node.attrs.ignoreIndex) return;
        const row = logits.data.subarray(i * v, (i + 1) * v);
        const max = Math.max(...row);
        const lse = Math.fround(max + Math.fround(Math.log(row.reduce((s, x) => s + Math.exp(x - max), 0))));
        total += Math.fround(lse - (Number.isInteger(t) && t >= 0 && t < v ? row[t] : 0));
        count++;
      });
      return { shape: [], data: Float64Array.of(total / count) };
    };
    expect(await failing({ CrossEntropy: direct }, 'CrossEntropy')).toEqual([modelOpCases({ op: 'CrossEntropy' }).find((c) => c.name.includes('±1e5'))?.name]);
  });

  it('the definitions are the ops of core', () => {
    for (const op of MODEL_OP_NAMES) expect(typeof OPS[op].evaluate).toBe('function');
  });
});
