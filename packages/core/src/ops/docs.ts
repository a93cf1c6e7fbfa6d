import { SasError } from '../errors.js';
import type { AttrSpec } from './attrs.js';
import type { OpDef } from './op.js';
import { COMPOSITE_OP_NAMES, OP_NAMES, OPS } from './table.js';

// docs/ops.md is generated: hand-written prose from a template, and for every
// op a card built from its definition (name, inputs, attributes, shape rule,
// summary), so the page cannot drift from the code. `pnpm docs:ops` writes it
// (scripts/ops-doc.mjs); ops-doc.test.ts fails when it is stale.

/** Template placeholders: `{{op NAME}}` (one op's card), `{{ops-table}}`, `{{primitive-count}}`, `{{composite-count}}`. */
const PLACEHOLDER = /\{\{(op [A-Za-z0-9]+|ops-table|primitive-count|composite-count)\}\}/g;

/** Heading of the section that receives ops the template has no place for yet. */
const UNPLACED_HEADING = '## Ops without notes yet';

function attrType(spec: AttrSpec): string {
  switch (spec.type) {
    case 'int':
      return 'integer';
    case 'ints':
      return 'integer list';
    case 'axis':
      return 'axis';
    case 'axes':
      return 'axis list';
    case 'enum':
      return spec.values.map((v) => `'${v}'`).join(' or ');
    default:
      return spec.type;
  }
}

const kindOf = (op: OpDef) => ((COMPOSITE_OP_NAMES as readonly string[]).includes(op.name) ? 'composite' : 'primitive');

const inputsText = (n: number) => `${n} input${n === 1 ? '' : 's'}`;

/** One op's card: name, kind, inputs and shape rule; its attributes; its summary. */
function card(op: OpDef): string {
  const lines = [`**${op.name}** · ${kindOf(op)} · ${inputsText(op.arity)} · \`${op.shapeRule}\``, ''];
  const attrs = Object.entries(op.attrs);
  if (attrs.length > 0) {
    for (const [name, spec] of attrs) lines.push(`- \`${name}\` (${attrType(spec)}): ${spec.doc}`);
    lines.push('');
  }
  lines.push(op.summary);
  return lines.join('\n');
}

/** The overview table: every op, its kind, inputs and attributes; columns padded as the formatter (Biome) lays them out. */
function table(ops: readonly OpDef[]): string {
  const rows = ops.map((op) => {
    const attrs = Object.entries(op.attrs)
      .map(([name, spec]) => `\`${name}\`: ${attrType(spec)}`)
      .join(', ');
    return [`\`${op.name}\``, kindOf(op), String(op.arity), attrs || '–'];
  });
  const header = ['op', 'kind', 'inputs', 'attributes'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: readonly string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/**
 * docs/ops.md from its template and the op table: each `{{op NAME}}` becomes
 * that op's card, `{{ops-table}}` the overview of every op. An op the
 * template does not place gets its card in a final section, so a new op is
 * documented before anyone writes its notes; an unknown or repeated
 * placeholder is an error naming it.
 *
 * @example
 * ```ts
 * import { renderOpsDoc } from './docs.js';
 * renderOpsDoc('# Ops\n\n{{op Exp}}\n').startsWith('# Ops\n\n**Exp** · primitive · 1 input'); // true
 * ```
 */
export function renderOpsDoc(template: string, ops: readonly OpDef[] = [...OP_NAMES, ...COMPOSITE_OP_NAMES].map((name) => OPS[name] as OpDef)): string {
  const byName = new Map(ops.map((op) => [op.name, op]));
  const placed = new Set<string>();
  const body = template.replace(PLACEHOLDER, (_match, key: string) => {
    if (key === 'ops-table') return table(ops);
    if (key === 'primitive-count') return String(ops.filter((op) => kindOf(op) === 'primitive').length);
    if (key === 'composite-count') return String(ops.filter((op) => kindOf(op) === 'composite').length);
    const name = key.slice('op '.length);
    const op = byName.get(name);
    if (!op) throw new SasError('E_INPUT', `ops doc template: {{op ${name}}} names no op (ops: ${[...byName.keys()].join(', ')})`);
    if (placed.has(name)) throw new SasError('E_INPUT', `ops doc template: {{op ${name}}} appears twice`);
    placed.add(name);
    return card(op);
  });
  const unplaced = ops.filter((op) => !placed.has(op.name));
  if (unplaced.length === 0) return body;
  return `${body.trimEnd()}\n\n${UNPLACED_HEADING}\n\n${unplaced.map(card).join('\n\n')}\n`;
}
