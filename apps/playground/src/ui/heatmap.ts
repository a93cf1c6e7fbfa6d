/**
 * One attention map as a heatmap on a canvas: row i is query position i,
 * column j key position j, darker is more probability. Hovering a cell shows
 * its value (and the two characters) in the shared tooltip.
 */
import { el } from './dom.js';

/** What a heatmap shows. */
export interface HeatmapSpec {
  readonly title: string;
  /** Row-major T×T probabilities. */
  readonly values: Float32Array | Float64Array;
  /** The T characters (row and column labels). */
  readonly tokens: readonly string[];
  /** Canvas side in CSS pixels. */
  readonly size: number;
}

/** A printable form of a character (space, newline). */
const show = (ch: string): string => (ch === ' ' ? '␠' : ch === '\n' ? '↵' : ch);

/** Probability → a colour from white (0) to deep blue (1); the square root spreads the small values most maps hold. */
function colour(p: number): string {
  const t = Math.sqrt(Math.min(1, Math.max(0, p)));
  const mix = (a: number, b: number) => Math.round(a + (b - a) * t);
  return `rgb(${mix(255, 8)},${mix(255, 48)},${mix(255, 107)})`;
}

let tooltip: HTMLDivElement | undefined;

function tip(): HTMLDivElement {
  tooltip ??= document.body.appendChild(el('div', { class: 'tooltip', id: 'heatmap-tooltip', hidden: true }));
  return tooltip;
}

/**
 * A figure holding the heatmap's title and canvas.
 *
 * @example
 * ```ts
 * document.body.append(heatmap({ title: 'head 0', values: new Float32Array([1, 0, 0.5, 0.5]), tokens: ['a', 'b'], size: 160 }));
 * ```
 */
export function heatmap(spec: HeatmapSpec): HTMLElement {
  const t = spec.tokens.length;
  const scale = window.devicePixelRatio || 1;
  const canvas = el('canvas', {
    width: Math.round(spec.size * scale),
    height: Math.round(spec.size * scale),
    style: `width:${spec.size}px;height:${spec.size}px`,
  });
  const ctx = canvas.getContext('2d')!;
  const cell = (spec.size * scale) / t;
  for (let i = 0; i < t; i++) {
    for (let j = 0; j < t; j++) {
      ctx.fillStyle = colour(spec.values[i * t + j]);
      // Overlap by a pixel so no seams show between cells.
      ctx.fillRect(Math.floor(j * cell), Math.floor(i * cell), Math.ceil(cell) + 1, Math.ceil(cell) + 1);
    }
  }
  canvas.addEventListener('mousemove', (e) => {
    const rect = canvas.getBoundingClientRect();
    const j = Math.min(t - 1, Math.floor(((e.clientX - rect.left) / rect.width) * t));
    const i = Math.min(t - 1, Math.floor(((e.clientY - rect.top) / rect.height) * t));
    const box = tip();
    box.hidden = false;
    box.textContent = `${spec.title} · query ${i} '${show(spec.tokens[i])}' → key ${j} '${show(spec.tokens[j])}': ${spec.values[i * t + j].toFixed(4)}`;
    box.style.left = `${e.pageX + 12}px`;
    box.style.top = `${e.pageY + 12}px`;
  });
  canvas.addEventListener('mouseleave', () => {
    tip().hidden = true;
  });
  return el('figure', { class: 'heatmap' }, canvas, el('figcaption', {}, spec.title));
}
