import type { Launch } from './device/device.js';
import type { Storage } from './device/storage.js';
import type { GpuTensor } from './tensor.js';

/**
 * A float literal for generated kernels. Only integers are baked into source
 * (shapes, strides, offsets); they get a `.0` so gpu.js types every index
 * expression as float, the way its GLSL and wasm kernels compute anyway.
 * Fractional values travel as uniform arguments instead (exact, and one
 * kernel serves every value).
 */
export function lit(n: number): string {
  if (!Number.isInteger(n)) throw new Error(`internal: non-integer literal ${n} in kernel source`);
  return n < 0 ? `(${n}.0)` : `${n}.0`;
}

/** Reads one input tensor inside a kernel being written. */
export interface Reader {
  /** The kernel parameter holding the storage. */
  readonly name: string;
  /** The uniform holding the view's scale, or null when it is 1. */
  readonly scale: string | null;
  /** Storage index of the element at `coords` (one expression per axis of the view; '0.0' allowed). */
  offset(coords: readonly string[]): string;
  /** The scaled value at `coords`. */
  at(coords: readonly string[]): string;
  /** The scaled value at a storage index expression. */
  atOffset(offsetExpr: string): string;
}

/**
 * Writes one gpu.js kernel as source text. Every kernel has a flat 1-D
 * output (`this.thread.x` is the output's row-major index) and reads its
 * inputs through their views, so N-d tensors of any strides need nothing but
 * index arithmetic written with the shapes baked in. The source doubles as
 * the kernel's cache key.
 *
 * @example
 * ```ts
 * import { KernelWriter } from '@sas/backend-gpujs';
 * const w = new KernelWriter('Neg');
 * const x = w.tensor(someTensor);
 * const [i, j] = w.unravel(w.index(), [2, 3]);
 * const launch = w.finish(6, `-(${x.at([i, j])})`);
 * ```
 */
export class KernelWriter {
  private readonly params: string[] = [];
  private readonly args: (Storage | number)[] = [];
  private readonly lines: string[] = [];
  private counter = 0;
  private indexVar: string | null = null;

  constructor(readonly op: string) {}

  /** Adds a tensor input. Masked views must be unmasked first, except where a kernel reads the mask itself. */
  tensor(t: GpuTensor, options: { allowMask?: boolean } = {}): Reader {
    if (t.mask !== null && !options.allowMask) throw new Error(`internal: ${this.op} got a masked view`);
    const name = this.param(t.storage);
    const scale = t.scale === 1 ? null : this.uniform(t.scale);
    const offset = (coords: readonly string[]) => {
      const terms = t.offset === 0 ? [] : [lit(t.offset)];
      coords.forEach((c, k) => {
        if (t.strides[k] === 0 || c === '0.0') return;
        terms.push(t.strides[k] === 1 ? c : `${c} * ${lit(t.strides[k])}`);
      });
      return terms.length ? terms.join(' + ') : '0.0';
    };
    // A scaled view stands for the Mul node it replaced, whose result is float32: round the product
    // (cpu mode computes in double, so an unrounded x·s differs from the same value once stored,
    // and a softmax over one element came out 1.0000002 instead of 1).
    const atOffset = (o: string) => (scale ? `Math.fround(${name}[${o}] * ${scale})` : `${name}[${o}]`);
    return { name, scale, offset, at: (coords) => atOffset(offset(coords)), atOffset };
  }

  /** Adds a uniform float argument; returns its name. */
  uniform(value: number): string {
    return this.param(value);
  }

  /** The output index as a float variable. */
  index(): string {
    if (!this.indexVar) this.indexVar = this.let('this.thread.x + 0.0', 'i');
    return this.indexVar;
  }

  /** Emits `let v = expr;` and returns the variable name. */
  let(expr: string, prefix = 'v'): string {
    const v = `${prefix}${this.counter++}`;
    this.lines.push(`let ${v} = ${expr};`);
    return v;
  }

  /** Emits a raw statement. */
  line(statement: string): void {
    this.lines.push(statement);
  }

  /**
   * Splits a row-major flat index into coordinates of `shape`. Size-1 axes get
   * the literal '0.0'. Divisions are floored at +0.5 so float rounding can
   * never land a quotient below an integer; large tensors also get an exact
   * integer correction step.
   */
  unravel(flat: string, shape: readonly number[]): string[] {
    const coords = shape.map(() => '0.0');
    const live = shape.map((d, k) => (d > 1 ? k : -1)).filter((k) => k >= 0);
    if (live.length === 0) return coords;
    const total = shape.reduce((a, d) => a * d, 1);
    const rem = live.length > 1 ? this.let(`${flat} + 0.0`, 'r') : flat;
    for (let n = 0; n < live.length - 1; n++) {
      const k = live[n];
      const d = shape.slice(k + 1).reduce((a, x) => a * x, 1);
      const c = this.let(`Math.floor((${rem} + 0.5) / ${lit(d)})`, 'c');
      this.line(`${rem} = ${rem} - ${c} * ${lit(d)};`);
      if (total > 2 ** 20) {
        this.line(`if (${rem} < 0.0) { ${c} = ${c} - 1.0; ${rem} = ${rem} + ${lit(d)}; }`);
        this.line(`if (${rem} >= ${lit(d)}) { ${c} = ${c} + 1.0; ${rem} = ${rem} - ${lit(d)}; }`);
      }
      coords[k] = c;
    }
    coords[live[live.length - 1]] = rem;
    return coords;
  }

  /** Closes the kernel: `size` outputs, each the value of `result`. */
  finish(size: number, result: string): Launch {
    const source = `function (${this.params.join(', ')}) {\n  ${this.lines.join('\n  ')}\n  return ${result};\n}`;
    return { op: this.op, source, size, args: this.args };
  }

  private param(value: Storage | number): string {
    const name = `${typeof value === 'number' ? 'u' : 't'}${this.params.length}`;
    this.params.push(name);
    this.args.push(value);
    return name;
  }
}
