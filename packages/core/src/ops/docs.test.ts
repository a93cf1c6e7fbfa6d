import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { COMPOSITE_OP_NAMES, OP_NAMES, OPS } from '@sas/core';
import { renderOpsDoc } from './docs.js';
import { sasError } from '../test-support/sas-error.js';

const read = (path: string) => readFileSync(new URL(path, import.meta.url), 'utf8');

describe('docs/ops.md', () => {
  it('is what `pnpm docs:ops` writes from the template and the op definitions (run it after changing an op)', () => {
    expect(read('../../../../docs/ops.md')).toBe(renderOpsDoc(read('../../../../scripts/ops.template.md')));
  });

  it('has one card per op, primitive and composite, in the template (none left to the catch-all section)', () => {
    const page = read('../../../../docs/ops.md');
    for (const name of [...OP_NAMES, ...COMPOSITE_OP_NAMES]) expect(page).toContain(`**${name}** · `);
    expect(page).not.toContain('## Ops without notes yet');
  });

  it("builds a card from an op's definition: inputs, shape rule, attributes with their docs, summary", () => {
    const card = renderOpsDoc('{{op Conv1d}}');
    expect(card).toContain(`**Conv1d** · primitive · 2 inputs · \`${OPS.Conv1d.shapeRule}\``);
    expect(card).toContain(`- \`pad\` (integer): ${OPS.Conv1d.attrs.pad.doc}`);
    expect(card).toContain(OPS.Conv1d.summary);
    expect(renderOpsDoc('{{op CausalMask}}')).toContain("- `fill` ('neg-inf' or 'zero'): ");
  });

  it('documents an op the template does not place, and refuses unknown or repeated placeholders', () => {
    const page = renderOpsDoc('# Ops\n\n{{op Exp}}\n');
    expect(page).toContain('## Ops without notes yet');
    expect(page).toContain('**Flip** · primitive · 1 input');
    expect(sasError(() => renderOpsDoc('{{op Nope}}')).message).toMatch(/\{\{op Nope\}\} names no op/);
    expect(sasError(() => renderOpsDoc('{{op Exp}} {{op Exp}}')).message).toMatch(/appears twice/);
  });
});
