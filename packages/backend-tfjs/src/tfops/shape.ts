/**
 * Product of a shape's dimensions (1 for a scalar).
 *
 * @example
 * ```ts
 * sizeOfShape([2, 3, 4]); // 24
 * ```
 */
export function sizeOfShape(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * Numpy broadcast of two shapes; callers have already validated them (the
 * graph's shape inference did), so a mismatch here is a programming error.
 *
 * @example
 * ```ts
 * broadcastShape([2, 1, 4], [3, 1]); // [2, 3, 4]
 * ```
 */
export function broadcastShape(a: readonly number[], b: readonly number[]): number[] {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    out.push(da === 1 ? db : da);
  }
  return out;
}
